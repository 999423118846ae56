// The writer thread of a first sync (see write-on-thread.ts): a connection of its own to the index
// file, one transaction, and each part written as it arrives while the main thread reads and checks
// the next files. Messages in: { part } ..., then { end: true } (commit) or { abort: true }
// (roll back). Message out, once, after the connection is closed: { ok: true } or { error }.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { StoreError } from "../store.js";
import { checkEmpty, finishAllNew, pruneContributors, writePart } from "./apply.js";
import { RemovedContributors } from "../rows.js";
import { applyConnectionSettings } from "./settings.js";
import { prepareStatements, type Statements } from "./statements.js";
import { IN_FLIGHT, WRITER_FAILED, type WriterInput, type WriterMessage, type WriterResult, type ThrownError } from "./write-on-thread.js";

const input = workerData as WriterInput;
const flags = new Int32Array(input.flags);
let db: Database.Database | undefined;
let s: Statements | undefined;
let failure: ThrownError | undefined;
/** Contributors of the models the parts removed (see pruneContributors). */
const gone = new RemovedContributors();

/** Remember the first error, roll back, and tell the main thread to stop sending parts. */
function fail(e: unknown): void {
  failure ??= describeThrown(e);
  try {
    if (db?.inTransaction) db.exec("ROLLBACK");
  } catch {
    // The connection is closed next; SQLite rolls back what it could not.
  }
  Atomics.store(flags, WRITER_FAILED, 1);
  Atomics.notify(flags, IN_FLIGHT);
}

try {
  db = new Database(input.location, { fileMustExist: true, timeout: input.busyTimeoutMs });
  applyConnectionSettings(db, true);
  s = prepareStatements(db);
  // As the main thread's transaction would: wait for the write lock before reading any data.
  db.exec("BEGIN IMMEDIATE");
  checkEmpty(s, input.location);
} catch (e) {
  fail(e);
}

parentPort!.on("message", (m: WriterMessage) => {
  if ("part" in m) {
    if (!failure) {
      try {
        writePart(s!, m.part, true, "batched", gone);
      } catch (e) {
        fail(e);
      }
    }
    Atomics.sub(flags, IN_FLIGHT, 1);
    Atomics.notify(flags, IN_FLIGHT);
    return;
  }
  if (!failure) {
    try {
      if ("end" in m) {
        pruneContributors(s!, gone);
        finishAllNew(s!);
        db!.exec("COMMIT");
      } else {
        db!.exec("ROLLBACK");
      }
    } catch (e) {
      // A failed COMMIT is the sync's failure; a failed ROLLBACK (the main thread's own error is
      // what the caller gets) leaves the closing below to roll back.
      if ("end" in m) fail(e);
    }
  }
  try {
    db?.close();
  } catch {
    // Committed or rolled back already: closing cannot change what was written.
  }
  const result: WriterResult = failure ? { error: failure } : { ok: true };
  parentPort!.postMessage(result);
  parentPort!.close();
});

function describeThrown(e: unknown): ThrownError {
  if (e instanceof StoreError) return { kind: "store", code: e.code, name: e.name, message: e.message };
  if (e instanceof Database.SqliteError) return { kind: "sqlite", code: e.code, name: e.name, message: e.message };
  return { kind: "other", code: "", name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) };
}
