// Search answers from data held in memory (the any-term fill, the titles of general models, the
// near-word list), and lookups by ID, name or synonym from it while it is current. When another
// connection (another process) changes the index, the next search reads that data again: no search
// or lookup answers from the index as it was before the change (past the change mark's bound), with
// the query cache off as well as on; after this connection's own write, at once.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-search-fresh-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let folders = 0;
function folderOf(names: readonly string[]): string {
  const dir = path.join(work, `f${++folders}`);
  mkdirSync(dir);
  for (const name of names) copyFileSync(DEFS + name, path.join(dir, name));
  return dir;
}

const OTHERS = ["cardiomegaly.fm.json", "atelectasis.fm.json", "lobar_atelectasis.fm.json"];
// No model holds both words, so the answer comes from the in-memory any-term fill and general
// models ("pneumothorax" is a whole name in the query).
const QUERY = "pneumothorax qwertyuiop";
// The search-cache bound (Store.changeMarkEveryMs of SQLite) and some room.
const BOUND_MS = 5 + 20;

describe.each([{ cache: "off" }, { cache: "on" }])("search after another connection syncs (query cache $cache)", ({ cache }) => {
  it("finds a model the other connection added, and not one it removed", async () => {
    const db = path.join(work, `${++folders}.db`);
    const writer = await openIndex({ db, cache: false });
    const reader = await openIndex({ db, readonly: true, ...(cache === "off" ? { cache: false } : {}) });
    try {
      expect((await writer.sync(folderOf(OTHERS))).added).toBe(3);
      // The reader's in-memory data is read now, without pneumothorax.
      expect((await reader.search(QUERY)).map((e) => e.name)).not.toContain("pneumothorax");
      expect(await reader.get("collapsed lung")).toBeUndefined();

      expect((await writer.sync(folderOf([...OTHERS, "pneumothorax.fm.json"]))).added).toBe(1);
      await sleep(BOUND_MS);
      expect((await reader.search(QUERY))[0]?.name).toBe("pneumothorax");
      expect((await reader.searchBatch([QUERY])).get(QUERY)?.[0]?.name).toBe("pneumothorax");
      expect((await reader.get("collapsed lung"))?.name).toBe("pneumothorax");

      expect((await writer.sync(folderOf(OTHERS))).removed).toBe(1);
      await sleep(BOUND_MS);
      expect(await reader.get("PNEUMOTHORAX")).toBeUndefined();
      expect((await reader.search(QUERY)).map((e) => e.name)).not.toContain("pneumothorax");
      expect(await reader.get("collapsed lung")).toBeUndefined();
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe.each([{ cache: "off" }, { cache: "on" }])("lookups after this connection's own writes (query cache $cache)", ({ cache }) => {
  it("find a model it added, and not one it removed, at once", async () => {
    const db = path.join(work, `${++folders}.db`);
    const index = await openIndex({ db, ...(cache === "off" ? { cache: false } : {}) });
    try {
      const dir = folderOf([...OTHERS, "pneumothorax.fm.json"]);
      expect((await index.sync(dir)).added).toBe(4);
      // Search's data is held now, with pneumothorax.
      expect((await index.search(QUERY))[0]?.name).toBe("pneumothorax");
      expect((await index.get("collapsed lung"))?.name).toBe("pneumothorax");

      expect(await index.remove("pneumothorax")).toBe(true);
      expect(await index.get("collapsed lung")).toBeUndefined();
      expect((await index.search(QUERY)).map((e) => e.name)).not.toContain("pneumothorax");
      expect(await index.get("collapsed lung")).toBeUndefined();

      expect(await index.addOrUpdateFromFile(path.join(dir, "pneumothorax.fm.json"))).toBe("added");
      expect((await index.get("collapsed lung"))?.name).toBe("pneumothorax");
      expect((await index.search(QUERY))[0]?.name).toBe("pneumothorax");
      expect((await index.get("Collapsed Lung"))?.name).toBe("pneumothorax");
    } finally {
      await index.close();
    }
  });
});
