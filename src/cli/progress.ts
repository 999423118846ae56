// A progress bar of files read, on stderr, only where a person watches it: never with --json,
// never when stderr is piped or redirected, and only for enough files that it would not just flash.

/** Below this many files to read, a progress bar would only flash. */
const PROGRESS_FROM = 500;

export interface FileProgress {
  /** For ProcessRun.onProgress / CheckOptions.onProgress; undefined when no bar is shown. */
  onProgress?: (done: number, total: number) => void;
  /** Take the bar off the terminal (call in `finally`). */
  stop(): void;
}

/** What a bar counts: files read (the default), or e.g. models given vectors, each slower, so shown from fewer. */
export interface ProgressWork {
  verb: string;
  unit: string;
  from: number;
}

const READING: ProgressWork = { verb: "reading", unit: "files", from: PROGRESS_FROM };

export async function fileProgress(json: boolean | undefined, work: ProgressWork = READING): Promise<FileProgress> {
  if (json || !process.stderr.isTTY) return { stop: () => {} };
  // The bar's library is loaded only on a terminal (a few ms of every command otherwise).
  const { SingleBar } = await import("cli-progress");
  // Files done of all, how fast, and how long until done (cli-progress works out the time left).
  const bar = new SingleBar({ format: `${work.verb} {bar} {value}/{total} ${work.unit} | {rate} ${work.unit}/s | {eta_formatted} left`, hideCursor: true, etaBuffer: 100 });
  let started = 0;
  return {
    onProgress: (done, total) => {
      if (!started && total >= work.from) {
        started = performance.now();
        bar.start(total, 0, { rate: "…" });
      }
      if (started) bar.update(done, { rate: Math.round(done / Math.max((performance.now() - started) / 1000, 0.001)) });
    },
    stop: () => {
      if (started) bar.stop();
      started = 0;
    },
  };
}
