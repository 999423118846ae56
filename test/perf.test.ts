import { describe, expect, it } from "vitest";
import { PerformanceMonitor, percentile } from "../src/perf/monitor.js";
import { QueryCache, cacheKey } from "../src/perf/query-cache.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise and the means to settle it from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("PerformanceMonitor", () => {
  it("computes count, total, mean, nearest-rank percentiles, extremes and throughput", () => {
    const monitor = new PerformanceMonitor();
    // 1..100 in a scrambled order: percentiles must not depend on the order of recording.
    for (let i = 0; i < 100; i++) monitor.record("lookup", ((i * 37) % 100) + 1);
    const s = monitor.statsFor("lookup")!;
    expect(s.count).toBe(100);
    expect(s.totalMs).toBe(5050);
    expect(s.meanMs).toBe(50.5);
    expect(s.p50Ms).toBe(50);
    expect(s.p95Ms).toBe(95);
    expect(s.p99Ms).toBe(99);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(100);
    expect(s.perSecond).toBeCloseTo(100 / 5.05, 10);
  });

  it("uses nearest rank: the smallest sample with at least p% of samples at or below it", () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    const m = new PerformanceMonitor();
    for (const v of [10, 20, 30]) m.record("op", v);
    expect(m.statsFor("op")).toMatchObject({ p50Ms: 20, p95Ms: 30, p99Ms: 30 });
  });

  it("keeps memory bounded: percentiles over the most recent samples, count and total exact", () => {
    const monitor = new PerformanceMonitor({ maxSamples: 10 });
    for (let i = 1; i <= 1000; i++) monitor.record("op", i);
    const s = monitor.statsFor("op")!;
    expect(s.count).toBe(1000);
    expect(s.totalMs).toBe(500_500);
    expect(s.meanMs).toBe(500.5);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(1000);
    // Only 991..1000 are kept.
    expect(s.p50Ms).toBe(995);
    expect(s.p99Ms).toBe(1000);
    const series = (monitor as unknown as { series: Map<string, { samples: number[] }> }).series.get("op")!;
    expect(series.samples.length).toBe(10);
  });

  it("overwrites the oldest sample once the ring buffer is full", () => {
    const monitor = new PerformanceMonitor({ maxSamples: 3 });
    for (const v of [100, 1, 2, 3]) monitor.record("op", v);
    const s = monitor.statsFor("op")!;
    expect(s.maxMs).toBe(100); // exact over all samples
    expect(s.p99Ms).toBe(3); // 100 has left the window
    monitor.record("op", 50); // replaces 1
    expect(monitor.statsFor("op")!.p50Ms).toBe(3);
  });

  it("rejects a nonsensical sample bound", () => {
    expect(() => new PerformanceMonitor({ maxSamples: 0 })).toThrow(RangeError);
  });

  it("time() records synchronous and asynchronous work and gives back the result", async () => {
    const monitor = new PerformanceMonitor();
    expect(monitor.time("sync", () => 42)).toBe(42);
    const value = await monitor.time("async", async () => {
      await sleep(20);
      return "done";
    });
    expect(value).toBe("done");
    expect(monitor.statsFor("sync")!.count).toBe(1);
    const async = monitor.statsFor("async")!;
    expect(async.count).toBe(1);
    expect(async.totalMs).toBeGreaterThanOrEqual(15);
  });

  it("time() records even when the function throws or its promise rejects", async () => {
    const monitor = new PerformanceMonitor();
    expect(() =>
      monitor.time("sync", () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    await expect(
      monitor.time("async", async () => {
        await sleep(1);
        throw new Error("later");
      }),
    ).rejects.toThrow("later");
    expect(monitor.statsFor("sync")!.count).toBe(1);
    expect(monitor.statsFor("async")!.count).toBe(1);
  });

  it("lists operations, resets, and formats a compact table", () => {
    const monitor = new PerformanceMonitor();
    expect(monitor.format()).toBe("");
    monitor.record("validate", 1.5);
    monitor.record("validate", 2.5);
    monitor.record("write index", 120);
    expect(Object.keys(monitor.stats())).toEqual(["validate", "write index"]);
    const table = monitor.format().split("\n");
    expect(table).toHaveLength(3);
    expect(table[0]).toMatch(/^operation\s+count\s+total\s+mean\s+p50\s+p95\s+p99\s+min\s+max\s+ops\/s$/);
    expect(table[1]).toMatch(/^validate\s+2\s+4\.00ms\s+2\.00ms/);
    expect(table[2]).toMatch(/^write index\s+1\s+120ms/);
    monitor.reset();
    expect(monitor.stats()).toEqual({});
    expect(monitor.statsFor("validate")).toBeUndefined();
  });
});

describe("QueryCache", () => {
  it("counts hits and misses", () => {
    const cache = new QueryCache<number>({ max: 10 });
    expect(cache.get("a")).toBeUndefined();
    cache.set("a", 1);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("a")).toBe(1);
    expect(cache.hits).toBe(2);
    expect(cache.misses).toBe(1);
    cache.resetCounters();
    expect([cache.hits, cache.misses]).toEqual([0, 0]);
  });

  it("caches null and undefined results too", async () => {
    const cache = new QueryCache<string | null | undefined>({ max: 10 });
    let calls = 0;
    const compute = async () => {
      calls++;
      return null;
    };
    expect(await cache.getOrCompute("missing", compute)).toBeNull();
    expect(await cache.getOrCompute("missing", compute)).toBeNull();
    expect(calls).toBe(1);
    cache.set("u", undefined);
    expect(cache.has("u")).toBe(true);
  });

  it("evicts the least recently used entry beyond max", () => {
    const cache = new QueryCache<number>({ max: 2 });
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a"); // a is now more recent than b
    cache.set("c", 3);
    expect(cache.has("a")).toBe(true);
    expect(cache.has("b")).toBe(false);
    expect(cache.has("c")).toBe(true);
    expect(cache.size).toBe(2);
  });

  it("expires entries after the TTL", async () => {
    const cache = new QueryCache<string>({ max: 10, ttlMs: 30 });
    cache.set("k", "v");
    expect(cache.get("k")).toBe("v");
    await sleep(80);
    expect(cache.get("k")).toBeUndefined();
    let calls = 0;
    expect(await cache.getOrCompute("k", async () => `v${++calls}`)).toBe("v1");
    expect(await cache.getOrCompute("k", async () => `v${++calls}`)).toBe("v1");
    await sleep(80);
    expect(await cache.getOrCompute("k", async () => `v${++calls}`)).toBe("v2");
  });

  it("invalidate() clears everything", async () => {
    const cache = new QueryCache<number>({ max: 10 });
    cache.set("a", 1);
    await cache.getOrCompute("b", async () => 2);
    const generation = cache.generation;
    cache.invalidate();
    expect(cache.generation).toBe(generation + 1);
    expect(cache.size).toBe(0);
    expect(cache.get("a")).toBeUndefined();
    expect(await cache.getOrCompute("b", async () => 3)).toBe(3);
  });

  it("getOrCompute computes once and then answers from the cache", async () => {
    const cache = new QueryCache<number>({ max: 10 });
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.getOrCompute("k", compute)).toBe(1);
    expect(await cache.getOrCompute("k", compute)).toBe(1);
    expect(calls).toBe(1);
    expect(cache.misses).toBe(1);
    expect(cache.hits).toBe(1);
  });

  it("concurrent callers for the same key share one computation", async () => {
    const cache = new QueryCache<string>({ max: 10 });
    const gate = deferred<string>();
    let calls = 0;
    const compute = () => {
      calls++;
      return gate.promise;
    };
    const first = cache.getOrCompute("k", compute);
    const second = cache.getOrCompute("k", compute);
    const other = cache.getOrCompute("other", async () => "x");
    expect(calls).toBe(1);
    gate.resolve("shared");
    expect(await Promise.all([first, second, other])).toEqual(["shared", "shared", "x"]);
    expect(cache.get("k")).toBe("shared");
    expect(calls).toBe(1);
  });

  it("a computation running during invalidate() does not repopulate the cache", async () => {
    const cache = new QueryCache<string>({ max: 10 });
    const stale = deferred<string>();
    const before = cache.getOrCompute("k", () => stale.promise);
    cache.invalidate(); // e.g. the index was written while the query ran
    // A caller after the write does not join the stale computation: it starts a fresh one.
    const fresh = deferred<string>();
    let freshCalls = 0;
    const after = cache.getOrCompute("k", () => {
      freshCalls++;
      return fresh.promise;
    });
    expect(freshCalls).toBe(1);
    stale.resolve("old data");
    expect(await before).toBe("old data"); // its own caller still gets an answer
    expect(cache.has("k")).toBe(false); // but it is not cached
    fresh.resolve("new data");
    expect(await after).toBe("new data");
    expect(cache.get("k")).toBe("new data");
  });

  it("a stale computation finishing after a fresh one does not overwrite it", async () => {
    const cache = new QueryCache<string>({ max: 10 });
    const stale = deferred<string>();
    const before = cache.getOrCompute("k", () => stale.promise);
    cache.invalidate();
    expect(await cache.getOrCompute("k", async () => "new")).toBe("new");
    stale.resolve("old");
    await before;
    expect(cache.get("k")).toBe("new");
  });

  it("a failed computation caches nothing; all sharers see the error; the next call retries", async () => {
    const cache = new QueryCache<number>({ max: 10 });
    const gate = deferred<number>();
    const a = cache.getOrCompute("k", () => gate.promise);
    const b = cache.getOrCompute("k", () => gate.promise);
    gate.reject(new Error("database unreachable"));
    await expect(a).rejects.toThrow("database unreachable");
    await expect(b).rejects.toThrow("database unreachable");
    expect(cache.has("k")).toBe(false);
    expect(await cache.getOrCompute("k", async () => 7)).toBe(7);
    // A compute function that throws synchronously gives a rejected promise, not a throw.
    const thrower = () => {
      throw new Error("sync");
    };
    await expect(cache.getOrCompute("t", thrower as () => Promise<number>)).rejects.toThrow("sync");
    expect(await cache.getOrCompute("t", async () => 8)).toBe(8);
  });

  it("rejects a nonsensical configuration", () => {
    expect(() => new QueryCache({ max: 0 })).toThrow(RangeError);
    expect(() => new QueryCache({ max: 10, ttlMs: -1 })).toThrow(RangeError);
  });
});

describe("cacheKey", () => {
  it("is stable under object key order", () => {
    expect(cacheKey("search", { q: "cyst", limit: 10, tags: ["CT"] })).toBe(cacheKey("search", { tags: ["CT"], limit: 10, q: "cyst" }));
    expect(cacheKey({ a: { y: 1, x: 2 } })).toBe(cacheKey({ a: { x: 2, y: 1 } }));
  });

  it("tells different queries apart", () => {
    expect(cacheKey("a,b")).not.toBe(cacheKey("a", "b"));
    expect(cacheKey("search", "cyst", 10)).not.toBe(cacheKey("search", "cyst", 20));
    expect(cacheKey(1)).not.toBe(cacheKey("1"));
    expect(cacheKey(["a", "b"])).not.toBe(cacheKey(["b", "a"]));
  });

  it("handles absent parts and big integers", () => {
    expect(cacheKey("x", undefined)).toBe('["x",null]');
    expect(cacheKey({ a: 1, b: undefined })).toBe(cacheKey({ a: 1 }));
    expect(cacheKey(10n)).toBe('["10n"]');
  });
});
