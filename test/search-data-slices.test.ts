// With staleSearchMs (what `serve` sets), the search data of a changed index is made a few
// milliseconds at a time while the data as it was answers: the near-word tables and the titles of
// general models too, which are otherwise made in one go by the first search that needs them
// (150-370 ms for the registry, every request of a server waiting meanwhile). Measured with a
// timer-lag probe: the longest stretch the thread was held, from the read after another
// connection's sync to the first searches that need near words and general models. Made ahead or
// on first use, or added to the near-word table of an earlier read, the tables answer the same.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { Vocabulary } from "../src/index/search/near-words.js";
import { Slices } from "../src/index/search/slices.js";
import { TitleIndex } from "../src/index/title-index.js";
import type { IndexEntry } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-search-slices-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * CPU time of this thread, in ms: from /proc on Linux (in clock ticks of 10 ms, this thread alone,
 * not the collector's helper threads), else this process's.
 */
function threadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  }
}

/**
 * The longest stretch the thread was held between two ticks of a 1 ms timer, counted by this
 * thread's CPU time in it when that is less than the wall time: a moment the machine gave the CPU
 * to other work is not a stretch held by this thread.
 */
function lagProbe(): { stop: () => { longestMs: number; ticks: number } } {
  let last = performance.now();
  let lastCpu = threadCpuMs();
  let longestMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs();
    const held = Math.min(now - last, cpu - lastCpu);
    if (held > longestMs) longestMs = held;
    ticks++;
    last = now;
    lastCpu = cpu;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return { longestMs, ticks };
    },
  };
}

/**
 * Above a slice (4 ms) with its page's read (~3 ms) and this thread's share of the young-generation
 * collections of the data read (10-17 ms measured, in 10 ms ticks), below counting the words of
 * every entry in one go, as the first search that needs near words did (40-60 ms measured on the
 * loaded 2-core machine; the near-word table of the last read is added to either way).
 */
const LONGEST_MS = 30;

describe("search data of a changed index, with staleSearchMs", () => {
  it("is made a slice at a time, near-word tables and titles of general models included", async () => {
    const dir = path.join(work, "defs");
    cpSync(DEFS, dir, { recursive: true });
    const db = path.join(work, "index.db");
    const writer = await openIndex({ db, cache: false });
    const reader = await openIndex({ db, readonly: true, cache: false, staleSearchMs: 1000 });
    try {
      await writer.sync(dir);
      // Held, with every table made once (warming up the code that makes them).
      expect((await reader.search("pneumothorx"))[0]?.name).toBe("pneumothorax");
      expect((await reader.search("segmental pulmonary emboli"))[0]).toBeDefined();

      // Another connection's sync changes a model: the reader reads the search data again.
      const file = path.join(dir, "pneumothorax.fm.json");
      writeFileSync(file, readFileSync(file, "utf8").replace(/"description": "/, '"description": "Changed. '));
      expect((await writer.sync(dir)).updated).toBe(1);
      await sleep(10); // past the change mark's bound

      const probe = lagProbe();
      await reader.search("pulmonary nodule"); // sees the change, answers from the data as it was
      await reader.lookNow(); // the data of the synced index read
      // The first searches of the synced index that need near words and general models.
      const nearWord = await reader.search("pneumothorx");
      const general = await reader.search("segmental pulmonary emboli");
      await sleep(20); // the probe's next ticks, after the searches
      const { longestMs, ticks } = probe.stop();

      expect(nearWord[0]?.description).toMatch(/^Changed\. /);
      expect(general[0]).toBeDefined();
      expect(ticks).toBeGreaterThan(10);
      expect(longestMs).toBeLessThan(LONGEST_MS);
    } finally {
      await reader.close();
      await writer.close();
    }
  }, 60_000);
});

describe("near-word tables and titles of general models", () => {
  it("answer the same made ahead in slices, on first use, or added to an earlier read's table", async () => {
    const index = await openIndex({ db: path.join(work, "index.db"), readonly: true, cache: false });
    const entries: IndexEntry[] = [];
    try {
      for (let offset = 0; ; offset += 500) {
        const page = await index.list({ limit: 500, offset });
        entries.push(...page.items);
        if (page.items.length < 500) break;
      }
    } finally {
      await index.close();
    }
    expect(entries.length).toBe(2382);

    const lazy = new Vocabulary(entries);
    const ahead = new Vocabulary(entries);
    const slices = new Slices(1);
    await ahead.prepare(slices);
    const words = [...new Set(entries.flatMap((e) => e.name.toLowerCase().split(/[^a-z]+/)))];
    const typed = words.flatMap((w) => [w, w.slice(1), w.slice(0, -1) + "x", w.slice(0, 2) + w.slice(3)]);
    expect(ahead.size).toBe(lazy.size);
    for (const w of typed) {
      expect(ahead.count(w)).toBe(lazy.count(w));
      expect(ahead.near(w)).toEqual(lazy.near(w));
    }

    // A table shared with an earlier read holding more words (models since removed) answers the same.
    const fewer = entries.filter((_, i) => i % 3 !== 0);
    const table = ahead.shareTable();
    expect(table).toBeDefined();
    const shared = new Vocabulary(fewer, table);
    await shared.prepare(new Slices(1));
    const fresh = new Vocabulary(fewer);
    for (const w of typed) expect(shared.near(w)).toEqual(fresh.near(w));

    const lazyTitles = new TitleIndex(new Set(["left", "small"]));
    const aheadTitles = new TitleIndex(new Set(["left", "small"]));
    lazyTitles.add(entries);
    aheadTitles.add(entries);
    await aheadTitles.prepare(new Slices(1));
    for (const e of entries.slice(0, 600)) {
      const terms = [...e.name.toLowerCase().split(/[^a-z]+/).filter(Boolean), "left", "small"];
      expect(aheadTitles.contained(terms)).toEqual(lazyTitles.contained(terms));
    }
  }, 60_000);
});
