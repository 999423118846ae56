// What every index command shares: --db, --json, --stats; opening and closing the index; turning
// database and query problems into clear messages and exit code 2.
import type { Command } from "commander";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { openIndex } from "../index/open-index.js";
import { SearchQueryError } from "../index/search-query.js";
import { StoreError } from "../store/store.js";
import { UsageError, warn } from "./output.js";

export interface IndexCommandOptions {
  db?: string;
  json?: boolean;
  stats?: boolean;
}

/** Add the options every index command takes. */
export function indexOptions(command: Command): Command {
  return command
    .option("--db <file>", "SQLite index file (default: $FINDINGMODEL_DB or ./findingmodel.db)")
    .option("--json", "machine-readable output on stdout")
    .option("--stats", "print timing statistics of each operation to stderr");
}

/** Open the index, run `work`, close it; print --stats; report database problems as usage errors. */
export async function withIndex<T>(options: IndexCommandOptions, work: (index: FindingModelIndex) => Promise<T>, access: "read" | "write" = "read"): Promise<T> {
  let index: FindingModelIndex;
  try {
    index = await openIndex({ db: options.db, readonly: access === "read" });
  } catch (e) {
    throw asUsageError(e);
  }
  try {
    return await work(index);
  } catch (e) {
    throw asUsageError(e);
  } finally {
    if (options.stats) warn(index.monitor.format());
    await index.close();
  }
}

function asUsageError(e: unknown): unknown {
  if (e instanceof StoreError || e instanceof SearchQueryError) return new UsageError(e.message);
  return e;
}
