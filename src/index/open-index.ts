// Opening the index a command or program works with: the embedded SQLite file by default.
import { openSqliteStore } from "../store/sqlite/open.js";
import { FindingModelIndex, type IndexOptions } from "./finding-model-index.js";

export const DEFAULT_DB_FILE = "findingmodel.db";

export interface OpenIndexOptions extends IndexOptions {
  /** SQLite database file (default: $FINDINGMODEL_DB, else ./findingmodel.db). */
  db?: string;
  readonly?: boolean;
}

export async function openIndex(options: OpenIndexOptions = {}): Promise<FindingModelIndex> {
  const file = options.db ?? process.env.FINDINGMODEL_DB ?? DEFAULT_DB_FILE;
  const store = await openSqliteStore(file, { readonly: options.readonly });
  return new FindingModelIndex(store, options);
}
