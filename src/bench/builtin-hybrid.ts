// Hybrid search with the built-in offline embeddings model (bench --hybrid, opt-in: the vectors of
// the registry's 2,382 models take minutes of CPU to make): the registry index given a vector per
// model, timed, and a search that answers as a user's hybrid search does (words and nearest
// vectors fused, exact matches first). Then what one query costs: embedding the query, and the
// whole hybrid search with it, beside the embedding alone. Also the nearest vectors alone (no
// words): what the model itself finds.
import { BuiltinEmbeddings } from "../index/embeddings/builtin-embeddings.js";
import type { EmbeddingsProvider } from "../index/embeddings/provider.js";
import { SemanticSearch } from "../index/embeddings/semantic-search.js";
import { openIndex } from "../index/open-index.js";
import type { Bench } from "./context.js";
import { median, percentile } from "./measure.js";

export interface BuiltinHybrid {
  /** The first 10 IDs of the hybrid answer. */
  search(query: string): Promise<string[]>;
  /** The 10 models whose vectors are nearest the query's, no words. */
  nearest(query: string): Promise<string[]>;
  /** Answers that were not hybrid (the semantic half failed), with why: should stay 0. */
  fellBack: Map<string, string>;
  close(): Promise<void>;
}

export async function builtinHybrid(b: Bench): Promise<BuiltinHybrid> {
  const provider = remembering(new BuiltinEmbeddings());
  const index = await openIndex({ db: b.registryDb, embeddings: provider, cache: false });
  const vectorsAlone = new SemanticSearch(provider, async () => {
    const [entries, vectors] = await Promise.all([index.store.allEntries(), index.store.embeddings(provider.model)]);
    return { entries, vectors };
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const sync = await index.sync(b.copy);
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  if (!sync.embeddings || sync.embeddings.error) throw new Error(`the built-in model made no vectors: ${sync.embeddings?.error ?? "no provider"}`);
  const made = Math.max(1, sync.embeddings.embedded);
  b.report.add({ name: `vectors for ${sync.embeddings.embedded} models at sync, built-in model`, value: ms / 1000, unit: "s", note: `${(ms / made).toFixed(1)} ms a model; CPU ${((user + system) / 1e6).toFixed(0)} s, ${((user + system) / 1e3 / made).toFixed(1)} ms a model; loading the model included` });
  const fellBack = new Map<string, string>();
  return {
    fellBack,
    async search(query) {
      const answer = await index.searchAnswer(query, { mode: "hybrid", limit: 10 });
      if (answer.mode !== "hybrid") fellBack.set(query, answer.note ?? "");
      return answer.results.map((e) => e.oifm_id);
    },
    async nearest(query) {
      const answer = await vectorsAlone.nearest(query, 10);
      if (!answer.ok) throw new Error(answer.note);
      return answer.neighbours.map((n) => n.oifm_id);
    },
    close: () => index.close(),
  };
}

/** The provider, remembering every query's vector: each is made once for both ways of searching. */
function remembering(provider: EmbeddingsProvider): EmbeddingsProvider {
  const known = new Map<string, Float32Array>();
  return {
    model: provider.model,
    async embed(texts, options) {
      if (options?.purpose !== "query" || texts.length !== 1) return provider.embed(texts, options);
      const text = texts[0]!;
      let vector = known.get(text);
      if (!vector) known.set(text, (vector = (await provider.embed(texts, options))[0]!));
      return [vector];
    },
  };
}

/**
 * p50 and p99 of a hybrid search whose query is new (its vector made then), beside embedding the
 * query alone, each query timed both ways in turn (after a pass that warms the model up), over
 * `rounds` rounds, each on a fresh index (so that no query vector is remembered).
 */
export async function builtinHybridSpeed(b: Bench, terms: readonly string[], rounds: number): Promise<void> {
  const provider = new BuiltinEmbeddings();
  for (const q of terms) await provider.embed([q]);
  const embed: number[] = [];
  const hybrid: number[] = [];
  const remembered: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const index = await openIndex({ db: b.registryDb, readonly: true, embeddings: provider, cache: false });
    try {
      // The vectors read first: a query's cost, not the process's first one.
      await index.searchAnswer("bench warm-up query", { mode: "hybrid" });
      for (const q of terms) {
        let t = performance.now();
        await provider.embed([q]);
        embed.push(performance.now() - t);
        t = performance.now();
        await index.searchAnswer(q, { mode: "hybrid" });
        hybrid.push(performance.now() - t);
        // Again: the query's vector remembered, so what is left is the words, the nearest vectors and the fusion.
        t = performance.now();
        await index.searchAnswer(q, { mode: "hybrid" });
        remembered.push(performance.now() - t);
      }
    } finally {
      await index.close();
    }
  }
  b.report.versus(`hybrid search, built-in model, new query: p50`, median(hybrid), "floor", { name: "embedding the query alone", value: median(embed) }, "ms");
  b.report.versus(`hybrid search, built-in model, new query: p99`, percentile(hybrid, 99), "floor", { name: "embedding the query alone", value: percentile(embed, 99) }, "ms");
  b.report.add({ name: "hybrid search, built-in model, query vector remembered: p50", value: median(remembered), unit: "ms", note: `p99 ${percentile(remembered, 99).toFixed(3)} ms` });
}
