// Opening the index on a PostgreSQL server: the pool for the URL (shared in this process), then
// the schema looked at, and created, migrated or refused as schema.ts decides.
import type { PostgresWriteMode } from "./apply.js";
import type { Store } from "../store.js";
import { StoreError } from "../store.js";
import { parsePostgresUrl, type PostgresPoolOptions } from "./config.js";
import { isConnectionLost, toStoreError } from "./errors.js";
import { acquirePool, holdClient, releasePool } from "./pool.js";
import { PostgresStore } from "./postgres-store.js";
import { checkSchema, migrate, readSchemaState, SCHEMA_VERSION } from "./schema.js";

export interface PostgresOpenOptions extends PostgresPoolOptions {
  /** Open for reading only: nothing is created, migrated or written. */
  readonly?: boolean;
}

/** Switches for the benchmark and tests: not part of the public API (reached through index/internal.ts). */
export interface PostgresTuning {
  /** "batched" (default) or "per-model", one statement per model: only for measuring (see apply.ts). */
  writeMode?: PostgresWriteMode;
}

/**
 * Open the index in the schema named by `url` (`?schema=`, default "findingmodel") on the server
 * it names, creating the schema when it is not there (unless read-only).
 */
export async function openPostgresStore(url: string, options: PostgresOpenOptions = {}): Promise<Store> {
  return openTunedPostgresStore(url, options);
}

/** openPostgresStore with the switches of PostgresTuning. */
export async function openTunedPostgresStore(url: string, options: PostgresOpenOptions & PostgresTuning = {}): Promise<Store> {
  const config = parsePostgresUrl(url, options);
  const readonly = options.readonly ?? false;
  const where = `schema "${config.schema}" of ${config.location.replace(/\?.*$/, "")}`;
  const pool = acquirePool(config);
  try {
    for (let attempt = 0; ; attempt++) {
      const client = await pool.connect();
      const release = holdClient(client);
      let failed: unknown;
      try {
        const state = await readSchemaState(client, config.schema);
        const needsSchema = checkSchema(where, state);
        if (needsSchema && readonly) {
          throw new StoreError(
            state.version === 0 ? "other" : "readonly",
            state.version === 0
              ? `there is no index in ${where}; create it first (findingmodel index sync <dir> --postgres <url>), or name another schema in the URL`
              : `${where} has index schema version ${state.version} and needs upgrading to ${SCHEMA_VERSION}, which a read-only open cannot do; open it once for writing (findingmodel index sync <folder of models> --postgres <url>)`,
          );
        }
        if (needsSchema) await migrate(client, config.schema, where);
        // A sync on another thread opens its own pool on the same URL, with the same options.
        const elsewhere = readonly || (options.writeMode ?? "batched") !== "batched" ? undefined : { postgres: url, poolOptions: poolOptionsOf(options) };
        return new PostgresStore(pool, config, readonly, options.writeMode, elsewhere);
      } catch (e) {
        failed = e;
        // A pooled connection the server had closed (it restarted): once more on a fresh one.
        if (attempt < 2 && isConnectionLost(e)) continue;
        throw e;
      } finally {
        release(failed !== undefined);
      }
    }
  } catch (e) {
    await releasePool(pool);
    throw toStoreError(e, config);
  }
}

/** The pool options of `options`, as plain data (to cross to another thread). */
function poolOptionsOf(options: PostgresPoolOptions): PostgresPoolOptions {
  const { schema, poolMax, poolMin, idleTimeoutMs, connectTimeoutMs, statementTimeoutMs } = options;
  return Object.fromEntries(Object.entries({ schema, poolMax, poolMin, idleTimeoutMs, connectTimeoutMs, statementTimeoutMs }).filter(([, v]) => v !== undefined));
}
