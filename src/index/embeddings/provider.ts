// What the index needs from an embeddings service: text in, one vector per text out. Any service
// fits behind this (openai-embeddings.ts speaks the OpenAI-compatible HTTP API); the index never
// trusts what comes back without checking it (see checkVectors).
import { CodedError } from "../../model/errors.js";

export interface EmbeddingsProvider {
  /**
   * Names the vectors this provider makes (its model, e.g. "nomic-embed-text"): vectors stored
   * under another name are not used with it, so switching models recomputes them.
   */
  readonly model: string;
  /** One vector per text, in order. Rejects with an EmbeddingsError when the service fails. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal; purpose?: "index" | "query" }): Promise<Float32Array[]>;
}

/** Why vectors could not be had; `reason` for programs, the message for people. */
export class EmbeddingsError extends CodedError {
  constructor(
    readonly reason: "unreachable" | "timeout" | "http" | "garbage" | "dimension" | "config",
    message: string,
  ) {
    super("embeddings", message);
  }
}

/**
 * `vectors` as answers to `count` texts, each of `dims` numbers (any, when undefined) that are all
 * finite and not all zero; throws an EmbeddingsError saying what is wrong. A service that answers
 * with the wrong count, a ragged, empty or non-numeric vector must not reach the index.
 */
export function checkVectors(vectors: readonly Float32Array[], count: number, dims: number | undefined, source: string): Float32Array[] {
  if (vectors.length !== count) throw new EmbeddingsError("garbage", `${source} returned ${vectors.length} vectors for ${count} texts`);
  const want = dims ?? vectors[0]?.length;
  for (const [i, v] of vectors.entries()) {
    if (v.length === 0) throw new EmbeddingsError("garbage", `${source} returned an empty vector`);
    if (v.length !== want) throw new EmbeddingsError("dimension", `${source} returned a vector of ${v.length} numbers where ${want} were expected (text ${i + 1} of ${count})`);
    let norm = 0;
    for (const x of v) {
      if (!Number.isFinite(x)) throw new EmbeddingsError("garbage", `${source} returned a vector holding ${x} (text ${i + 1} of ${count})`);
      norm += x * x;
    }
    if (norm === 0) throw new EmbeddingsError("garbage", `${source} returned a vector of zeros (text ${i + 1} of ${count})`);
  }
  return [...vectors];
}
