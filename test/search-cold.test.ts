// A program that searches once does not wait for the whole index to be read into memory: before the
// search data is held, a search whose answer needs only the exact-match and every-word queries is
// answered by the store, with the same answer as from memory; one that needs more (the any-term
// fill, general models, near words) reads the data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openIndex } from "../src/index/open-index.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-search-cold-"));
const db = path.join(work, "index.db");
let store: Store;

beforeAll(async () => {
  const writer = await openIndex({ db });
  await writer.sync(DEFS);
  await writer.close();
  store = await openSqliteStore(db, { readonly: true });
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

/** A new index on the store (nothing held in memory), and how many pages of entries it has read. */
function coldIndex(): { index: FindingModelIndex; pages: () => number } {
  let pages = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop !== "list") return value.bind(target);
      return (...args: unknown[]) => {
        pages++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { index: new FindingModelIndex(counted, { cache: false }), pages: () => pages };
}

const names = (entries: ReadonlyArray<{ name: string }>) => entries.map((e) => e.name);

describe("the first search of a new index", () => {
  it("is answered by the store when it needs only exact matches and every-word results, as from memory", async () => {
    const warm = new FindingModelIndex(store, { cache: false });
    await warm.search("lung nodles"); // reads the search data
    for (const query of ["pneumothorax", "pleural effusion", "fracture", "PTX"]) {
      const { index, pages } = coldIndex();
      const answer = await index.search(query, { limit: 5 });
      expect(pages(), query).toBe(0);
      expect(names(answer), query).toEqual(names(await warm.search(query, { limit: 5 })));
      expect(answer.length).toBeGreaterThan(0);
    }
  });

  it("reads the search data when the answer needs the any-term fill or near words", async () => {
    // "adrenal nodule": one exact match, and no other model with both words: the fill.
    for (const query of ["spiculated left upper lobe mass", "lung nodles", "adrenal nodule"]) {
      const { index, pages } = coldIndex();
      await index.search(query);
      expect(pages(), query).toBeGreaterThan(0);
    }
  });
});
