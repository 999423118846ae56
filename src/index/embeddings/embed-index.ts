// Vectors for the models of an index, made after a sync: only for models that have none from this
// embeddings model, or whose text changed since theirs was made (the stored text hash says which),
// stored a chunk at a time so that a service failing half-way keeps what it made. A failure never
// fails the sync: the report says what went wrong, and the next sync fills in what is missing.
import type { Store, StoredVector } from "../../store/store.js";
import { modelText, textHash } from "./model-text.js";
import { checkVectors, type EmbeddingsProvider } from "./provider.js";

export interface EmbedReport {
  /** Models given a new vector. */
  embedded: number;
  /** Models whose vector was still right. */
  reused: number;
  /** Models left without a vector (the service failed); the next sync tries them again. */
  missing: number;
  /** Vectors removed (of models no longer indexed, or of another embeddings model). */
  pruned: number;
  /** What went wrong, when something did. */
  error?: string;
}

export interface EmbedOptions {
  /** Models embedded of those needing it. */
  onProgress?: (done: number, total: number) => void;
  /** Texts sent per stored chunk (default 256): what a failure can lose at most. */
  chunk?: number;
}

export async function embedIndex(store: Store, provider: EmbeddingsProvider, options: EmbedOptions = {}): Promise<EmbedReport> {
  const report: EmbedReport = { embedded: 0, reused: 0, missing: 0, pruned: 0 };
  let wanted: Array<{ oifm_id: string; text: string; hash: string }> = [];
  try {
    const [entries, stored] = await Promise.all([store.allEntries(), store.embeddings(provider.model)]);
    const have = new Map(stored.map((v) => [v.oifm_id, v]));
    const storedDims = stored[0]?.vector.length;
    const all = entries.map((e) => {
      const text = modelText(e);
      return { oifm_id: e.oifm_id, text, hash: textHash(provider.model, text) };
    });
    wanted = all.filter((m) => have.get(m.oifm_id)?.textHash !== m.hash);
    report.reused = all.length - wanted.length;
    report.missing = wanted.length;
    const chunk = options.chunk ?? 256;
    options.onProgress?.(0, wanted.length);
    for (let start = 0; start < wanted.length; start += chunk) {
      const part = wanted.slice(start, start + chunk);
      // Whatever the provider, nothing unchecked is stored.
      const vectors = checkVectors(await provider.embed(part.map((m) => m.text), { purpose: "index" }), part.length, undefined, `the embeddings model ${provider.model}`);
      if (storedDims !== undefined && vectors[0]!.length !== storedDims && report.reused > 0) {
        // The service now makes vectors of another length under the same model name: the stored
        // ones cannot be compared with its queries any more, so every model is embedded again.
        wanted = all;
        report.missing = all.length;
        report.reused = 0;
        start = -chunk;
        options.onProgress?.(0, wanted.length);
        continue;
      }
      const rows: StoredVector[] = part.map((m, i) => ({ oifm_id: m.oifm_id, textHash: m.hash, vector: vectors[i]! }));
      await store.putEmbeddings(provider.model, rows);
      report.embedded += rows.length;
      report.missing -= rows.length;
      options.onProgress?.(Math.min(start + chunk, wanted.length), wanted.length);
    }
    report.pruned = await store.pruneEmbeddings(provider.model);
  } catch (e) {
    report.error = `vectors for semantic search: ${(e as Error).message}; ${report.missing} model(s) left without one (the next sync tries again; search answers from words meanwhile)`;
  }
  return report;
}
