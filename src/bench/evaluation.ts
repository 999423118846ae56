// Search on the evaluation sets of eval/README.md (the written queries, the index-code display
// texts) and on the derived set of quality.ts: recall@1, recall@5 and MRR, overall, per half and
// per category, ours beside plain BM25 (the store's full-text query alone) and MiniSearch; then
// the time per query of the written and code sets, query cache off, beside the raw FTS5 query.
// With --hybrid, also hybrid search with the built-in offline embeddings model (builtin-hybrid.ts).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { FindingModelIndex } from "../index/finding-model-index.js";
import { searchTerms } from "../index/search/terms.js";
import { hasWord } from "../model/words.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { builtinHybrid, builtinHybridSpeed, type BuiltinHybrid } from "./builtin-hybrid.js";
import type { Bench } from "./context.js";
import { halfOf } from "./eval/halves.js";
import { codeDisplayQueries, readWrittenQueries, scoreEval, WRITTEN4_CATEGORIES, type EvalQuery, type EvalReport, type CodedModel } from "./eval/sets.js";
import { rawFtsTimes } from "./floors.js";
import { median, perCall, percentile } from "./measure.js";
import { buildMiniSearch } from "./peers.js";
import { benchQualityQueries } from "./quality.js";

/**
 * The sets of a bench run (written2, written3 and independent are never tuned on, either half;
 * written4 and written only on their tune half: see eval/README.md).
 */
export function evalSets(b: Pick<Bench, "root" | "models" | "full">): Record<"written" | "written2" | "written3" | "written4" | "independent" | "code" | "derived", EvalQuery[]> {
  const ids = new Set(b.models.map((m) => m.oifm_id));
  return {
    written: readWrittenQueries(path.join(b.root, "eval/written-queries.tsv"), ids),
    written2: readWrittenQueries(path.join(b.root, "eval/written-queries-2.tsv"), ids),
    written3: readWrittenQueries(path.join(b.root, "eval/written-queries-3.tsv"), ids),
    written4: readWrittenQueries(path.join(b.root, "eval/written-queries-4.tsv"), ids, WRITTEN4_CATEGORIES),
    independent: readWrittenQueries(path.join(b.root, "eval/independent-queries.tsv"), ids),
    code: codeDisplayQueries(b.models as unknown as CodedModel[]),
    derived: benchQualityQueries(b).map((q) => ({ query: q.query, expected: [q.expected], category: q.rule, half: halfOf(q.query) })),
  };
}

const f3 = (x: number) => x.toFixed(3);

export async function evalSection(b: Bench): Promise<void> {
  const { report } = b;
  const sets = evalSets(b);
  report.heading("eval", `Search on the evaluation sets (eval/README.md): written ${sets.written.length}, code displays ${sets.code.length}, derived ${sets.derived.length} (${b.full ? "every model's" : "every third model's"})`);
  const store = await openSqliteStore(b.registryDb, { readonly: true });
  const index = new FindingModelIndex(store, { cache: false });
  const mini = buildMiniSearch(b.models);
  const engines: Record<string, (q: string) => Promise<readonly string[]> | readonly string[]> = {
    ours: async (q) => (await index.search(q, { limit: 10 })).map((e) => e.oifm_id),
    bm25: async (q) => {
      const terms = searchTerms(q);
      return terms.length === 0 ? [] : (await store.textSearch(terms, { limit: 10 })).map((e) => e.oifm_id);
    },
    minisearch: (q) => mini.search(q).slice(0, 10).map((r) => r.id as string),
  };
  let hybrid: BuiltinHybrid | undefined;
  if (b.hybrid) {
    hybrid = await builtinHybrid(b);
    engines["hybrid-builtin"] = hybrid.search;
    engines["vectors-builtin"] = hybrid.nearest;
  }
  const misses: Record<string, EvalReport["misses"]> = {};
  for (const [setName, queries] of Object.entries(sets)) {
    const scores: Record<string, EvalReport> = {};
    for (const [engine, search] of Object.entries(engines)) scores[engine] = await scoreEval(queries, search);
    misses[setName] = scores.ours!.misses;
    const row = (label: string, pick: (r: EvalReport) => { queries: number; recallAt1: number; recallAt5: number; mrr: number } | undefined) => {
      const cells = Object.keys(engines).map((e) => {
        const s = pick(scores[e]!);
        return s ? `${f3(s.recallAt1)} ${f3(s.recallAt5)} ${f3(s.mrr)}` : "";
      });
      const n = pick(scores.ours!)?.queries ?? 0;
      console.log(`  ${`${setName} ${label} (${n})`.padEnd(34)} ${cells.map((c) => c.padEnd(20)).join(" ")}`);
    };
    console.log(`  ${"set, group (queries)".padEnd(34)} ${Object.keys(engines).map((e) => `${e}: r@1 r@5 MRR`.padEnd(20)).join(" ")}`);
    row("all", (r) => r.all);
    for (const half of ["tune", "check"]) row(half, (r) => r.groups.get(half));
    const categories = [...new Set(queries.map((q) => q.category))];
    if (categories.length > 1) {
      for (const c of categories) {
        row(c, (r) => r.groups.get(c));
        for (const half of ["tune", "check"]) row(`${c}/${half}`, (r) => r.groups.get(`${c}/${half}`));
      }
    }
    for (const half of ["tune", "check"]) {
      const o = scores.ours!.groups.get(half)!;
      for (const [metric, key] of [["recall@1", "recallAt1"], ["recall@5", "recallAt5"], ["MRR", "mrr"]] as const) {
        report.versus(`${setName}, ${half} half: ${metric}`, o[key], "peer", { name: "plain BM25", value: scores.bm25!.groups.get(half)![key] }, "share", undefined, `MiniSearch ${f3(scores.minisearch!.groups.get(half)![key])}`);
      }
    }
    const h = scores["hybrid-builtin"];
    if (h) {
      for (const [metric, key] of [["recall@1", "recallAt1"], ["recall@5", "recallAt5"], ["MRR", "mrr"]] as const) {
        const meaning = h.groups.get("meaning");
        report.versus(`${setName}, all: ${metric}, hybrid with the built-in model`, h.all[key], "straightforward", { name: "lexical (the default)", value: scores.ours!.all[key] }, "share", undefined, meaning ? `meaning: ${f3(meaning[key])} beside ${f3(scores.ours!.groups.get("meaning")![key])}` : undefined);
      }
    }
  }
  if (hybrid) {
    if (hybrid.fellBack.size > 0) report.note(`${hybrid.fellBack.size} hybrid answers fell back to words: ${[...hybrid.fellBack.values()][0]}`);
    await hybrid.close();
  }
  if (process.env.FM_EVAL_MISSES) {
    // For tuning: the misses of the tune half only, of written, written4, code and derived (the check
    // half, written2, written3 and independent stay unseen).
    const unseen = new Set(["written2", "written3", "independent"]);
    const tune = Object.fromEntries(Object.entries(misses).filter(([s]) => !unseen.has(s)).map(([s, m]) => [s, m.filter((x) => x.half === "tune")]));
    writeFileSync(process.env.FM_EVAL_MISSES, JSON.stringify(tune, null, 1));
  }

  // Speed on varied real terms: the written and code-display queries, query cache off.
  const terms = [...sets.written, ...sets.written2, ...sets.code].map((q) => q.query);
  const rounds = Math.max(3, b.runs);
  const ours = await perCall(terms, rounds, (q) => index.search(q));
  const floor = rawFtsTimes(b.registryDb, terms, rounds);
  report.versus(`lexical search, ${terms.length} written, written2 + code queries: p50`, median(ours), "floor", { name: "raw FTS5 MATCH, all terms, top 10 ids", value: median(floor) }, "ms", { text: "at most 0.2 ms", met: median(ours) <= 0.2 });
  report.versus(`lexical search, ${terms.length} written, written2 + code queries: p99`, percentile(ours, 99), "floor", { name: "raw FTS5 MATCH", value: percentile(floor, 99) }, "ms", { text: "at most 1 ms", met: percentile(ours, 99) <= 1 });
  // Each query's median over the rounds, then their p99: the slow queries, without the pauses a
  // shared machine puts on single calls.
  const perQuery = (times: number[], n: number) => Array.from({ length: n }, (_, i) => median(times.filter((_, j) => j % n === i)));
  const floorQueries = terms.filter((q) => searchTerms(q).some(hasWord));
  report.versus("  the same, p99 of each query's median", percentile(perQuery(ours, terms.length), 99), "floor", { name: "raw FTS5 MATCH", value: percentile(perQuery(floor, floorQueries.length), 99) }, "ms");
  // searchBatch beside a loop of search, per query: in turn, each going first every other round
  // (whichever runs second pays the first's garbage), over enough rounds for a median.
  const loop: number[] = [];
  const batch: number[] = [];
  const runLoop = async () => {
    const t = performance.now();
    for (const q of terms) await index.search(q);
    loop.push((performance.now() - t) / terms.length);
  };
  const runBatch = async () => {
    const t = performance.now();
    await index.searchBatch(terms);
    batch.push((performance.now() - t) / terms.length);
  };
  for (let r = 0; r < Math.max(20, rounds); r++) {
    for (const run of r % 2 === 0 ? [runLoop, runBatch] : [runBatch, runLoop]) await run();
  }
  report.versus("searchBatch of the same queries, per query", median(batch), "straightforward", { name: "a loop of search", value: median(loop) }, "ms", { text: "cheaper than the loop", met: median(batch) < median(loop) });
  if (b.hybrid) await builtinHybridSpeed(b, terms, rounds);
  await store.close();
}
