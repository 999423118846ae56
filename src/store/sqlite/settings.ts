// The settings every connection to the index file gets, whichever thread opens it (open.ts, and a
// first sync's writer thread, writer-thread.ts).
import type Database from "better-sqlite3";

/** A full sync leaves a WAL of tens of MB; truncate it to this when it is next reset. */
const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * Page cache per connection, 64 pages: a larger cache is no faster (the pages beyond it are in
 * the system's file cache) and holds more memory (docs/performance.md, "Memory").
 */
export const CACHE_KIB = 4 * 1024;

/** After the page size and journal mode are settled: durability, foreign keys and the page cache. */
export function applyConnectionSettings(db: Database.Database, writable: boolean): void {
  if (writable) {
    db.pragma("synchronous = NORMAL");
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  }
  db.pragma("foreign_keys = ON");
  // The page cache, in KiB. Set again after the page size: SQLite turns a size in KiB into a
  // count of pages when the file is opened, so a new file that took 64 KiB pages kept a count
  // made for 4 KiB ones, a sixteen times larger cache.
  db.pragma(`cache_size = -${CACHE_KIB}`);
}
