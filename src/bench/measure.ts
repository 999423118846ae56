// Running things several times and summarizing: medians, percentiles, whole-process timings, and
// in-process comparisons of two ways of doing the same work, run in turn so that a noisy machine
// disturbs both alike.
import { spawnSync } from "node:child_process";

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface ProcessRun {
  ms: number;
  /** Peak resident memory of the process, in MB. */
  peakMb: number;
  /** CPU time of the process (user + system, all threads), in ms. */
  cpuMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

// Printed by the measured process itself as it exits: its peak memory (ru_maxrss) and CPU time.
const EXIT_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nPEAK_RSS_KB "+u.maxRSS+" CPU_US "+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

/** Run `node <args>` as a whole process; wall time from spawn to exit, its peak memory and CPU time. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): ProcessRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--import", EXIT_HOOK, ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  const hook = /PEAK_RSS_KB (\d+) CPU_US (\d+)/.exec(r.stderr ?? "");
  return {
    ms,
    peakMb: hook ? Number(hook[1]) / 1024 : NaN,
    cpuMs: hook ? Number(hook[2]) / 1000 : NaN,
    status: r.status,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
  };
}

export interface ProcessTiming {
  /** Median wall time. */
  ms: number;
  /** Worst peak memory over the runs, MB. */
  peakMb: number;
  /** Median CPU time, ms. */
  cpuMs: number;
  all: number[];
  /** Standard output of the last run. */
  stdout: string;
}

/** Median wall time (and worst peak memory) of `runs` whole-process runs, each after `before`. */
export function timeProcess(runs: number, args: () => readonly string[], before?: () => void, env?: NodeJS.ProcessEnv): ProcessTiming {
  const times: number[] = [];
  const cpu: number[] = [];
  let peakMb = 0;
  let stdout = "";
  for (let i = 0; i < runs; i++) {
    before?.();
    const r = runNode(args(), env);
    if (r.status !== 0 && r.status !== 1) throw new Error(`benchmark run failed (exit ${r.status}): node ${args().join(" ").slice(0, 300)}\n${r.stderr}`);
    times.push(r.ms);
    cpu.push(r.cpuMs);
    peakMb = Math.max(peakMb, r.peakMb);
    stdout = r.stdout;
  }
  return { ms: median(times), peakMb, cpuMs: median(cpu), all: times, stdout };
}

/**
 * Two whole processes timed in turn, `runs` times each (`before` runs ahead of each, untimed):
 * on a shared machine the load drifts over seconds, and runs taken in turn see the same drift,
 * where a block of runs of one beside a later block of the other would not.
 */
export function timeProcessPair(runs: number, ours: { args: () => readonly string[]; before?: () => void }, floor: { args: () => readonly string[]; before?: () => void }): { ours: ProcessTiming; floor: ProcessTiming } {
  const o: ProcessTiming[] = [];
  const f: ProcessTiming[] = [];
  for (let i = 0; i < runs; i++) {
    // Which goes first alternates, so neither always follows the other's cache and heat.
    if (i % 2 === 0) {
      o.push(timeProcess(1, ours.args, ours.before));
      f.push(timeProcess(1, floor.args, floor.before));
    } else {
      f.push(timeProcess(1, floor.args, floor.before));
      o.push(timeProcess(1, ours.args, ours.before));
    }
  }
  return { ours: mergeTimings(o), floor: mergeTimings(f) };
}

function mergeTimings(list: ProcessTiming[]): ProcessTiming {
  const all = list.flatMap((t) => t.all);
  return { ms: median(all), peakMb: Math.max(...list.map((t) => t.peakMb)), cpuMs: median(list.map((t) => t.cpuMs)), all, stdout: list.at(-1)?.stdout ?? "" };
}

/** One timed piece of work: `setup` and `teardown` run around it, untimed. */
export interface Trial<S = unknown> {
  setup?: () => S | Promise<S>;
  run: (state: S) => unknown;
  teardown?: (state: S) => unknown;
}

/** Milliseconds `trial.run` takes once. */
export async function timeTrial<S>(trial: Trial<S>): Promise<number> {
  const state = (await trial.setup?.()) as S;
  const started = performance.now();
  try {
    await trial.run(state);
    return performance.now() - started;
  } finally {
    await trial.teardown?.(state);
  }
}

/**
 * Median times of two ways of doing the same work, in this process: one untimed warm-up each, then
 * `runs` rounds, each running both, which one goes first alternating.
 */
export async function compare(runs: number, a: Trial<any>, b: Trial<any>): Promise<{ a: number; b: number; ratio: number }> {
  await timeTrial(a);
  await timeTrial(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ta.push(await timeTrial(a));
      tb.push(await timeTrial(b));
    } else {
      tb.push(await timeTrial(b));
      ta.push(await timeTrial(a));
    }
  }
  const ma = median(ta);
  const mb = median(tb);
  return { a: ma, b: mb, ratio: ma / mb };
}

/** Per-call times of `fn` over `items`, `rounds` times over (after one untimed round). */
export async function perCall<T>(items: readonly T[], rounds: number, fn: (item: T) => unknown): Promise<number[]> {
  for (const item of items) await fn(item);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const t = performance.now();
      await fn(item);
      times.push(performance.now() - t);
    }
  }
  return times;
}
