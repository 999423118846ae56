// The in-memory any-term fill answers as SQLite's FTS5 any-term query does: the same models, in the
// same BM25 order (same tokens, weights and length normalization), on the registry.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWrittenQueries } from "../src/bench/eval/sets.js";
import { openIndex } from "../src/index/open-index.js";
import { AnyTermFill, tokensOf } from "../src/index/search/any-term-fill.js";
import { searchTerms } from "../src/index/search/terms.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-fill-"));
let store: Store;
const fill = new AnyTermFill();
const ids = new Set(readdirSync(DEFS).map((f) => (JSON.parse(readFileSync(DEFS + f, "utf8")) as { oifm_id: string }).oifm_id));
const queries = readWrittenQueries(fileURLToPath(new URL("../eval/written-queries.tsv", import.meta.url)), ids).map((q) => searchTerms(q.query)).filter((t) => t.length > 1);

beforeAll(async () => {
  cpSync(DEFS, path.join(work, "defs"), { recursive: true });
  const index = await openIndex({ db: path.join(work, "fill.db") });
  await index.sync(path.join(work, "defs"));
  store = index.store;
  for (let offset = 0; ; offset += 1000) {
    const page = await store.list(1000, offset);
    fill.add(page.items);
    if (page.items.length < 1000) break;
  }
  fill.finish();
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every-term results from the store, then the in-memory fill: what search() asks for. */
async function ours(terms: string[], limit: number, tags?: string[]): Promise<string[]> {
  const every = (await store.textSearch(terms, { limit, tags, everyTerm: true })).map((e) => e.oifm_id);
  return [...every, ...fill.best(terms, limit - every.length, new Set(every), tags?.map((t) => t.toLowerCase()))];
}

describe("the in-memory any-term fill", () => {
  it("tokenizes as FTS5's porter unicode61 remove_diacritics 2", () => {
    // What FTS5 itself makes of this text (fts5vocab).
    expect(tokensOf("Fractures of the Ribs, Œdème naïve café x-ray")).toEqual(["fractur", "of", "the", "rib", "œdeme", "naiv", "cafe", "x", "rai"]);
  });

  it("ranks the written queries as the store's any-term query does", async () => {
    let same = 0;
    for (const terms of queries) {
      const theirs = (await store.textSearch(terms, { limit: 10 })).map((e) => e.oifm_id);
      if ((await ours(terms, 10)).join() === theirs.join()) same++;
    }
    // Equal scores may break ties differently (model order here, row order there).
    expect(same).toBeGreaterThanOrEqual(Math.floor(queries.length * 0.99));
  });

  it("matches the last word as a prefix, keeps the tags filter and leaves out what it is told to skip", async () => {
    const terms = ["pulmonary", "nodu"];
    expect(await ours(terms, 10)).toEqual((await store.textSearch(terms, { limit: 10 })).map((e) => e.oifm_id));
    const tagged = await ours(["lung", "opacity"], 10, ["CT"]);
    expect(tagged).toEqual((await store.textSearch(["lung", "opacity"], { limit: 10, tags: ["CT"] })).map((e) => e.oifm_id));
    const first = fill.best(["cyst", "kidney"], 3, new Set());
    expect(fill.best(["cyst", "kidney"], 3, new Set([first[0]!]))).not.toContain(first[0]);
    expect(fill.best(["zzzz", "qqqq"], 10, new Set())).toEqual([]);
  });
});
