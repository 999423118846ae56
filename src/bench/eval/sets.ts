// The evaluation query sets of eval/README.md: the written queries (eval/written-queries.tsv) and
// the queries made from the models' index-code display texts, and how a search scores on them.
import { readFileSync } from "node:fs";
import { halfOf, type Half } from "./halves.js";

export type EvalCategory = "specific" | "abbrev" | "meaning" | "number" | "coded" | "code";
export const WRITTEN_CATEGORIES: readonly EvalCategory[] = ["specific", "abbrev", "meaning", "number"];
/** The fourth written set adds "coded": the finding as other terminologies write it (ICD-10-CM, SNOMED CT, CheXpert labels). */
export const WRITTEN4_CATEGORIES: readonly EvalCategory[] = [...WRITTEN_CATEGORIES, "coded"];

export interface EvalQuery {
  query: string;
  /** Every right answer (oifm_ids). */
  expected: string[];
  /** One of WRITTEN4_CATEGORIES, "code", or a rule of the derived set (quality.ts). */
  category: string;
  half: Half;
}

/**
 * The written queries of `file`, each of one of `categories`; throws naming the line and the
 * reason for a malformed one.
 */
export function readWrittenQueries(file: string, knownIds?: ReadonlySet<string>, categories: readonly EvalCategory[] = WRITTEN_CATEGORIES): EvalQuery[] {
  const out: EvalQuery[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  let header = false;
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const where = `${file} line ${i + 1}`;
    const cells = line.split("\t");
    if (!header) {
      if (cells.join(",") !== "half,category,query,expected,names") throw new Error(`${where}: expected the header half, category, query, expected, names`);
      header = true;
      return;
    }
    if (cells.length !== 5) throw new Error(`${where}: expected 5 tab-separated cells, got ${cells.length}`);
    const [half, category, query, expected] = cells as [string, string, string, string, string];
    if (!(categories as readonly string[]).includes(category)) throw new Error(`${where}: unknown category "${category}"`);
    if (half !== halfOf(query)) throw new Error(`${where}: the half of "${query}" is ${halfOf(query)}, not ${half}`);
    const ids = expected.split(" ").filter((x) => x !== "");
    if (ids.length === 0) throw new Error(`${where}: no expected model`);
    const unknown = knownIds ? ids.filter((id) => !knownIds.has(id)) : [];
    if (unknown.length > 0) throw new Error(`${where}: no model ${unknown.join(", ")} in the registry`);
    out.push({ query, expected: ids, category, half });
  });
  return out;
}

export interface CodedModel {
  oifm_id: string;
  name: string;
  synonyms?: string[];
  index_codes?: Array<{ system: string; code: string; display?: string }>;
}

/**
 * Queries from model-level index codes whose display text is not the model's name or a synonym
 * (ignoring case); GAMUTS codes are left out (their display is the name). Right answers: every
 * model with a code of that display text.
 */
export function codeDisplayQueries(models: readonly CodedModel[]): EvalQuery[] {
  const byDisplay = new Map<string, Set<string>>();
  const asked = new Set<string>();
  for (const m of models) {
    const titles = new Set([m.name, ...(m.synonyms ?? [])].map((t) => t.toLowerCase()));
    for (const c of m.index_codes ?? []) {
      const display = c.display?.trim();
      if (!display || c.system.toUpperCase() === "GAMUTS") continue;
      const key = display.toLowerCase();
      byDisplay.set(key, (byDisplay.get(key) ?? new Set()).add(m.oifm_id));
      if (!titles.has(key)) asked.add(key);
    }
  }
  return [...asked].sort().map((q) => ({ query: q, expected: [...byDisplay.get(q)!].sort(), category: "code", half: halfOf(q) }));
}

export interface EvalScore {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
}

export interface EvalReport {
  all: EvalScore;
  /** By "half", by "category", and by "category/half". */
  groups: Map<string, EvalScore>;
  /** The queries whose first result is not a right answer (rank 0: none in the first 10). */
  misses: Array<EvalQuery & { rank: number; got: string[] }>;
}

/** Rank (from 1) of the first right answer among the first 10 results; 0 when none is there. */
export function rankOf(results: readonly string[], expected: readonly string[]): number {
  const i = results.slice(0, 10).findIndex((id) => expected.includes(id));
  return i + 1;
}

/** Score `search` (oifm_ids, best first, at least 10 asked for) on `queries`. */
export async function scoreEval(queries: readonly EvalQuery[], search: (query: string) => Promise<readonly string[]> | readonly string[]): Promise<EvalReport> {
  const sums = new Map<string, { n: number; at1: number; at5: number; rr: number }>();
  const add = (key: string, rank: number) => {
    const s = sums.get(key) ?? { n: 0, at1: 0, at5: 0, rr: 0 };
    s.n++;
    if (rank === 1) s.at1++;
    if (rank > 0 && rank <= 5) s.at5++;
    if (rank > 0) s.rr += 1 / rank;
    sums.set(key, s);
  };
  const misses: EvalReport["misses"] = [];
  for (const q of queries) {
    const got = [...(await search(q.query))];
    const rank = rankOf(got, q.expected);
    for (const key of ["all", q.half, q.category, `${q.category}/${q.half}`]) add(key, rank);
    if (rank !== 1) misses.push({ ...q, rank, got: got.slice(0, 5) });
  }
  const score = (s: { n: number; at1: number; at5: number; rr: number }): EvalScore => ({
    queries: s.n,
    recallAt1: s.n === 0 ? 0 : s.at1 / s.n,
    recallAt5: s.n === 0 ? 0 : s.at5 / s.n,
    mrr: s.n === 0 ? 0 : s.rr / s.n,
  });
  const all = score(sums.get("all") ?? { n: 0, at1: 0, at5: 0, rr: 0 });
  sums.delete("all");
  return { all, groups: new Map([...sums].map(([k, s]) => [k, score(s)])), misses };
}
