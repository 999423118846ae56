// Search quality: a query set derived from the real registry by fixed rules, and recall@5 and MRR
// over it. Ranking changes are judged by these numbers, not by eye.
//
// The rules (each applied to every model's name and each of its synonyms, its "titles"):
//   drop      a title of 3 or more words without its first word ("acute subdural hematoma" -> "subdural hematoma"),
//             unless what is left begins with a little word such as "of" or "in" ("calcification in heart")
//   reorder   a title of 2 or more words with its words in reverse order ("pulmonary nodule" -> "nodule pulmonary")
//   number    the last word's number changed, singular <-> plural, by English and the common Latin/Greek
//             endings (-y/-ies, -s/-x/-ch/-sh/-ss/-es, -is/-es, -us/-i, -um/-a, -a/-ae, -ex/-ix/-ices); of the
//             forms an ending allows, the first the registry's own text uses (see changeNumber)
//   typo      one typing error in the longest word of 5 or more letters, at its middle; the kind cycles
//             with the model's position: two letters swapped, a letter dropped, a letter doubled, a letter
//             replaced by its neighbour on the keyboard
//   expand    each abbreviation in the title replaced by what it stands for; the abbreviations are those
//             the registry itself defines (a synonym in capitals whose letters are the initials of the
//             model's name, e.g. AAA = abdominal aortic aneurysm) and a fixed list of imaging terms (below)
// The expected answer is the model the title came from. A query is left out when it is the same
// (ignoring case) as some model's name or synonym, since then another model is the right answer, or
// when two models give the same query. Titles are used as written (case kept).
//
// recall@5: the share of queries whose model is among the first 5 results. MRR: the mean of
// 1 / (rank of the model) over the first 10 results (0 when it is not among them).

import { FindingModelIndex } from "../index/finding-model-index.js";
import { tunedIndex } from "../index/internal.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import type { Bench } from "./context.js";
import { median, percentile } from "./measure.js";

/** Imaging abbreviations a radiologist writes, with what they stand for (used by the "expand" rule). */
export const IMAGING_ABBREVIATIONS: Readonly<Record<string, string>> = {
  CT: "computed tomography",
  CTA: "computed tomography angiography",
  MR: "magnetic resonance",
  MRI: "magnetic resonance imaging",
  US: "ultrasound",
  PET: "positron emission tomography",
  IVC: "inferior vena cava",
  SVC: "superior vena cava",
  AV: "arteriovenous",
  PA: "pulmonary artery",
  GI: "gastrointestinal",
  CSF: "cerebrospinal fluid",
  TMJ: "temporomandibular joint",
  ECMO: "extracorporeal membrane oxygenation",
  PICC: "peripherally inserted central catheter",
  ORIF: "open reduction internal fixation",
  LA: "left atrial",
  RV: "right ventricular",
  ILD: "interstitial lung disease",
  OA: "osteoarthritis",
  RUQ: "right upper quadrant",
  LUQ: "left upper quadrant",
  DWI: "diffusion weighted imaging",
  VP: "ventriculoperitoneal",
  SMA: "superior mesenteric artery",
  PEG: "percutaneous endoscopic gastrostomy",
  ECG: "electrocardiogram",
  EKG: "electrocardiogram",
  VATS: "video assisted thoracoscopic surgery",
};

/** Words a query does not begin with: a title whose second word is one of these gets no "drop" query. */
const DROP_KEEPS = new Set(["a", "an", "and", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "without"]);

export type QualityRule = "drop" | "reorder" | "number" | "typo" | "expand";
export const QUALITY_RULES: readonly QualityRule[] = ["drop", "reorder", "number", "typo", "expand"];

export interface QualityModel {
  oifm_id: string;
  name: string;
  synonyms?: string[];
  description?: string;
}

export interface QualityQuery {
  query: string;
  /** oifm_id of the model the query was made from. */
  expected: string;
  rule: QualityRule;
  /** The name or synonym it was made from. */
  title: string;
}

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== "");
const initials = (text: string): string =>
  words(text)
    .map((w) => w[0] ?? "")
    .join("")
    .toUpperCase();

/** Abbreviations the registry defines: a capitalized synonym spelling the initials of the model's name. */
export function registryAbbreviations(models: readonly QualityModel[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of models) {
    for (const s of m.synonyms ?? []) {
      if (/^[A-Z]{2,6}$/.test(s) && initials(m.name.replace(/-/g, " ")) === s && !out.has(s)) out.set(s, m.name.toLowerCase());
    }
  }
  return out;
}

/** The whole query set, in a fixed order. `every`: use only every n-th model (a smaller set for CI). */
export function qualityQueries(models: readonly QualityModel[], options: { every?: number } = {}): QualityQuery[] {
  const every = options.every ?? 1;
  const titles = new Set(models.flatMap((m) => [m.name, ...(m.synonyms ?? [])].map((t) => t.toLowerCase())));
  const abbreviations = new Map([...Object.entries(IMAGING_ABBREVIATIONS), ...registryAbbreviations(models)]);
  const known = new Set(models.flatMap((m) => [m.name, ...(m.synonyms ?? []), m.description ?? ""].flatMap((t) => t.toLowerCase().match(/[a-z]+/g) ?? [])));
  const made = new Map<string, QualityQuery | null>(); // by lower-cased query; null: made by two models
  models.forEach((m, i) => {
    if (i % every !== 0) return;
    const own = [...new Set([m.name, ...(m.synonyms ?? [])])];
    for (const title of own) {
      for (const rule of QUALITY_RULES) {
        const query = applyRule(rule, title, i, abbreviations, known);
        if (query === undefined || query.trim() === "" || query === title) continue;
        const key = query.toLowerCase();
        if (titles.has(key)) continue;
        const earlier = made.get(key);
        if (earlier === undefined) made.set(key, { query, expected: m.oifm_id, rule, title });
        else if (earlier !== null && earlier.expected !== m.oifm_id) made.set(key, null);
      }
    }
  });
  return [...made.values()].filter((q): q is QualityQuery => q !== null);
}

function applyRule(rule: QualityRule, title: string, position: number, abbreviations: ReadonlyMap<string, string>, known: ReadonlySet<string>): string | undefined {
  const w = words(title);
  switch (rule) {
    case "drop":
      // Only a leading word, and only where what is left reads as a query ("of bladder" does not).
      return w.length >= 3 && !DROP_KEEPS.has(w[1]!.toLowerCase()) ? w.slice(1).join(" ") : undefined;
    case "reorder":
      return w.length >= 2 ? [...w].reverse().join(" ") : undefined;
    case "number": {
      const last = w[w.length - 1];
      const changed = last === undefined ? undefined : changeNumber(last, known);
      return changed === undefined ? undefined : [...w.slice(0, -1), changed].join(" ");
    }
    case "typo": {
      let longest = -1;
      w.forEach((word, i) => {
        if (/^[a-z]{5,}$/i.test(word) && (longest < 0 || word.length > w[longest]!.length)) longest = i;
      });
      if (longest < 0) return undefined;
      const out = [...w];
      out[longest] = typo(w[longest]!, position % 4);
      return out.join(" ");
    }
    case "expand": {
      let any = false;
      const out = w.map((word) => {
        const expansion = abbreviations.get(word.replace(/s$/, "")) ?? abbreviations.get(word);
        if (expansion === undefined || !/^[A-Z]/.test(word)) return word;
        any = true;
        return expansion;
      });
      return any ? out.join(" ") : undefined;
    }
  }
}

/**
 * The other number of a noun (singular <-> plural): the first of the forms its ending allows that
 * the registry itself uses (`known`), else the first such form; undefined for words it cannot tell.
 */
export function changeNumber(word: string, known: ReadonlySet<string> = new Set()): string | undefined {
  // Names of conditions (-itis, -ia: "colitis", "anemia") have no number to change.
  if (!/^[a-z]{3,}$/.test(word) || /(itis|ia)$/.test(word)) return undefined;
  const forms: string[] = [];
  const rule = (pattern: RegExp, replacement: string) => {
    if (pattern.test(word)) forms.push(word.replace(pattern, replacement));
  };
  // singular -> plural of the Latin and Greek endings first: their plain forms ("stenosi") are not words
  rule(/is$/, "es"); // stenosis -> stenoses, testis -> testes
  rule(/us$/, "i"); // thrombus -> thrombi
  rule(/um$/, "a"); // diverticulum -> diverticula
  rule(/(ex|ix)$/, "ices"); // apex -> apices
  // plural -> singular
  rule(/ies$/, "y");
  rule(/sses$/, "ss");
  rule(/([^s])ses$/, "$1sis"); // metastases -> metastasis
  rule(/ices$/, "ex");
  rule(/ices$/, "ix");
  rule(/(ch|sh|x|z)es$/, "$1");
  rule(/ae$/, "a"); // vertebrae -> vertebra
  rule(/([^aeiou])i$/, "$1us"); // emboli -> embolus
  rule(/a$/, "ae"); // fibula -> fibulae
  rule(/a$/, "um"); // diverticula -> diverticulum
  rule(/([^su])s$/, "$1"); // nodules -> nodule
  // singular -> plural
  rule(/([^aeiou])y$/, "$1ies");
  rule(/(ch|sh|x|z|ss)$/, "$1es");
  rule(/([^s])$/, "$1s");
  const unique = [...new Set(forms)].filter((f) => f !== word);
  return unique.find((f) => known.has(f)) ?? unique[0];
}

const KEYBOARD_NEIGHBOUR: Record<string, string> = {
  a: "s", b: "v", c: "x", d: "s", e: "r", f: "g", g: "h", h: "j", i: "o", j: "k", k: "l", l: "k", m: "n",
  n: "m", o: "i", p: "o", q: "w", r: "t", s: "a", t: "r", u: "y", v: "c", w: "e", x: "z", y: "t", z: "x",
};

/** One typing error at the middle of `word`: 0 swap, 1 drop, 2 double, 3 neighbouring key. */
export function typo(word: string, kind: number): string {
  const i = Math.floor(word.length / 2);
  const at = word[i]!;
  switch (kind) {
    case 0:
      return word.slice(0, i - 1) + at + word[i - 1] + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + at + word.slice(i);
    default: {
      const lower = at.toLowerCase();
      const next = KEYBOARD_NEIGHBOUR[lower] ?? lower;
      return word.slice(0, i) + (at === lower ? next : next.toUpperCase()) + word.slice(i + 1);
    }
  }
}

export interface QualityScore {
  queries: number;
  recallAt5: number;
  mrr: number;
}

export interface QualityReport extends QualityScore {
  byRule: Record<QualityRule, QualityScore>;
  /** Queries whose model was not among the first 5 (for looking into). */
  misses: Array<QualityQuery & { rank: number }>;
}

/** Score `search` (returning oifm_ids, best first, at least 10 asked for) on the query set. */
export async function scoreSearch(queries: readonly QualityQuery[], search: (query: string) => Promise<readonly string[]> | readonly string[]): Promise<QualityReport> {
  const sums = new Map<QualityRule | "all", { n: number; hit: number; rr: number }>();
  const add = (key: QualityRule | "all", rank: number) => {
    const s = sums.get(key) ?? { n: 0, hit: 0, rr: 0 };
    s.n++;
    if (rank > 0 && rank <= 5) s.hit++;
    if (rank > 0 && rank <= 10) s.rr += 1 / rank;
    sums.set(key, s);
  };
  const misses: QualityReport["misses"] = [];
  for (const q of queries) {
    const ids = await search(q.query);
    const rank = ids.slice(0, 10).indexOf(q.expected) + 1;
    add("all", rank);
    add(q.rule, rank);
    if (rank === 0 || rank > 5) misses.push({ ...q, rank });
  }
  const score = (key: QualityRule | "all"): QualityScore => {
    const s = sums.get(key) ?? { n: 0, hit: 0, rr: 0 };
    return { queries: s.n, recallAt5: s.n === 0 ? 0 : s.hit / s.n, mrr: s.n === 0 ? 0 : s.rr / s.n };
  };
  const byRule = Object.fromEntries(QUALITY_RULES.map((r) => [r, score(r)])) as Record<QualityRule, QualityScore>;
  return { ...score("all"), byRule, misses };
}

// --- the bench's part: our search before and after the near-word search, on the whole set ---------

/** The query set of a bench run: every model's with --full, every third model's otherwise (to stay within 3 minutes). */
export function benchQualityQueries(b: Pick<Bench, "models" | "full">): QualityQuery[] {
  return qualityQueries(b.models, { every: b.full ? 1 : 3 });
}

const BEFORE = "no near words, no title order";
/** Untimed rounds of the everyday queries on each index, then timed rounds (each query once per round on each). */
const EVERYDAY_WARMUP = 5;
const EVERYDAY_ROUNDS = 40;

export async function qualitySection(b: Bench): Promise<void> {
  const { report } = b;
  const queries = benchQualityQueries(b);
  const set = b.full ? "every model's" : "every third model's";
  report.heading("quality", `Search quality: ${queries.length.toLocaleString("en-US")} queries (${set}) derived from the registry by the rules in quality.ts; after vs before (${BEFORE})`);
  const store = await openSqliteStore(b.registryDb, { readonly: true });
  const run = async (options: { nearWords: boolean; titleOrder: boolean }) => {
    const index = tunedIndex(store, { cache: false, ...options });
    const times: number[] = [];
    const score = await scoreSearch(queries, async (q) => {
      const t = performance.now();
      const ids = (await index.search(q, { limit: 10 })).map((e) => e.oifm_id);
      times.push(performance.now() - t);
      return ids;
    });
    return { score, times, index };
  };
  const before = await run({ nearWords: false, titleOrder: false });
  // Each change alone, with --full.
  const nearOnly = b.full ? await run({ nearWords: true, titleOrder: false }) : undefined;
  const orderOnly = b.full ? await run({ nearWords: false, titleOrder: true }) : undefined;
  const after = await run({ nearWords: true, titleOrder: true });
  // Everyday queries, before and after in turn (the same process, so a noisy machine hits both):
  // both warmed up untimed, then rounds of the 100 queries, which goes first alternating (whichever
  // runs second pays the first's garbage and finds the caches as the first left them).
  const everyday = { before: [] as number[], after: [] as number[] };
  const pass = async (side: "before" | "after", times?: number[]) => {
    const index = side === "before" ? before.index : after.index;
    for (const q of b.queries) {
      const t = performance.now();
      await index.search(q);
      times?.push(performance.now() - t);
    }
  };
  for (let r = 0; r < EVERYDAY_WARMUP; r++) for (const side of ["before", "after"] as const) await pass(side);
  for (let r = 0; r < Math.max(EVERYDAY_ROUNDS, b.runs); r++) {
    for (const side of r % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const)) await pass(side, everyday[side]);
  }
  await store.close();
  const pair = (name: string, a: QualityScore, z: QualityScore) => {
    report.versus(`${name}: recall@5`, a.recallAt5, "before", { name: BEFORE, value: z.recallAt5 }, "share");
    report.versus(`${name}: MRR`, a.mrr, "before", { name: BEFORE, value: z.mrr }, "share");
  };
  pair(`all ${queries.length.toLocaleString("en-US")} queries`, after.score, before.score);
  for (const rule of QUALITY_RULES) pair(`${rule} (${after.score.byRule[rule].queries.toLocaleString("en-US")})`, after.score.byRule[rule], before.score.byRule[rule]);
  if (nearOnly) pair("near words alone", nearOnly.score, before.score);
  if (orderOnly) pair("title order alone", orderOnly.score, before.score);
  report.versus("per query of the set: p50", median(after.times), "before", { name: BEFORE, value: median(before.times) }, "ms");
  report.versus("per query of the set: p99", percentile(after.times, 99), "before", { name: BEFORE, value: percentile(before.times, 99) }, "ms");
  if (b.postgres) await postgresParity(b, queries, after.score, before.score);
  const [a50, b50] = [median(everyday.after), median(everyday.before)];
  report.versus(`${b.queries.length} everyday queries: p50`, a50, "before", { name: BEFORE, value: b50 }, "ms", { text: "no slower than before (within 10%)", met: a50 <= 1.1 * b50 });
  report.versus(`${b.queries.length} everyday queries: p99`, percentile(everyday.after, 99), "before", { name: BEFORE, value: percentile(everyday.before, 99) }, "ms");
}

/**
 * The same query set on a PostgreSQL store holding the same registry: near words and title order
 * live in the index layer, so they must lift a PostgreSQL store as they lift SQLite.
 */
async function postgresParity(b: Bench, queries: readonly QualityQuery[], sqliteAfter: QualityScore, sqliteBefore: QualityScore): Promise<void> {
  const { openPostgresStore } = await import("../store/postgres/open.js");
  const { default: pg } = await import("pg");
  const schema = `fm_bench_${process.pid}`;
  const url = new URL(b.postgres!);
  url.searchParams.set("schema", schema);
  const store = await openPostgresStore(url.toString());
  try {
    await new FindingModelIndex(store, { cache: false }).sync(b.copy);
    const score = (options: { nearWords: boolean; titleOrder: boolean }) => {
      const index = tunedIndex(store, { cache: false, ...options });
      return scoreSearch(queries, async (q) => (await index.search(q, { limit: 10 })).map((e) => e.oifm_id));
    };
    const before = await score({ nearWords: false, titleOrder: false });
    const after = await score({ nearWords: true, titleOrder: true });
    b.report.versus("PostgreSQL store, after: recall@5", after.recallAt5, "before", { name: BEFORE, value: before.recallAt5 }, "share", undefined, `SQLite: ${sqliteAfter.recallAt5.toFixed(3)} (before ${sqliteBefore.recallAt5.toFixed(3)})`);
    b.report.versus("PostgreSQL store, after: MRR", after.mrr, "before", { name: BEFORE, value: before.mrr }, "share", undefined, `SQLite: ${sqliteAfter.mrr.toFixed(3)} (before ${sqliteBefore.mrr.toFixed(3)})`);
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: b.postgres });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
