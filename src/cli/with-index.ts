// What every index command shares: --db or --postgres, --json, --stats; opening and closing the index; turning
// database and query problems into clear messages and exit code 2.
import type { Command } from "commander";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { warn } from "./output.js";
import { cliMonitor } from "./stats.js";

export interface IndexCommandOptions {
  db?: string;
  postgres?: string;
  json?: boolean;
  stats?: boolean;
}

/** Add the options every index command takes. */
export function indexOptions(command: Command): Command {
  return command
    .option("--db <file>", "SQLite index file (default: $FINDINGMODEL_DB or ./findingmodel.db)")
    .option("--postgres <url>", "index on a PostgreSQL server instead, postgres://user@host:5432/db[?schema=name] (default: $FINDINGMODEL_POSTGRES_URL)")
    .option("--json", "machine-readable output on stdout")
    .option("--stats", "print timing statistics of each operation to stderr");
}

/** Open the index, run `work`, close it; print --stats. (Database and request problems reach main.ts as StoreError / InvalidRequestError: exit 2.) */
export async function withIndex<T>(options: IndexCommandOptions, work: (index: FindingModelIndex) => Promise<T>, access: "read" | "write" = "read", more: { staleSearchMs?: number } = {}): Promise<T> {
  const { openIndex } = await import("../index/open-index.js");
  const index = await openIndex({
    db: options.db,
    postgres: options.postgres,
    readonly: access === "read",
    monitor: cliMonitor,
    onWait: access === "write" ? waitNotice() : undefined,
    // Why a hybrid search fell back to words, once per reason (a server or MCP process runs long).
    onSearchNote: (note) => process.stderr.write(`findingmodel: ${note}\n`),
    ...more,
  });
  try {
    return await work(index);
  } finally {
    await index.close();
  }
}

/**
 * What a writer says while it waits for another program's first sync of the same new index (see
 * openSqliteStore and SyncOptions.onWait): once on stderr, then every 10 seconds how long so far.
 */
export function waitNotice(): (waitedMs: number) => void {
  let said = -Infinity;
  return (waitedMs) => {
    if (waitedMs - said < 10_000) return;
    said = waitedMs;
    warn(`waiting for another sync of this index to finish${waitedMs >= 1000 ? ` (${Math.round(waitedMs / 1000)} s so far)` : ""}…`);
  };
}
