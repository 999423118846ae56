// A sync on a thread of its own, with its own connection to the index, so that the thread that
// asked keeps answering reads while it runs: a server's POST /api/sync. Scanning, reading,
// checking and writing thousands of files takes the better part of a second of CPU, and
// better-sqlite3 writes synchronously; on the server's thread every request would wait for it.
// Readers on the other connection see the index as it was until the sync commits (SQLite's WAL,
// PostgreSQL's transaction), then as it is after: never a mix.
import { Worker } from "node:worker_threads";
import { CodedError, codeOf } from "../model/errors.js";
import { StoreError, type OpenElsewhere } from "../store/store.js";
import type { SyncOptions, SyncReport } from "./sync.js";

/** What crosses to the thread: plain data only (the callbacks are answered by messages). */
export interface SyncThreadInput {
  /** The index, as the caller's store says another thread opens it. */
  where: OpenElsewhere;
  dir: string;
  options: Pick<SyncOptions, "skipInvalid" | "strictSynonyms" | "threads">;
  /** Whether to send progress (only when the caller asked for it). */
  progress: boolean;
}

export type ThrownError = { code: string | undefined; store: boolean; name: string; message: string };
export type SyncThreadMessage = { progress: [number, number] } | { wait: number } | { report: SyncReport } | { error: ThrownError };

// Compiled, the thread is the .js file beside this one; run from TypeScript source (tests through
// vitest) there is none, and the sync runs on the calling thread.
const THREAD_URL = import.meta.url.endsWith(".js") ? new URL("./sync-thread.js", import.meta.url) : undefined;

/** Whether syncs can run on a thread here (compiled code). */
export function syncThreadAvailable(): boolean {
  return THREAD_URL !== undefined;
}

/**
 * Sync the index `where` (a SQLite file, or a PostgreSQL schema) from `dir` on a thread of its own, with `options`
 * (its callbacks called here as the thread reports). A confirmRemoval question cannot be asked
 * from the thread: a sync that needs one runs on the caller's thread (see FindingModelIndex.sync).
 */
export function syncOnThread(where: OpenElsewhere, dir: string, options: SyncOptions): Promise<SyncReport> {
  const input: SyncThreadInput = {
    where,
    dir,
    options: { skipInvalid: options.skipInvalid, strictSynonyms: options.strictSynonyms, threads: options.threads },
    progress: options.onProgress !== undefined,
  };
  return new Promise<SyncReport>((resolve, reject) => {
    const worker = new Worker(THREAD_URL!, { workerData: input });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on("message", (m: SyncThreadMessage) => {
      if ("progress" in m) options.onProgress?.(...m.progress);
      else if ("wait" in m) options.onWait?.(m.wait);
      else if ("report" in m) settle(() => resolve(m.report));
      else settle(() => reject(revive(m.error)));
    });
    worker.once("error", (e) => settle(() => reject(e)));
    worker.once("exit", (code) => settle(() => reject(new Error(`the sync's thread stopped unexpectedly (exit code ${code})`))));
  });
}

/** An error thrown on the thread, as plain data (a class does not cross threads). */
export function describeThrown(e: unknown): ThrownError {
  return { code: codeOf(e), store: e instanceof StoreError, name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) };
}

/** The thread's error as the caller's thread would have seen it: its code (what every layer decides by), name and message. */
function revive(e: ThrownError): Error {
  const error = e.code === undefined ? new Error(e.message) : e.store ? new StoreError(e.code as StoreError["code"], e.message) : new CodedError(e.code as CodedError["code"], e.message);
  error.name = e.name;
  return error;
}
