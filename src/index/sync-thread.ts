// The thread of a sync run off the main thread (see sync-on-thread.ts): its own connection to the
// index file, the whole sync (scan, read, check, write) here, then the report, or the error as the
// main thread re-throws it. Messages out: { progress } and { wait } while it runs, then once
// { report } or { error }.
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { openTunedSqliteStore } from "../store/sqlite/open.js";
import { syncFolder } from "./sync.js";
import { describeThrown, type SyncThreadInput, type SyncThreadMessage } from "./sync-on-thread.js";

const input = workerData as SyncThreadInput;
/** The sync thread's nice value (0 normal, 19 lowest priority). */
const SYNC_NICENESS = 10;
// On Linux a thread's nice value is its own (elsewhere it is the process's, which must keep its
// own): the sync gives the CPU to the thread that answers requests whenever both want it, so
// answers keep coming while it runs; the threads it starts inherit it.
if (process.platform === "linux") {
  try {
    setPriority(SYNC_NICENESS);
  } catch {
    // Not allowed here: the sync runs at the priority of the rest.
  }
}
const post = (message: SyncThreadMessage) => parentPort!.postMessage(message);

try {
  const where = input.where;
  const store =
    "sqlite" in where
      ? await openTunedSqliteStore(where.sqlite, { busyTimeoutMs: where.busyTimeoutMs, writerThread: where.writerThread, onWait: (ms) => post({ wait: ms }) })
      : await (await import("../store/postgres/open.js")).openPostgresStore(where.postgres, where.poolOptions);
  try {
    const report = await syncFolder(store, input.dir, {
      ...input.options,
      onProgress: input.progress ? (done, total) => post({ progress: [done, total] }) : undefined,
      onWait: (ms) => post({ wait: ms }),
    });
    post({ report });
  } finally {
    await store.close();
  }
} catch (e) {
  post({ error: describeThrown(e) });
}
