// A sync that creates the SQLite file of its index and then fails must not leave that file behind:
// an empty index there would make `stats` report 0 models instead of "no index", and `search` find
// nothing instead of saying how to make one.
import { existsSync, rmSync } from "node:fs";
import { indexLocation } from "../index/open-index.js";
import type { IndexCommandOptions } from "./with-index.js";

/** The SQLite file a command with `options` would create (it does not exist yet), if any. */
export function fileToBeCreated(options: IndexCommandOptions): string | undefined {
  const where = indexLocation(options);
  if (!("sqlite" in where) || where.sqlite === "" || where.sqlite === ":memory:") return undefined;
  return existsSync(where.sqlite) ? undefined : where.sqlite;
}

/** Remove the index file made by a failed sync, with what SQLite keeps beside it. */
export function removeIndexFile(file: string): void {
  for (const suffix of ["-wal", "-shm", "-journal", ""]) rmSync(file + suffix, { force: true });
}
