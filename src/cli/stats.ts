// `--stats` on any command: one monitor for the whole run, printed to stderr at the end.
import { PerformanceMonitor } from "../perf/monitor.js";

export const cliMonitor = new PerformanceMonitor();

export function statsRequested(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--stats");
}
