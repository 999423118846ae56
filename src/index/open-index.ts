// Opening the index a command or program works with: the embedded SQLite file by default.
import { openSqliteStore } from "../store/sqlite/open.js";
import { FindingModelIndex, type IndexOptions } from "./finding-model-index.js";

export const DEFAULT_DB_FILE = "findingmodel.db";

export interface OpenIndexOptions extends IndexOptions {
  /** SQLite database file (default: $FINDINGMODEL_DB, else ./findingmodel.db). */
  db?: string;
  /** Open for reading only: a missing index is an error instead of a new empty one. */
  readonly?: boolean;
  /** How long to wait for another writer's lock (default $FINDINGMODEL_BUSY_TIMEOUT_MS, else 5 s). */
  busyTimeoutMs?: number;
}

export async function openIndex(options: OpenIndexOptions = {}): Promise<FindingModelIndex> {
  const file = options.db ?? process.env.FINDINGMODEL_DB ?? DEFAULT_DB_FILE;
  const fromEnv = Number(process.env.FINDINGMODEL_BUSY_TIMEOUT_MS);
  const busyTimeoutMs = options.busyTimeoutMs ?? (Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : undefined);
  const store = await openSqliteStore(file, { readonly: options.readonly, busyTimeoutMs });
  return new FindingModelIndex(store, options);
}
