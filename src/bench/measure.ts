// Running things several times and summarizing: medians, percentiles, whole-process timings.
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
  status: number | null;
  stdout: string;
  stderr: string;
}

// Printed by the measured process itself as it exits: its peak memory (ru_maxrss).
const PEAK_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nPEAK_RSS_KB "+process.resourceUsage().maxRSS+"\\n"))`;

/** Run `node <args>` as a whole process; wall time from spawn to exit, and its peak memory. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): ProcessRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--import", PEAK_HOOK, ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  const peak = /PEAK_RSS_KB (\d+)/.exec(r.stderr ?? "");
  return { ms, peakMb: peak ? Number(peak[1]) / 1024 : NaN, status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Median wall time (and worst peak memory) of `runs` whole-process runs, each after `before`. */
export function timeProcess(runs: number, args: () => readonly string[], before?: () => void, env?: NodeJS.ProcessEnv): { ms: number; peakMb: number; all: number[] } {
  const times: number[] = [];
  let peakMb = 0;
  for (let i = 0; i < runs; i++) {
    before?.();
    const r = runNode(args(), env);
    if (r.status !== 0 && r.status !== 1) throw new Error(`benchmark run failed (exit ${r.status}): node ${args().join(" ")}\n${r.stderr}`);
    times.push(r.ms);
    peakMb = Math.max(peakMb, r.peakMb);
  }
  return { ms: median(times), peakMb, all: times };
}
