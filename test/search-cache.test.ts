// The query cache never keeps an answer older than the last write: search and searchBatch both
// store results only when no sync landed while they were read from the store.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-search-cache-"));
let folders = 0;

/** A folder holding copies of these registry files. */
function folderOf(...names: string[]): string {
  const dir = path.join(work, `f${++folders}`);
  mkdirSync(dir);
  for (const name of names) copyFileSync(DEFS + name, path.join(dir, name));
  return dir;
}

/**
 * The store, with `between` run once after the first call of `method` has read its answer and
 * before that answer reaches the index: a write that lands between the read and the cache write.
 */
function withWriteAfter(store: Store, method: keyof Store, between: () => Promise<unknown>): Store {
  let armed = true;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (armed) {
          armed = false;
          await between();
        }
        return answer;
      };
    },
  });
}

async function indexWithWriteDuring(method: keyof Store): Promise<{ index: FindingModelIndex; before: string; after: string }> {
  const before = folderOf("cardiomegaly.fm.json");
  const after = folderOf("cardiomegaly.fm.json", "pneumothorax.fm.json");
  const store = await openSqliteStore(path.join(work, `${++folders}.db`));
  let index: FindingModelIndex | undefined;
  let syncing = false;
  const watched = withWriteAfter(store, method, async () => {
    syncing = true;
    expect((await index!.sync(after)).added).toBe(1);
  });
  index = new FindingModelIndex(watched);
  expect((await index.sync(before)).added).toBe(1);
  expect(syncing).toBe(false);
  return { index, before, after };
}

describe("query cache and a sync that lands during a read", () => {
  it("searchBatch does not cache the answer it read before the sync", async () => {
    const { index } = await indexWithWriteDuring("list");
    try {
      // Read before pneumothorax was indexed: the batch itself answers what the store said then.
      const batch = await index.searchBatch(["pneumothorax"]);
      expect(batch.get("pneumothorax")!.map((e) => e.name)).toEqual([]);
      // After it: every later read sees the model, from search and from searchBatch.
      expect((await index.search("pneumothorax")).map((e) => e.name)).toEqual(["pneumothorax"]);
      expect((await index.searchBatch(["pneumothorax"])).get("pneumothorax")!.map((e) => e.name)).toEqual(["pneumothorax"]);
    } finally {
      await index.close();
    }
  });

  it("search does not cache the answer it read before the sync", async () => {
    const { index } = await indexWithWriteDuring("list");
    try {
      expect((await index.search("pneumothorax")).map((e) => e.name)).toEqual([]);
      expect((await index.searchBatch(["pneumothorax"])).get("pneumothorax")!.map((e) => e.name)).toEqual(["pneumothorax"]);
      expect((await index.search("pneumothorax")).map((e) => e.name)).toEqual(["pneumothorax"]);
    } finally {
      await index.close();
    }
  });
});

describe("the query cache's key", () => {
  it("files a search under one key whatever the case of its words and the case and order of its tags", async () => {
    const store = await openSqliteStore(path.join(work, `${++folders}.db`));
    const index = new FindingModelIndex(store);
    try {
      expect((await index.sync(folderOf("cardiomegaly.fm.json", "pneumothorax.fm.json"))).added).toBe(2);
      const first = await index.search("Pneumothorax", { tags: ["CT", "chest"] });
      expect(first.map((e) => e.name)).toEqual(["pneumothorax"]);
      // The very same answer object: served from the cache, not searched again.
      expect(await index.search("pneumothorax", { tags: ["Chest", "ct"] })).toBe(first);
      expect(await index.search("pneumothorax", { tags: ["chest", "CT", "chest"] })).toBe(first);
      expect(await index.search("pneumothorax", { tags: ["chest"] })).not.toBe(first);
    } finally {
      await index.close();
    }
  });
});
