// IndexOptions.staleSearchMs (what `serve` sets): after another connection changes the index,
// searches answer from the index as it was while the search data of the changed index is read
// (without waiting for it), then from the changed index, within the bound; never a mix. Without it,
// the first search after the change waits for the new data (test/search-freshness.test.ts).
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-stale-search-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// No model holds both words: the answer comes from the in-memory data alone.
const QUERY = "pneumothorax qwertyuiop";
const STALE_MS = 1000;

describe.each([{ cache: "off" }, { cache: "on" }])("searches after another connection's sync, with staleSearchMs (query cache $cache)", ({ cache }) => {
  it("answer from the index as it was until its new search data is read, then from the synced index", async () => {
    const dir = path.join(work, `defs-${cache}`);
    cpSync(DEFS, dir, { recursive: true });
    const pneumothorax = path.join(dir, "pneumothorax.fm.json");
    const held = path.join(work, `pneumothorax-${cache}.json`);
    cpSync(pneumothorax, held);
    rmSync(pneumothorax);
    const db = path.join(work, `${cache}.db`);
    const writer = await openIndex({ db, cache: false });
    const reader = await openIndex({ db, readonly: true, staleSearchMs: STALE_MS, ...(cache === "off" ? { cache: false } : {}) });
    try {
      await writer.sync(dir);
      expect((await reader.search(QUERY)).map((e) => e.name)).not.toContain("pneumothorax");

      cpSync(held, pneumothorax);
      expect((await writer.sync(dir)).added).toBe(1);
      await sleep(10); // past the change mark's bound: the reader sees the change
      const changedAt = performance.now();
      // The new data of thousands of models is read a page at a time: the first search after the
      // change does not wait for it, and answers from the index as it was.
      expect((await reader.search(QUERY)).map((e) => e.name)).not.toContain("pneumothorax");
      let first: string | undefined;
      while ((first = (await reader.search(QUERY))[0]?.name) !== "pneumothorax" && performance.now() - changedAt < STALE_MS + 500) await sleep(5);
      expect(first).toBe("pneumothorax");
      // Whatever the query cache held from the data as it was is gone too.
      expect((await reader.searchBatch([QUERY])).get(QUERY)?.[0]?.name).toBe("pneumothorax");
      expect((await reader.get("pneumothorax"))?.name).toBe("pneumothorax");
    } finally {
      await reader.close();
      await writer.close();
    }
  }, 60_000);
});
