// The evaluation sets of eval/README.md: the written file is well formed, every expected model is
// in the registry, the halves follow the rule, and a malformed line is reported by number and reason.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { halfOf } from "../src/bench/eval/halves.js";
import { codeDisplayQueries, rankOf, readWrittenQueries, WRITTEN4_CATEGORIES, WRITTEN_CATEGORIES, type CodedModel } from "../src/bench/eval/sets.js";
import { DEFS, defFileNames } from "./corpus.js";

const WRITTEN = fileURLToPath(new URL("../eval/written-queries.tsv", import.meta.url));
const WRITTEN2 = fileURLToPath(new URL("../eval/written-queries-2.tsv", import.meta.url));
const WRITTEN3 = fileURLToPath(new URL("../eval/written-queries-3.tsv", import.meta.url));
const WRITTEN4 = fileURLToPath(new URL("../eval/written-queries-4.tsv", import.meta.url));
const INDEPENDENT = fileURLToPath(new URL("../eval/independent-queries.tsv", import.meta.url));
const models = defFileNames().map((f) => JSON.parse(readFileSync(DEFS + f, "utf8")) as CodedModel);
const ids = new Set(models.map((m) => m.oifm_id));
const work = mkdtempSync(path.join(tmpdir(), "fm-eval-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the written evaluation queries", () => {
  const queries = readWrittenQueries(WRITTEN, ids);

  it("has at least 300 queries, of every category, in both halves, each once", () => {
    expect(queries.length).toBeGreaterThanOrEqual(300);
    for (const c of WRITTEN_CATEGORIES) {
      for (const half of ["tune", "check"]) expect(queries.filter((q) => q.category === c && q.half === half).length).toBeGreaterThan(20);
    }
    expect(new Set(queries.map((q) => q.query.toLowerCase())).size).toBe(queries.length);
  });

  it("reports a malformed line by its number and reason", () => {
    const header = "half\tcategory\tquery\texpected\tnames";
    const file = path.join(work, "bad.tsv");
    const good = `${halfOf("small right PTX")}\tabbrev\tsmall right PTX\tOIFM_GMTS_023339\tpneumothorax`;
    writeFileSync(file, `# note\n${header}\n${good}\n${good.replace("\tabbrev", "\tslang")}\n`);
    expect(() => readWrittenQueries(file, ids)).toThrow(/bad\.tsv line 4: unknown category "slang"/);
    writeFileSync(file, `${header}\n${good.replace("OIFM_GMTS_023339", "OIFM_GMTS_999999")}\n`);
    expect(() => readWrittenQueries(file, ids)).toThrow(/line 2: no model OIFM_GMTS_999999 in the registry/);
    const other = halfOf("small right PTX") === "tune" ? "check" : "tune";
    writeFileSync(file, `${header}\n${good.replace(/^\w+/, other)}\n`);
    expect(() => readWrittenQueries(file, ids)).toThrow(/line 2: the half of "small right PTX" is/);
    writeFileSync(file, `${header}\nx\ty\n`);
    expect(() => readWrittenQueries(file, ids)).toThrow(/line 2: expected 5 tab-separated cells, got 2/);
  });
});

describe("the second written set (written2)", () => {
  const queries = readWrittenQueries(WRITTEN2, ids);
  const first = new Set(readWrittenQueries(WRITTEN, ids).map((q) => q.query.toLowerCase()));

  it("has at least 120 queries of every category, each once, none of them in the first set", () => {
    expect(queries.length).toBeGreaterThanOrEqual(120);
    for (const c of WRITTEN_CATEGORIES) expect(queries.filter((q) => q.category === c).length).toBeGreaterThanOrEqual(20);
    expect(new Set(queries.map((q) => q.query.toLowerCase())).size).toBe(queries.length);
    expect(queries.filter((q) => first.has(q.query.toLowerCase()))).toEqual([]);
  });
});

describe("the third written set (written3)", () => {
  const queries = readWrittenQueries(WRITTEN3, ids);
  const earlier = new Set([...readWrittenQueries(WRITTEN, ids), ...readWrittenQueries(WRITTEN2, ids)].map((q) => q.query.toLowerCase()));

  it("has at least 100 queries of every category, each once, none of them in the earlier sets", () => {
    expect(queries.length).toBeGreaterThanOrEqual(100);
    for (const c of WRITTEN_CATEGORIES) expect(queries.filter((q) => q.category === c).length).toBeGreaterThanOrEqual(10);
    expect(new Set(queries.map((q) => q.query.toLowerCase())).size).toBe(queries.length);
    expect(queries.filter((q) => earlier.has(q.query.toLowerCase()))).toEqual([]);
  });
});

describe("the independent set", () => {
  const queries = readWrittenQueries(INDEPENDENT, ids);
  const earlier = new Set([WRITTEN, WRITTEN2, WRITTEN3].flatMap((f) => readWrittenQueries(f, ids)).map((q) => q.query.toLowerCase()));

  it("has about 200 queries or more, every category in both halves, each once, none of them in the written sets", () => {
    expect(queries.length).toBeGreaterThanOrEqual(200);
    for (const c of WRITTEN_CATEGORIES) {
      for (const half of ["tune", "check"]) expect(queries.filter((q) => q.category === c && q.half === half).length).toBeGreaterThanOrEqual(10);
    }
    expect(new Set(queries.map((q) => q.query.toLowerCase())).size).toBe(queries.length);
    expect(queries.filter((q) => earlier.has(q.query.toLowerCase()))).toEqual([]);
  });
});

describe("the fourth written set (written4)", () => {
  const queries = readWrittenQueries(WRITTEN4, ids, WRITTEN4_CATEGORIES);
  const earlier = new Set([WRITTEN, WRITTEN2, WRITTEN3, INDEPENDENT].flatMap((f) => readWrittenQueries(f, ids)).map((q) => q.query.toLowerCase()));

  it("has about 260 queries, every category in both halves, each once, none of them in the other sets", () => {
    expect(queries.length).toBeGreaterThanOrEqual(250);
    for (const c of WRITTEN4_CATEGORIES) {
      for (const half of ["tune", "check"]) expect(queries.filter((q) => q.category === c && q.half === half).length).toBeGreaterThanOrEqual(8);
    }
    expect(queries.filter((q) => q.category === "meaning").length).toBeGreaterThanOrEqual(80);
    expect(queries.filter((q) => q.category === "coded").length).toBeGreaterThanOrEqual(80);
    expect(new Set(queries.map((q) => q.query.toLowerCase())).size).toBe(queries.length);
    expect(queries.filter((q) => earlier.has(q.query.toLowerCase()))).toEqual([]);
  });

  it("is the only set with coded queries: the earlier sets' reader refuses the category", () => {
    expect(() => readWrittenQueries(WRITTEN4, ids)).toThrow(/unknown category "coded"/);
  });
});

describe("the code-display queries", () => {
  it("are the model-level codes whose display is not a title, each with every model carrying it", () => {
    const queries = codeDisplayQueries(models);
    expect(queries.length).toBeGreaterThan(10);
    const brain = queries.find((q) => q.query === "brain")!;
    expect(brain.expected).toContain("OIFM_CDE_000116"); // Aging Brain
    for (const q of queries) {
      expect(q.half).toBe(halfOf(q.query));
      for (const id of q.expected) {
        const m = models.find((x) => x.oifm_id === id)!;
        expect(m.index_codes?.some((c) => c.display?.toLowerCase() === q.query)).toBe(true);
      }
      // At least one model carrying it has neither name nor synonym of that text.
      expect(q.expected.some((id) => {
        const m = models.find((x) => x.oifm_id === id)!;
        return ![m.name, ...(m.synonyms ?? [])].some((t) => t.toLowerCase() === q.query);
      })).toBe(true);
    }
  });

  it("rank the first right answer among the first 10", () => {
    expect(rankOf(["a", "b", "c"], ["c", "b"])).toBe(2);
    expect(rankOf(["a"], ["z"])).toBe(0);
  });
});
