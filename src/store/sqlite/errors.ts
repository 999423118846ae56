// SQLite's errors in words a user can act on, as StoreErrors.
import { accessSync, closeSync, constants, openSync, readSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../store.js";
import { APPLICATION_ID } from "./schema.js";

export interface ErrorContext {
  /** The database file as the user named it. */
  file: string;
  busyTimeoutMs: number;
}

/** `e` as a StoreError (a StoreError passes through; anything not from SQLite is rethrown as is). */
export function toStoreError(e: unknown, ctx: ErrorContext): unknown {
  if (e instanceof StoreError) return e;
  if (!(e instanceof Database.SqliteError)) return e;
  const code = e.code;
  const { file } = ctx;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StoreError(
      "locked",
      `${file} is locked: another program is writing to it and did not finish within ${formatMs(ctx.busyTimeoutMs)}; ` +
        "try again when it has finished",
    );
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return new StoreError("readonly", `${file} cannot be written (${e.message}); check the permissions of the file and its folder, or point --db elsewhere`);
  }
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return unreadable(file, e);
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new StoreError("constraint", `the change clashes with data in ${file}: ${e.message}`);
  }
  if (code.startsWith("SQLITE_CANTOPEN")) return cantOpen(file, e);
  if (code === "SQLITE_FULL") return new StoreError("other", `${file} cannot grow: the disk is full`);
  return new StoreError("other", `database error in ${file}: ${e.message} (${code})`);
}

function cantOpen(file: string, e: Error): StoreError {
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, constants.F_OK);
  } catch {
    return new StoreError("other", `cannot open ${file}: the folder ${dir} does not exist`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return new StoreError("readonly", `cannot open ${file}: the folder ${dir} is read-only (SQLite needs to create files beside the database); point --db elsewhere`);
  }
  return new StoreError("other", `cannot open ${file} (${e.message})`);
}

/**
 * A file SQLite cannot read. Only one whose header says it is a findingmodel index may be suggested
 * for removal (an index is rebuilt by a sync); any other file is someone else's, and left alone.
 */
function unreadable(file: string, e: Error): StoreError {
  const kind = fileKind(file);
  if (kind === "index") {
    return new StoreError("corrupt", `${file} is a findingmodel index that is damaged (${e.message}); rebuild it: remove ${file} and run findingmodel index sync again, or point --db elsewhere`);
  }
  const what = kind === "sqlite" ? "a SQLite database that cannot be read" : "not a SQLite database";
  return new StoreError("corrupt", `${file} is not a findingmodel index (it is ${what}); findingmodel leaves it untouched: point --db at the index file, or at a new file to create one`);
}

// A SQLite file starts with this; the application ID is the big-endian number at byte 68.
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const APPLICATION_ID_OFFSET = 68;

function fileKind(file: string): "index" | "sqlite" | "other" {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = Buffer.alloc(APPLICATION_ID_OFFSET + 4);
    const read = readSync(fd, head, 0, head.length, 0);
    if (read < SQLITE_HEADER.length || !head.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return "other";
    return read === head.length && head.readUInt32BE(APPLICATION_ID_OFFSET) === APPLICATION_ID ? "index" : "sqlite";
  } catch {
    return "other";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** What a reader is told while a first sync writes the index (see SqliteStore.rollbackJournal). */
export function buildingError(file: string): StoreError {
  return new StoreError("building", `the index at ${file} is being built: a sync is writing it for the first time, and it can be read once that sync has finished; ask again in a moment`);
}

// Bytes 18 and 19 of a SQLite file: its write and read format, 1 on a rollback journal, 2 in WAL mode.
const FORMAT_OFFSET = 18;

/**
 * Whether the file at `file` is a SQLite database on a rollback journal. Of the indexes, only a
 * new one is: it turns to WAL after its first sync (open.ts). A file that cannot be read, or is
 * not (yet) a database, counts as not (SQLite then says why).
 */
export function onRollbackJournal(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = Buffer.alloc(FORMAT_OFFSET + 2);
    const read = readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER) && head[FORMAT_OFFSET] === 1;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
