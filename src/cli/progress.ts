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

export async function fileProgress(json: boolean | undefined): Promise<FileProgress> {
  if (json || !process.stderr.isTTY) return { stop: () => {} };
  // The bar's library is loaded only on a terminal (a few ms of every command otherwise).
  const { SingleBar } = await import("cli-progress");
  const bar = new SingleBar({ format: "reading {bar} {value}/{total} files", hideCursor: true });
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started && total >= PROGRESS_FROM) {
        bar.start(total, 0);
        started = true;
      }
      if (started) bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
