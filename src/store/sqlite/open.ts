// Opening the embedded index: one SQLite file, created, migrated or refused as schema.ts decides.
import { closeSync, openSync, readSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { StoreError, type Store } from "../store.js";
import type { WriteMode } from "./apply.js";
import { buildingError, onRollbackJournal, toStoreError, type ErrorContext } from "./errors.js";
import { applyConnectionSettings } from "./settings.js";
import { checkSchema, migrate, PAGE_SIZE, readSchemaState, SCHEMA_VERSION } from "./schema.js";
import { SqliteStore } from "./sqlite-store.js";

export interface SqliteOpenOptions {
  /** Open for reading only: nothing is created, migrated or written. */
  readonly?: boolean;
  /** How long to wait for another connection's write lock before failing with "locked" (default 5000 ms). */
  busyTimeoutMs?: number;
}

/**
 * Switches for the benchmark and tests, each giving the same index: not part of the public API
 * (reached through index/internal.ts).
 */
export interface SqliteTuning {
  /**
   * "batched" (default): the rows hanging off each change's models go in one statement per table;
   * "per-row": one statement call per row, the straightforward way. Only for measuring (see apply.ts).
   */
  writeMode?: WriteMode;
  /** Called with the SQL text of every statement the connection runs (to count round trips); better-sqlite3's `verbose`. */
  onStatement?: (sql: string) => void;
  /** Called while an open for writing waits for another program's first sync of the new file (milliseconds waited so far). */
  onWait?: (waitedMs: number) => void;
  /**
   * Whether a first sync of many models writes on a thread of its own while the next files are
   * read (see write-on-thread.ts). Default: FINDINGMODEL_WRITER_THREAD ("0" turns it off), else on
   * where it pays. Same result either way.
   */
  writerThread?: boolean;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Open (creating if need be) the index in `file`; ":memory:" for a private in-memory index. Opened
 * for writing while another program's first sync holds the new file, it waits for that sync to
 * finish (as long as it runs, calling `onWait` each time it looks again); opened read-only, it
 * fails at once with StoreError "building".
 * @param file - the SQLite file, or ":memory:"
 * @returns the store, to hand to `new FindingModelIndex(store)`; throws a StoreError ("locked",
 * "readonly", …) with a message saying what to do when the file cannot be used
 */
export async function openSqliteStore(file: string, options: SqliteOpenOptions = {}): Promise<Store> {
  return openTunedSqliteStore(file, options);
}

/** openSqliteStore with the switches of SqliteTuning. */
export async function openTunedSqliteStore(file: string, options: SqliteOpenOptions & SqliteTuning = {}): Promise<Store> {
  const started = performance.now();
  for (;;) {
    try {
      return openOnce(file, options);
    } catch (e) {
      if (options.readonly || !(e instanceof StoreError && e.code === "building")) throw e;
      options.onWait?.(performance.now() - started);
      await sleep(WAIT_STEP_MS);
    }
  }
}

/** How often an open waiting for another program's first sync looks again. */
const WAIT_STEP_MS = 200;

function openOnce(file: string, options: SqliteOpenOptions & SqliteTuning): Store {
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const memory = file === ":memory:" || file === "";
  const ctx: ErrorContext = { file, busyTimeoutMs };
  if (!memory) checkLocation(file, readonly);

  let db: Database.Database | undefined;
  /** The file is still on its rollback journal: a lock on it is a first sync at work, not waited for here. */
  let newFile = false;
  try {
    if (readonly && !memory) rollBackInterruptedSync(file);
    const onStatement = options.onStatement;
    const verbose = onStatement && ((sql?: unknown) => onStatement(String(sql)));
    // A reader of a file still on its rollback journal (a new index) does not wait for its first
    // sync to finish: it is told at once that the index is being built (SqliteStore.rollbackJournal).
    newFile = !memory && onRollbackJournal(file);
    db = new Database(file, { readonly: readonly && !memory, fileMustExist: readonly, timeout: newFile ? 0 : busyTimeoutMs, ...(verbose ? { verbose } : {}) });
    // Look before touching anything: a file that is not ours, or is newer, is refused unchanged.
    const state = readSchemaState(db);
    const needsSchema = checkSchema(file, state);
    if (needsSchema && readonly) {
      throw new StoreError(
        "readonly",
        state.version === 0
          ? `${file} holds no index yet and was opened read-only; create it first (findingmodel index sync <folder of models> --db ${file})`
          : `${file} has index schema version ${state.version} and needs upgrading to ${SCHEMA_VERSION}, which a read-only open cannot do; open it once for writing (findingmodel index sync <folder of models> --db ${file})`,
      );
    }
    // A new file is filled by its first write through a rollback journal and turns to WAL after
    // it (SqliteStore.enterWal): its new pages are then written once, where through a WAL they
    // were written twice, the second time when the closing connection copied the WAL back
    // (docs/performance.md, "Figures behind the code"). A killed first sync stays all or nothing: its journal is rolled back by the next connection (see rollBackInterruptedSync).
    const fresh = state.objects.length === 0 && !memory && !readonly;
    if (!readonly) {
      if (state.objects.length === 0) db.pragma(`page_size = ${PAGE_SIZE}`); // before WAL: a WAL file keeps its page size
      if (!fresh) db.pragma("journal_mode = WAL");
    }
    applyConnectionSettings(db, !readonly);
    if (needsSchema) migrate(db, file);
    return new SqliteStore(db, { ...ctx, location: memory ? ":memory:" : path.resolve(file) }, {
      writeMode: options.writeMode,
      walPending: fresh,
      rollbackJournal: !memory && onRollbackJournal(file),
      // Not for memory (another connection would see another database), nor read-only (the
      // writer's own connection would write what this one may not), nor when every statement is
      // to be seen (onStatement sees this connection's only), nor for the per-row writes kept
      // for measuring (the writer writes batched).
      writerThread:
        !memory && !readonly && !onStatement && (options.writeMode ?? "batched") === "batched" && (options.writerThread ?? process.env.FINDINGMODEL_WRITER_THREAD !== "0"),
      // A sync on another thread (index/sync-on-thread.ts) needs the file, and writes what this
      // connection may write, the way it writes it, with statements this one does not see.
      openElsewhere: !memory && !readonly && !onStatement && (options.writeMode ?? "batched") === "batched",
    });
  } catch (e) {
    db?.close();
    // (Looked at again: a file that was empty when this open began may have become a new index since.)
    if (isBusy(e) && !memory && (newFile || onRollbackJournal(file))) throw buildingError(file);
    throw toStoreError(e, ctx);
  }
}

function isBusy(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code.startsWith("SQLITE_BUSY");
}

/** A place where no index file can be: said in words, before SQLite says "disk I/O error". */
function checkLocation(file: string, readonly: boolean): void {
  const info = statOrUndefined(file);
  if (info?.isDirectory()) {
    throw new StoreError("other", `${file} is a folder, not an index file; point --db at a file, e.g. ${path.join(file, "findingmodel.db")}`);
  }
  if (info) return;
  if (readonly) throw new StoreError("other", `there is no index at ${file}; create it first (findingmodel index sync <folder of models> --db ${file}), or point --db at it`);
  const dir = path.dirname(path.resolve(file));
  const parent = statOrUndefined(dir);
  if (!parent) throw new StoreError("other", `cannot create the index ${file}: the folder ${dir} does not exist; create the folder first, or point --db elsewhere`);
  if (!parent.isDirectory()) throw new StoreError("other", `cannot create the index ${file}: ${dir} is a file, not a folder; point --db elsewhere`);
}

/** What is at `file`; undefined when nothing is, or it cannot be looked at (SQLite then says why). */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A first sync into a new file that was killed leaves its rollback journal, which SQLite plays back
 * on the next read; a read-only connection cannot, and would fail. So one that finds a journal
 * first opens the file for writing and reads it once, which rolls back a journal left by a killed
 * writer (SQLite leaves alone the journal of a writer still at work).
 */
function rollBackInterruptedSync(file: string): void {
  const journal = `${file}-journal`;
  if (!hasJournalHeader(journal)) return;
  try {
    // Without waiting: a file that is locked is being written by a sync at work, not left by one that was killed.
    const db = new Database(file, { fileMustExist: true, timeout: 0 });
    try {
      db.prepare("SELECT count(*) FROM sqlite_master").get();
    } finally {
      db.close();
    }
  } catch (e) {
    if (isBusy(e)) throw buildingError(file);
    throw new StoreError(
      "readonly",
      `a sync into ${file} was interrupted and left ${journal}, which only a program that may write the file can roll back (${(e as Error).message}); ` +
        "run findingmodel index sync on it once, or make it writable",
    );
  }
}

// The first bytes of a rollback journal SQLite may play back; one left without them (its writer
// was killed before writing any page of the file) is ignored by SQLite, and by this check.
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

function hasJournalHeader(journal: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(journal, "r");
    const head = Buffer.alloc(JOURNAL_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(JOURNAL_MAGIC);
  } catch {
    return false; // no journal (the usual case), or one this program cannot read: SQLite decides
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
