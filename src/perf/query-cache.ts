// A cache of query results over lru-cache (least recently used eviction and TTL built in).
//
// Rules:
// - Concurrent getOrCompute calls for the same key share one computation.
// - invalidate() clears everything, and a computation that started before it never stores its
//   result afterwards: every write to the index calls invalidate(), and a result computed from
//   the index as it was before the write must not outlive it. A generation counter, bumped by
//   invalidate(), tells the two apart.
// - A failed computation stores nothing; every caller sharing it gets the error.
// - Any value can be cached, undefined and null included (they are boxed, since lru-cache
//   treats undefined as "not there").
import { LRUCache } from "lru-cache";

export interface QueryCacheOptions {
  /** Most entries kept; the least recently used goes first. */
  max: number;
  /** How long an entry stays fresh, in milliseconds; 0 or absent: until evicted or invalidated. */
  ttlMs?: number;
}

interface Box<V> {
  value: V;
}

interface InFlight<V> {
  generation: number;
  promise: Promise<V>;
}

export class QueryCache<V> {
  private readonly lru: LRUCache<string, Box<V>>;
  private readonly inFlight = new Map<string, InFlight<V>>();
  private generationCount = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(options: QueryCacheOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError(`max must be a whole number of at least 1; got ${options.max}`);
    const ttl = options.ttlMs ?? 0;
    if (!(ttl >= 0) || !Number.isFinite(ttl)) throw new RangeError(`ttlMs must be a number of milliseconds, 0 or more; got ${options.ttlMs}`);
    this.lru = new LRUCache<string, Box<V>>(ttl > 0 ? { max: options.max, ttl } : { max: options.max });
  }

  /** Lookups answered from the cache (or by joining a computation already running). */
  get hits(): number {
    return this.hitCount;
  }

  /** Lookups that found nothing (get) or had to start a computation (getOrCompute). */
  get misses(): number {
    return this.missCount;
  }

  /** Entries currently held (expired entries may count until they are next looked at). */
  get size(): number {
    return this.lru.size;
  }

  /** Bumped by every invalidate(). */
  get generation(): number {
    return this.generationCount;
  }

  /** The cached value of `key`, or undefined if absent or expired (counted as a hit or a miss). */
  get(key: string): V | undefined {
    const box = this.lru.get(key);
    if (box) this.hitCount++;
    else this.missCount++;
    return box?.value;
  }

  /** Whether `key` has a fresh entry (not counted, does not refresh its recency). */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  set(key: string, value: V): void {
    this.lru.set(key, { value });
  }

  /**
   * Store `value` under `key` only if invalidate() has not been called since `generation` was read:
   * a result computed from the index before a write must not be served after it. Returns whether it
   * was stored.
   */
  setIfCurrent(key: string, value: V, generation: number): boolean {
    if (generation !== this.generationCount) return false;
    this.lru.set(key, { value });
    return true;
  }

  /**
   * The cached value of `key`, else the result of `compute`, stored unless invalidate() was called
   * while it ran. Callers asking for a key whose computation is running share it.
   */
  getOrCompute(key: string, compute: () => Promise<V>): Promise<V> {
    const box = this.lru.get(key);
    if (box) {
      this.hitCount++;
      return Promise.resolve(box.value);
    }
    const running = this.inFlight.get(key);
    if (running && running.generation === this.generationCount) {
      this.hitCount++;
      return running.promise;
    }
    this.missCount++;
    const generation = this.generationCount;
    let started: Promise<V>;
    try {
      started = Promise.resolve(compute());
    } catch (error) {
      started = Promise.reject(error);
    }
    // The callbacks run after `promise` is assigned: a then-callback never runs synchronously.
    const promise: Promise<V> = started.then(
      (value) => {
        this.setIfCurrent(key, value, generation);
        this.settled(key, promise);
        return value;
      },
      (error: unknown) => {
        this.settled(key, promise);
        throw error;
      },
    );
    this.inFlight.set(key, { generation, promise });
    return promise;
  }

  private settled(key: string, promise: Promise<V>): void {
    if (this.inFlight.get(key)?.promise === promise) this.inFlight.delete(key);
  }

  /** Forget every entry; computations already running will not store their results. */
  invalidate(): void {
    this.generationCount++;
    this.lru.clear();
    this.inFlight.clear();
  }

  /** Zero the hit and miss counters. */
  resetCounters(): void {
    this.hitCount = 0;
    this.missCount = 0;
  }
}

/**
 * A stable cache key of the parts of a query: their JSON, with the keys of plain objects sorted so
 * `{a, b}` and `{b, a}` give the same key. Undefined object fields are left out, as JSON does.
 */
export function cacheKey(...parts: unknown[]): string {
  return JSON.stringify(parts, (_key, value: unknown) => {
    if (typeof value === "bigint") return `${value}n`;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) sorted[k] = (value as Record<string, unknown>)[k];
    return sorted;
  });
}
