// The semantic half of hybrid search: the query's vector (from the provider, within a time budget,
// remembered for repeated queries) against the models' vectors (read once, again after each write).
// When it cannot answer (no service, a slow or failing one, vectors of another length, none stored
// yet) it says why, and a failing service is left alone for a while instead of costing every query
// its time budget. Only vectors made from a model's current text are used: never a stale one.
import { LRUCache } from "lru-cache";
import type { IndexEntry, StoredVector } from "../../store/store.js";
import { modelText, textHash } from "./model-text.js";
import { checkVectors, type EmbeddingsProvider } from "./provider.js";
import { VectorIndex, type Neighbour } from "./vector-index.js";

export interface SemanticOptions {
  /** How long a query's vector may take, ms (default 2,000). */
  budgetMs?: number;
  /** After the service failed, how long to answer from words without asking it, ms (default 30,000). */
  pauseMs?: number;
}

export type SemanticAnswer = { ok: true; neighbours: Neighbour[] } | { ok: false; note: string };

export class SemanticSearch {
  private vectors: Promise<VectorIndex> | undefined;
  private readonly queryVectors = new LRUCache<string, Float32Array>({ max: 1000 });
  private pausedUntil = 0;
  private pauseNote = "";
  private readonly budgetMs: number;
  private readonly pauseMs: number;

  constructor(
    readonly provider: EmbeddingsProvider,
    private readonly read: () => Promise<{ entries: IndexEntry[]; vectors: StoredVector[] }>,
    options: SemanticOptions = {},
  ) {
    this.budgetMs = options.budgetMs ?? 2000;
    this.pauseMs = options.pauseMs ?? 30_000;
  }

  /** After a write: the vectors are read again when next needed. */
  invalidate(): void {
    this.vectors = undefined;
  }

  /** The `k` models whose vectors are nearest to the query's, or why there are none. */
  async nearest(query: string, k: number): Promise<SemanticAnswer> {
    const index = await this.index();
    if (index.size === 0) return { ok: false, note: `no model has a vector of the embeddings model ${this.provider.model} yet (run index sync with the embeddings service reachable); answered from words only` };
    const vector = await this.queryVector(query);
    if (typeof vector === "string") return { ok: false, note: vector };
    if (vector.length !== index.dims) {
      return { ok: false, note: `the embeddings service returned a query vector of ${vector.length} numbers, but the index holds vectors of ${index.dims} (was the model changed? run index sync); answered from words only` };
    }
    return { ok: true, neighbours: index.nearest(vector, k) };
  }

  /** The vector of `query`, or why there is none. */
  private async queryVector(query: string): Promise<Float32Array | string> {
    const key = query.trim().toLowerCase();
    const known = this.queryVectors.get(key);
    if (known) return known;
    if (Date.now() < this.pausedUntil) return this.pauseNote;
    try {
      const [vector] = checkVectors(await this.provider.embed([query], { signal: AbortSignal.timeout(this.budgetMs), purpose: "query" }), 1, undefined, `the embeddings model ${this.provider.model}`);
      this.queryVectors.set(key, vector!);
      return vector!;
    } catch (e) {
      this.pausedUntil = Date.now() + this.pauseMs;
      this.pauseNote = `semantic search is unavailable: ${(e as Error).message}; answered from words only (asked again in ${Math.round(this.pauseMs / 1000)} s)`;
      return this.pauseNote;
    }
  }

  private index(): Promise<VectorIndex> {
    if (!this.vectors) {
      const promise = this.read().then(({ entries, vectors }) => current(this.provider.model, entries, vectors));
      this.vectors = promise;
      promise.catch(() => {
        if (this.vectors === promise) this.vectors = undefined;
      });
    }
    return this.vectors;
  }
}

/** The vectors made from their model's current text, of the length most of them have. */
function current(model: string, entries: readonly IndexEntry[], vectors: readonly StoredVector[]): VectorIndex {
  const hashes = new Map(entries.map((e) => [e.oifm_id, textHash(model, modelText(e))]));
  const fresh = vectors.filter((v) => hashes.get(v.oifm_id) === v.textHash);
  const lengths = new Map<number, number>();
  for (const v of fresh) lengths.set(v.vector.length, (lengths.get(v.vector.length) ?? 0) + 1);
  const dims = [...lengths].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  return new VectorIndex(fresh, dims);
}
