// The OpenAI-compatible embeddings API (POST {url}/embeddings with {model, input: [...]}), which
// OpenAI, Ollama, vLLM, LM Studio and text-embeddings-inference all serve. Requests are batched,
// a few at a time, each with a time limit, and retried with backoff when the failure may pass
// (refused or reset connections, 429 and 5xx answers, time-outs).
import { checkVectors, EmbeddingsError, type EmbeddingsProvider } from "./provider.js";

export interface OpenAIEmbeddingsOptions {
  /** Base URL of the API, e.g. http://localhost:11434/v1 (the client adds /embeddings). */
  url: string;
  model: string;
  /** Sent as a Bearer token when given. */
  apiKey?: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Tries after the first failed one (default 3). */
  retries?: number;
  /** Time limit of one request, ms (default 30,000). */
  timeoutMs?: number;
  /** First backoff, ms, doubled each try (default 500). */
  backoffMs?: number;
  /** Called after each batch with texts done of total. */
  onProgress?: (done: number, total: number) => void;
}

export class OpenAIEmbeddings implements EmbeddingsProvider {
  readonly model: string;
  readonly endpoint: string;
  private readonly options: Required<Omit<OpenAIEmbeddingsOptions, "apiKey" | "onProgress">> & Pick<OpenAIEmbeddingsOptions, "apiKey" | "onProgress">;
  /** The vectors' length, learned from the first answer: every later one must match it. */
  private dims: number | undefined;

  constructor(options: OpenAIEmbeddingsOptions) {
    let endpoint: URL;
    try {
      endpoint = new URL(options.url.replace(/\/+$/, "") + "/embeddings");
    } catch {
      throw new EmbeddingsError("config", `the embeddings URL "${options.url}" is not a URL (e.g. http://localhost:11434/v1)`);
    }
    if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") throw new EmbeddingsError("config", `the embeddings URL "${options.url}" must start with http:// or https://`);
    if (options.model.trim() === "") throw new EmbeddingsError("config", "the embeddings model is blank");
    this.model = options.model;
    this.endpoint = endpoint.href;
    this.options = { batchSize: 64, concurrency: 4, retries: 3, timeoutMs: 30_000, backoffMs: 500, ...options };
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal; purpose?: "index" | "query" } = {}): Promise<Float32Array[]> {
    // A query waits within a short budget: tried once (the caller answers from words meanwhile).
    const retries = options.purpose === "query" ? 0 : this.options.retries;
    const { batchSize, concurrency } = this.options;
    const batches: Array<{ start: number; texts: readonly string[] }> = [];
    for (let start = 0; start < texts.length; start += batchSize) batches.push({ start, texts: texts.slice(start, start + batchSize) });
    const out = new Array<Float32Array>(texts.length);
    let done = 0;
    let next = 0;
    // A few requests in flight; the first failure stops the others from starting new ones.
    let failed: unknown;
    const worker = async () => {
      while (failed === undefined && next < batches.length) {
        const batch = batches[next++]!;
        try {
          const vectors = await this.withRetries(batch.texts, options.signal, retries);
          vectors.forEach((v, i) => (out[batch.start + i] = v));
          done += batch.texts.length;
          this.options.onProgress?.(done, texts.length);
        } catch (e) {
          failed ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    if (failed !== undefined) throw failed;
    return out;
  }

  private async withRetries(texts: readonly string[], signal: AbortSignal | undefined, retries: number): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.request(texts, signal);
      } catch (e) {
        const passing = e instanceof EmbeddingsError && (e.reason === "unreachable" || e.reason === "timeout" || (e as TransientError).transient === true);
        if (!passing || attempt >= retries || signal?.aborted) throw e;
        await sleep(this.options.backoffMs * 2 ** attempt * (0.75 + Math.random() / 2), signal);
        // Out of time while waiting to try again: the failure that made it wait is the reason.
        if (signal?.aborted) throw e;
      }
    }
  }

  private async request(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: this.model, input: texts }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = await response.text();
    } catch (e) {
      if (timeout.aborted) throw new EmbeddingsError("timeout", `the embeddings service at ${this.endpoint} did not answer within ${this.options.timeoutMs} ms`);
      if (signal?.aborted) throw new EmbeddingsError("timeout", `the embeddings request to ${this.endpoint} was given up (out of time)`);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new EmbeddingsError("unreachable", `cannot reach the embeddings service at ${this.endpoint}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    if (!response.ok) {
      const error = new EmbeddingsError("http", `the embeddings service at ${this.endpoint} answered HTTP ${response.status}: ${body.slice(0, 200).trim()}`) as TransientError;
      error.transient = response.status === 429 || response.status >= 500;
      throw error;
    }
    const vectors = parseVectors(body, this.endpoint);
    const checked = checkVectors(vectors, texts.length, this.dims, `the embeddings service at ${this.endpoint}`);
    this.dims ??= checked[0]?.length;
    return checked;
  }
}

type TransientError = EmbeddingsError & { transient?: boolean };

/** The vectors of an OpenAI-style answer, `{data: [{index, embedding: [...]}, ...]}`, in input order. */
function parseVectors(body: string, endpoint: string): Float32Array[] {
  const garbage = (what: string) => new EmbeddingsError("garbage", `the embeddings service at ${endpoint} answered ${what}, not {"data": [{"embedding": [numbers]}]}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw garbage(`something that is not JSON (${JSON.stringify(body.slice(0, 60))})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw garbage("JSON without a data list");
  const items = data.map((item: unknown, i) => {
    const embedding = (item as { embedding?: unknown } | null)?.embedding;
    if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === "number")) throw garbage(`an item ${i} without a list of numbers`);
    const index = (item as { index?: unknown }).index;
    return { index: typeof index === "number" ? index : i, vector: Float32Array.from(embedding as number[]) };
  });
  items.sort((a, b) => a.index - b.index);
  return items.map((x) => x.vector);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
