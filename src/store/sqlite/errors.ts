// SQLite's errors in words a user can act on, as StoreErrors.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../store.js";

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
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new StoreError("corrupt", `${file} is not a findingmodel database or is damaged (${e.message}); remove it or point --db elsewhere`);
  }
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

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
