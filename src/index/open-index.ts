// Opening the index a command or program works with: the embedded SQLite file by default, or a
// PostgreSQL server when given a URL (one connection pool per URL per process, shared by every
// index opened on it; see store/postgres/pool.ts).
import { openTunedSqliteStore } from "../store/sqlite/open.js";
import type { Store } from "../store/store.js";
import { busyTimeoutFromEnv, writerThreadFromEnv } from "./environment.js";
import { InvalidRequestError } from "./errors.js";
import { FindingModelIndex, type IndexOptions } from "./finding-model-index.js";
import { embeddingsFromConfig, type EmbeddingsConfig } from "./embeddings/from-environment.js";

export const DEFAULT_DB_FILE = "findingmodel.db";

export interface OpenIndexOptions extends IndexOptions {
  /** SQLite database file (default: $FINDINGMODEL_DB, else ./findingmodel.db). */
  db?: string;
  /**
   * PostgreSQL URL, `postgres://user[:password]@host[:port]/database[?schema=name&pool_max=10...]`
   * (default: $FINDINGMODEL_POSTGRES_URL): the index lives on that server instead of in a file.
   */
  postgres?: string;
  /** Opened for writing while another program's first sync holds a new SQLite index, called each time it looks again (milliseconds waited so far). */
  onWait?: (waitedMs: number) => void;
  /** Open for reading only: a missing index is an error instead of a new empty one. */
  readonly?: boolean;
  /** How long to wait for another writer's lock (SQLite; default $FINDINGMODEL_BUSY_TIMEOUT_MS, else 5 s). */
  busyTimeoutMs?: number;
  /** The OpenAI-compatible embeddings service, or `{ url: "builtin" }` for the built-in offline model (default: $FINDINGMODEL_EMBEDDINGS_URL, _MODEL, _API_KEY); ignored when `embeddings` is given. */
  embeddingsConfig?: EmbeddingsConfig;
}

export class IndexLocationError extends InvalidRequestError {
  static override readonly errorCode = "index-location";
}

/**
 * Open the index (creating an empty one if need be, unless read-only): a SQLite file by default,
 * or the PostgreSQL schema a URL names.
 * @param options - `db` (a SQLite file) or `postgres` (a URL), else the environment
 * (FINDINGMODEL_DB, FINDINGMODEL_POSTGRES_URL), else ./findingmodel.db; `readonly`; `cache`
 * @returns the index; close it when done. Throws a StoreError with a message saying what to do when
 * the index cannot be opened, an IndexLocationError when both a file and a URL are named
 * @example
 * ```ts
 * import { openIndex } from "findingmodel";
 *
 * const index = await openIndex({ db: "findingmodel.db" });
 * try {
 *   await index.sync("defs");
 *   console.log(await index.count(), "models");
 * } finally {
 *   await index.close();
 * }
 * ```
 */
export async function openIndex(options: OpenIndexOptions = {}): Promise<FindingModelIndex> {
  // Checked before the store is opened: a misconfigured service is an error of its own.
  const embeddings = options.embeddings ?? embeddingsFromConfig(options.embeddingsConfig);
  const store = await openStore(options);
  return new FindingModelIndex(store, { ...options, embeddings });
}

/** The store `options` (else the environment) name: what is given explicitly wins over the environment. */
async function openStore(options: OpenIndexOptions): Promise<Store> {
  const where = indexLocation(options);
  if ("postgres" in where) {
    // Loaded only when used: a SQLite user never loads pg.
    const { openPostgresStore } = await import("../store/postgres/open.js");
    return openPostgresStore(where.postgres, { readonly: options.readonly });
  }
  return openTunedSqliteStore(where.sqlite, { readonly: options.readonly, onWait: options.onWait, busyTimeoutMs: options.busyTimeoutMs ?? busyTimeoutFromEnv(), writerThread: writerThreadFromEnv() });
}

/**
 * Where openIndex(options) finds the index: a PostgreSQL URL, or a SQLite file. Throws an
 * IndexLocationError when both are named.
 */
export function indexLocation(options: Pick<OpenIndexOptions, "db" | "postgres">): { postgres: string } | { sqlite: string } {
  if (options.db !== undefined && options.postgres !== undefined) {
    throw new IndexLocationError("give either a SQLite file (--db) or a PostgreSQL URL (--postgres), not both");
  }
  const envUrl = nonEmpty(process.env.FINDINGMODEL_POSTGRES_URL);
  const envDb = nonEmpty(process.env.FINDINGMODEL_DB);
  if (options.db === undefined && options.postgres === undefined && envUrl !== undefined && envDb !== undefined) {
    throw new IndexLocationError(
      "both FINDINGMODEL_DB and FINDINGMODEL_POSTGRES_URL are set, so it is not clear which index to use; unset one, or choose with --db or --postgres",
    );
  }
  const url = options.postgres ?? (options.db === undefined ? envUrl : undefined);
  if (url !== undefined) return { postgres: url };
  return { sqlite: options.db ?? process.env.FINDINGMODEL_DB ?? DEFAULT_DB_FILE };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
