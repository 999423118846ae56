// Two shortcuts that must not change answers, tested by what they do (the bench measures their
// speed): a sync reads again a file whose size or modification time changed, and trusts one
// whose size and time are both as indexed; the query cache answers a repeated read without
// asking the store, until a write.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-change-"));
let n = 0;

/** A folder with copies of pneumothorax and cardiomegaly, and an index of it. */
async function indexedFolder(): Promise<{ dir: string; file: string; index: FindingModelIndex; store: Store }> {
  const dir = path.join(work, `f${++n}`);
  mkdirSync(dir);
  for (const name of ["pneumothorax.fm.json", "cardiomegaly.fm.json"]) copyFileSync(DEFS + name, path.join(dir, name));
  const store = await openSqliteStore(path.join(work, `${n}.db`));
  const index = new FindingModelIndex(store);
  expect((await index.sync(dir)).added).toBe(2);
  return { dir, file: path.join(dir, "pneumothorax.fm.json"), index, store };
}

/** The file's text with one letter of its description changed: the same size, other bytes. */
function sameSizeEdit(file: string): string {
  const text = readFileSync(file, "utf8");
  const model = JSON.parse(text) as { description: string };
  const edited = text.replace(model.description, "X" + model.description.slice(1));
  expect(edited).not.toBe(text);
  expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
  return edited;
}

const description = async (index: FindingModelIndex) => (await index.getFull((await index.get("pneumothorax"))!.oifm_id))!.description;

describe("change detection by size and modification time", () => {
  it("reads again a file whose modification time changed but whose size did not", async () => {
    const { file, dir, index } = await indexedFolder();
    try {
      const before = statSync(file);
      writeFileSync(file, sameSizeEdit(file));
      utimesSync(file, before.atime, new Date(before.mtimeMs + 5_000));
      expect(statSync(file).size).toBe(before.size);
      const report = await index.sync(dir);
      expect(report).toMatchObject({ added: 0, updated: 1, unchanged: 1, removed: 0 });
      expect(await description(index)).toMatch(/^X/);
    } finally {
      await index.close();
    }
  });

  it("trusts a file whose size and modification time are as indexed, without reading it", async () => {
    const { file, dir, index } = await indexedFolder();
    try {
      // A whole second, which every file system stores exactly, as the indexed time.
      const second = Math.floor(Date.now() / 1000) - 60;
      utimesSync(file, second, second);
      await index.sync(dir);
      const before = statSync(file);
      writeFileSync(file, sameSizeEdit(file));
      utimesSync(file, second, second);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
      // The edit is not seen: that is the shortcut (a file edited within the same time stamp
      // and to the same size is taken as unchanged).
      expect(await index.sync(dir)).toMatchObject({ added: 0, updated: 0, unchanged: 2, removed: 0 });
      expect(await description(index)).not.toMatch(/^X/);
    } finally {
      await index.close();
    }
  });
});

/** The store, counting the calls of each method. */
function counting(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe("query cache", () => {
  it("answers a repeated read without a store call, and asks the store again after a write", async () => {
    const { dir, index: plain } = await indexedFolder();
    const { store, calls } = counting(plain.store);
    const index = new FindingModelIndex(store);
    try {
      const reads = async () => ({
        search: await index.search("pneumothorax"),
        batch: [...(await index.searchBatch(["cardiomegaly", "enlarged heart"]))],
        get: await index.get("cardiomegaly"),
        count: await index.count(),
        list: await index.list({ limit: 10 }),
        tags: await index.tags(),
        slug: await index.searchBySlug("pneumo"),
      });
      const first = await reads();
      expect(first.search[0]!.name).toBe("pneumothorax");
      expect(first.count).toBe(2);
      // Store calls other than the cheap look at whether another process wrote (changeMark).
      const storeCalls = () => [...calls].filter(([name]) => name !== "changeMark").reduce((a, [, n]) => a + n, 0);
      const asked = storeCalls();
      expect(asked).toBeGreaterThan(0);
      // The same reads again: the same answers, and not one store call.
      expect(await reads()).toEqual(first);
      expect(storeCalls()).toBe(asked);
      // A write clears the cache: the next read asks the store.
      writeFileSync(path.join(dir, "pneumothorax.fm.json"), sameSizeEdit(path.join(dir, "pneumothorax.fm.json")));
      utimesSync(path.join(dir, "pneumothorax.fm.json"), new Date(), new Date(Date.now() + 10_000));
      expect((await index.sync(dir)).updated).toBe(1);
      const afterSync = storeCalls();
      expect(await index.count()).toBe(2);
      expect(calls.get("count")).toBe(2);
      expect(storeCalls()).toBe(afterSync + 1);
    } finally {
      await index.close();
    }
  });
});
