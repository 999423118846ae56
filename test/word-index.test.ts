// The in-memory word index answers as SQLite's FTS5 queries do: every-term and any-term, the same
// models in the same BM25 order (same tokens, weights and length normalization), on the registry.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWrittenQueries } from "../src/bench/eval/sets.js";
import { openIndex } from "../src/index/open-index.js";
import { WordIndex, tokensOf } from "../src/index/search/word-index.js";
import { searchTerms } from "../src/index/search/terms.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-fill-"));
let store: Store;
const words = new WordIndex();
const ids = new Set(readdirSync(DEFS).map((f) => (JSON.parse(readFileSync(DEFS + f, "utf8")) as { oifm_id: string }).oifm_id));
const queries = readWrittenQueries(fileURLToPath(new URL("../eval/written-queries.tsv", import.meta.url)), ids).map((q) => searchTerms(q.query)).filter((t) => t.length > 1);

beforeAll(async () => {
  cpSync(DEFS, path.join(work, "defs"), { recursive: true });
  const index = await openIndex({ db: path.join(work, "fill.db") });
  await index.sync(path.join(work, "defs"));
  store = index.store;
  for (let offset = 0; ; offset += 1000) {
    const page = await store.list(1000, offset);
    words.add(page.items);
    if (page.items.length < 1000) break;
  }
  words.finish();
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every-term results, then the any-term fill, from memory: what the store's textSearch answers. */
function ours(terms: string[], limit: number, tags?: string[]): string[] {
  const lower = tags?.map((t) => t.toLowerCase());
  const every = words.every(terms, limit, new Set(), lower).map((d) => words.id(d));
  return [...every, ...words.any(terms, limit - every.length, new Set(every), lower).map((d) => words.id(d))];
}

const best = (terms: string[], limit: number, skip: Set<string>) => words.any(terms, limit, skip).map((d) => words.id(d));

describe("the in-memory word index", () => {
  it("tokenizes as FTS5's porter unicode61 remove_diacritics 2", () => {
    // What FTS5 itself makes of this text (fts5vocab).
    expect(tokensOf("Fractures of the Ribs, Œdème naïve café x-ray")).toEqual(["fractur", "of", "the", "rib", "œdeme", "naiv", "cafe", "x", "rai"]);
  });

  it("ranks the written queries as the store's every-term and any-term queries do", async () => {
    let same = 0;
    let sameEvery = 0;
    for (const terms of queries) {
      const theirs = (await store.textSearch(terms, { limit: 10 })).map((e) => e.oifm_id);
      if (ours(terms, 10).join() === theirs.join()) same++;
      const every = (await store.textSearch(terms.slice(0, 2), { limit: 10, everyTerm: true })).map((e) => e.oifm_id);
      const docs = words.every(terms.slice(0, 2), 10, new Set());
      if (docs.map((d) => words.id(d)).join() === every.join()) sameEvery++;
    }
    expect(sameEvery).toBeGreaterThanOrEqual(Math.floor(queries.length * 0.99));
    // Equal scores may break ties differently (model order here, row order there).
    expect(same).toBeGreaterThanOrEqual(Math.floor(queries.length * 0.99));
  });

  it("matches the last word as a prefix, keeps the tags filter and leaves out what it is told to skip", async () => {
    const terms = ["pulmonary", "nodu"];
    expect(ours(terms, 10)).toEqual((await store.textSearch(terms, { limit: 10 })).map((e) => e.oifm_id));
    expect(ours(["effusion"], 10)).toEqual((await store.textSearch(["effusion"], { limit: 10 })).map((e) => e.oifm_id));
    const tagged = ours(["lung", "opacity"], 10, ["CT"]);
    expect(tagged).toEqual((await store.textSearch(["lung", "opacity"], { limit: 10, tags: ["CT"] })).map((e) => e.oifm_id));
    const first = best(["cyst", "kidney"], 3, new Set());
    expect(best(["cyst", "kidney"], 3, new Set([first[0]!]))).not.toContain(first[0]);
    expect(best(["zzzz", "qqqq"], 10, new Set())).toEqual([]);
    expect(words.every(["pneumothorax", "zzzz"], 10, new Set())).toEqual([]);
  });
});
