// One connection pool per URL per process: every store opened on the same URL (and the same pool
// settings) shares one pg Pool, counted by reference; the last close ends it, so a program that
// closes its stores exits without waiting for idle connections to time out.
import pg from "pg";
import type { PostgresConfig } from "./config.js";

interface Entry {
  pool: pg.Pool;
  refs: number;
}

const pools = new Map<string, Entry>();

function keyOf(config: PostgresConfig): string {
  const { connectionString, poolMax, poolMin, idleTimeoutMs, connectTimeoutMs, statementTimeoutMs } = config;
  return JSON.stringify([connectionString, poolMax, poolMin, idleTimeoutMs, connectTimeoutMs, statementTimeoutMs]);
}

/** The pool for `config`, created on first use; give it back with releasePool. */
export function acquirePool(config: PostgresConfig): pg.Pool {
  const key = keyOf(config);
  let entry = pools.get(key);
  if (!entry) {
    entry = { pool: createPool(config), refs: 0 };
    pools.set(key, entry);
  }
  entry.refs++;
  return entry.pool;
}

/** One user fewer of `pool`; the last one ends it (waiting for connections in use to come back). */
export async function releasePool(pool: pg.Pool): Promise<void> {
  for (const [key, entry] of pools) {
    if (entry.pool !== pool) continue;
    entry.refs--;
    if (entry.refs > 0) return;
    pools.delete(key);
    await pool.end();
    return;
  }
}

/** How many pools are open in this process (for tests and diagnostics). */
export function openPoolCount(): number {
  return pools.size;
}

function createPool(config: PostgresConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.poolMax,
    min: config.poolMin,
    idleTimeoutMillis: config.idleTimeoutMs,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Sent in the startup message: every statement on every connection is bounded, with no
    // extra round trip to set it.
    ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
    // A server that vanished without closing the connection (machine off, network cut) is noticed.
    keepAlive: true,
  });
  // An idle connection that fails (the server restarted, an administrator ended it) is dropped
  // by the pool, which opens a new one when next needed. Without a listener, Node would treat
  // the event as an uncaught error and stop the process.
  pool.on("error", () => {});
  return pool;
}

/**
 * Give back a connection taken with pool.connect(): destroyed (not reused) when `failed` or when it
 * failed while it was held.
 */
export type Release = (failed: boolean) => void;

/**
 * Watch a connection taken from the pool while it is held. The pool listens for a connection's
 * errors only while it is idle in the pool; one held by a sync (idle in its transaction while the
 * sync reads files, or writing) that the server ends or whose socket breaks would emit an 'error'
 * event nobody hears, which stops the process with a stack trace. Here the error is heard: the
 * next statement on the connection fails with it, and the caller reports that the connection was
 * lost. A connection that failed stays heard after it is given back, to be destroyed.
 */
export function holdClient(client: pg.PoolClient): Release {
  let broken = false;
  const onError = () => void (broken = true);
  client.on("error", onError);
  return (failed) => {
    const destroy = failed || broken;
    if (!destroy) client.off("error", onError);
    client.release(destroy ? true : undefined);
  };
}
