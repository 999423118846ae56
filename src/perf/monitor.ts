// Timing of named operations: count, total, mean, percentiles and throughput, for `--stats` and
// for a long-running server's metrics. Memory stays bounded: count, total, min and max are exact
// over every sample ever recorded, while percentiles come from the most recent `maxSamples`
// samples of each operation, kept in a ring buffer.
import { performance } from "node:perf_hooks";

/** What the monitor knows about one operation. Times are milliseconds. */
export interface OperationStats {
  /** Samples recorded since the last reset (exact). */
  count: number;
  /** Sum of all durations (exact). */
  totalMs: number;
  meanMs: number;
  /** Percentiles by nearest rank over the most recent samples (at most `maxSamples`). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Extremes over all samples (exact). */
  minMs: number;
  maxMs: number;
  /** Operations per second of time spent in the operation: count / (totalMs / 1000); 0 when no time was measured. */
  perSecond: number;
}

export interface PerformanceMonitorOptions {
  /** Recent samples kept per operation for percentiles (default 10,000). */
  maxSamples?: number;
}

export const DEFAULT_MAX_SAMPLES = 10_000;

class Series {
  count = 0;
  totalMs = 0;
  minMs = Infinity;
  maxMs = -Infinity;
  /** Grows up to the capacity, then `next` marks the oldest sample, which the next one overwrites. */
  readonly samples: number[] = [];
  next = 0;

  constructor(private readonly capacity: number) {}

  add(ms: number): void {
    this.count++;
    this.totalMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.samples.length < this.capacity) {
      this.samples.push(ms);
    } else {
      this.samples[this.next] = ms;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  stats(): OperationStats {
    const sorted = Float64Array.from(this.samples).sort();
    return {
      count: this.count,
      totalMs: this.totalMs,
      meanMs: this.count === 0 ? 0 : this.totalMs / this.count,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      minMs: this.count === 0 ? 0 : this.minMs,
      maxMs: this.count === 0 ? 0 : this.maxMs,
      perSecond: this.totalMs > 0 ? this.count / (this.totalMs / 1000) : 0,
    };
  }
}

/**
 * The nearest-rank percentile of ascending `sorted` samples: the smallest sample such that at
 * least p% of the samples are less than or equal to it. 0 for no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

export class PerformanceMonitor {
  private readonly series = new Map<string, Series>();
  readonly maxSamples: number;

  constructor(options: PerformanceMonitorOptions = {}) {
    const max = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxSamples must be a whole number of at least 1; got ${max}`);
    this.maxSamples = max;
  }

  /** Record one duration of `op` in milliseconds. */
  record(op: string, ms: number): void {
    let s = this.series.get(op);
    if (!s) this.series.set(op, (s = new Series(this.maxSamples)));
    s.add(ms);
  }

  /**
   * Run `fn` and record how long it took as one sample of `op`, also when it throws or its promise
   * rejects. A synchronous `fn` gives its result back synchronously; an async one, a promise that
   * settles once the time is recorded.
   */
  time<T>(op: string, fn: () => Promise<T>): Promise<T>;
  time<T>(op: string, fn: () => T): T;
  time<T>(op: string, fn: () => T | Promise<T>): T | Promise<T> {
    const start = performance.now();
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (error) {
      this.record(op, performance.now() - start);
      throw error;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).finally(() => this.record(op, performance.now() - start));
    }
    this.record(op, performance.now() - start);
    return result;
  }

  /** Statistics of every operation recorded since the last reset, in the order first seen. */
  stats(): Record<string, OperationStats> {
    const out: Record<string, OperationStats> = {};
    for (const [op, s] of this.series) out[op] = s.stats();
    return out;
  }

  /** Statistics of one operation, or undefined if it has no samples. */
  statsFor(op: string): OperationStats | undefined {
    return this.series.get(op)?.stats();
  }

  /** Forget everything. */
  reset(): void {
    this.series.clear();
  }

  /** A compact table for people (e.g. `--stats` on stderr); "" when nothing was recorded. */
  format(): string {
    const stats = this.stats();
    const ops = Object.keys(stats);
    if (ops.length === 0) return "";
    const header = ["operation", "count", "total", "mean", "p50", "p95", "p99", "min", "max", "ops/s"];
    const rows = ops.map((op) => {
      const s = stats[op]!;
      return [op, String(s.count), ms(s.totalMs), ms(s.meanMs), ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms), ms(s.minMs), ms(s.maxMs), rate(s.perSecond)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
  }
}

function isPromiseLike<T>(v: T | Promise<T>): v is Promise<T> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/** A duration for people: "0.042ms", "3.21ms", "412ms", "12.3s". */
function ms(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}s`;
  if (v >= 100) return `${v.toFixed(0)}ms`;
  if (v >= 1) return `${v.toFixed(2)}ms`;
  return `${v.toFixed(3)}ms`;
}

function rate(v: number): string {
  if (v >= 100) return v.toFixed(0);
  return v.toFixed(1);
}
