// A first sync's writes on a thread of their own. better-sqlite3 is synchronous, so on one thread a
// first sync reads and checks a file, then writes it, in turn; with a writer thread (its own
// connection to the file, one transaction) the main thread reads and checks the next files while
// the last ones are written, on the machine's second core.
//
// All or nothing as on one thread: the writer rolls back on any error, or when the main thread
// stops (an error reading, or a failing file: the RollBack of first-sync.ts). Readers see nothing
// until the writer commits. The main thread waits when it is more than a few parts ahead (shared
// counter, Atomics.waitAsync), so that parts do not pile up in memory when writing is the slower
// side. A writer that fails, or dies, stops the main thread from sending more.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { StoreError, type ChangeParts, type SyncChanges } from "../store.js";

/** Slots of the shared flags. */
export const IN_FLIGHT = 0;
export const WRITER_FAILED = 1;

/** Parts sent and not yet written before the main thread waits. */
const MAX_IN_FLIGHT = 4;

export interface WriterInput {
  /** The index file (absolute path). */
  location: string;
  busyTimeoutMs: number;
  /** Int32 slots IN_FLIGHT and WRITER_FAILED. */
  flags: SharedArrayBuffer;
}

export type WriterMessage = { part: SyncChanges } | { end: true } | { abort: true };
export type ThrownError = { kind: "store" | "sqlite" | "other"; code: string; name: string; message: string };
export type WriterResult = { ok: true } | { error: ThrownError };

// Compiled, the writer is the .js file beside this one; run from TypeScript source (tests through
// vitest) there is none, and the store writes on the main thread as without a writer.
const WRITER_URL = import.meta.url.endsWith(".js") ? new URL("./writer-thread.js", import.meta.url) : undefined;

/**
 * Whether a first sync of `models` models is written on a thread of its own: where there is one to
 * write it (compiled code) and a second core to run it, for changes large enough to repay starting
 * it: for a small sync the writer starts while the main thread works, and the main thread then
 * waits for its last parts, so it costs more than it saves (docs/performance.md, "Figures behind
 * the code").
 */
export const WRITER_THREAD_FROM = 1_000;

export function writerThreadPays(models: number): boolean {
  return WRITER_URL !== undefined && models >= WRITER_THREAD_FROM && availableParallelism() > 1;
}

/** Threads started by writeOnThread in this process (tests use it to know the thread was used). */
export let writerThreadsStarted = 0;

// Atomics.waitAsync (Node 16+) is not in the ES2023 library types.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Write `changes` (all new models) into the file at `location` on a writer thread, in one transaction. */
export async function writeOnThread(changes: ChangeParts, location: string, busyTimeoutMs: number): Promise<void> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const input: WriterInput = { location, busyTimeoutMs, flags: flags.buffer as SharedArrayBuffer };
  const worker = new Worker(WRITER_URL!, { workerData: input });
  writerThreadsStarted++;
  const result = new Promise<WriterResult>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the index's writer thread stopped unexpectedly (exit code ${code})`)));
  });
  // Settled when the writer has answered, failed to start, or died: then no part is worth sending.
  let ended = false;
  const end = result.then(
    () => void (ended = true),
    () => void (ended = true),
  );
  const writerStopped = () => ended || Atomics.load(flags, WRITER_FAILED) === 1;
  let thrown: { error: unknown } | undefined;
  try {
    for (const part of changes.parts) {
      if (writerStopped()) break;
      // Ahead of the writer by MAX_IN_FLIGHT parts: wait for it to take one, without blocking the
      // event loop, so that a writer that dies (its "exit" event) ends the wait too.
      for (let n = Atomics.load(flags, IN_FLIGHT); n >= MAX_IN_FLIGHT && !writerStopped(); n = Atomics.load(flags, IN_FLIGHT)) {
        const wait = waitAsync(flags, IN_FLIGHT, n);
        if (wait.async) await Promise.race([wait.value, end]);
      }
      if (writerStopped()) break;
      Atomics.add(flags, IN_FLIGHT, 1);
      worker.postMessage({ part: plain(part) } satisfies WriterMessage);
    }
    worker.postMessage({ end: true } satisfies WriterMessage);
  } catch (e) {
    thrown = { error: e };
    worker.postMessage({ abort: true } satisfies WriterMessage);
  }
  const outcome = await result;
  if ("error" in outcome) throw revive(outcome.error);
  if (thrown) throw thrown.error;
}

/**
 * A part as the writer will see it: a message carries an object's own properties only, so a
 * record whose model JSON comes from a getter (index/held-json.ts) gets it as a property of a copy.
 */
function plain(part: SyncChanges): SyncChanges {
  if (part.upserts.every((r) => Object.hasOwn(r, "modelJson"))) return part;
  return { ...part, upserts: part.upserts.map((r) => (Object.hasOwn(r, "modelJson") ? r : { ...r, modelJson: r.modelJson })) };
}

/** The writer's error as the store's own code would have thrown it (its class, name and message). */
function revive(e: ThrownError): Error {
  if (e.kind === "store") return new StoreError(e.code as StoreError["code"], e.message);
  if (e.kind === "sqlite") return new Database.SqliteError(e.message, e.code);
  const error = e.name === "TypeError" ? new TypeError(e.message) : e.name === "RangeError" ? new RangeError(e.message) : new Error(e.message);
  if (error.name !== e.name) error.name = e.name;
  return error;
}
