// What a PostgreSQL URL says, read once: where the server is (for pg), which schema holds the
// index, and how the connection pool behaves. Our own settings ride in the URL's query string
// (`?schema=fm&pool_max=20&statement_timeout_ms=30000`) so that one string configures a
// deployment; they are taken out before the rest of the URL goes to pg, which reads the usual
// ones itself (sslmode, application_name, host for a Unix socket, ...).
import { StoreError } from "../store.js";

export interface PostgresPoolOptions {
  /** Schema holding the index (created if need be; default "findingmodel"). URL: `schema`. */
  schema?: string;
  /** Most connections the pool opens (default 10). URL: `pool_max`. */
  poolMax?: number;
  /** Connections kept open even when idle (default 0). URL: `pool_min`. */
  poolMin?: number;
  /** Close a connection idle this long, above the minimum (default 10,000 ms). URL: `idle_timeout_ms`. */
  idleTimeoutMs?: number;
  /** Give up connecting (or waiting for a free connection) after this long (default 5,000 ms). URL: `connect_timeout_ms`. */
  connectTimeoutMs?: number;
  /** The server cancels any statement running longer (default 60,000 ms; 0 for none). URL: `statement_timeout_ms`. */
  statementTimeoutMs?: number;
}

export interface PostgresConfig {
  /** The URL for pg: as given (password included), without our own settings. */
  connectionString: string;
  schema: string;
  poolMax: number;
  poolMin: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Where the index is, for messages and stats: `postgres://user@host:port/db?schema=s` (no password). */
  location: string;
  /** `host:port` for messages. */
  server: string;
  user: string;
  database: string;
}

export const DEFAULT_SCHEMA = "findingmodel";

export const DEFAULTS = {
  poolMax: 10,
  poolMin: 0,
  idleTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 60_000,
} as const;

/** URL parameter of each numeric option. */
const NUMERIC_PARAMS = {
  poolMax: "pool_max",
  poolMin: "pool_min",
  idleTimeoutMs: "idle_timeout_ms",
  connectTimeoutMs: "connect_timeout_ms",
  statementTimeoutMs: "statement_timeout_ms",
} as const;

/**
 * Schema names are plain lower-case identifiers, so that they can stand unquoted in SQL and in
 * advisory-lock keys; anything else is refused rather than quoted.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Read `url` and `options` (options win over the URL, the URL over the defaults). */
export function parsePostgresUrl(url: string, options: PostgresPoolOptions = {}): PostgresConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError("other", `"${redact(url)}" is not a PostgreSQL URL; write it as postgres://user@host:5432/database`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new StoreError("other", `"${redact(url)}" is not a PostgreSQL URL (it starts with ${parsed.protocol}); write it as postgres://user@host:5432/database`);
  }
  const params = parsed.searchParams;

  const schema = options.schema ?? params.get("schema") ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError("other", `the schema name "${schema}" is not usable: use lower-case letters, digits and "_", starting with a letter or "_" (at most 63)`);
  }
  const numbers = {} as Record<keyof typeof NUMERIC_PARAMS, number>;
  for (const [key, param] of Object.entries(NUMERIC_PARAMS) as Array<[keyof typeof NUMERIC_PARAMS, string]>) {
    const given = options[key] ?? params.get(param) ?? undefined;
    const value = given === undefined ? DEFAULTS[key] : Number(given);
    if (!Number.isInteger(value) || value < 0) throw new StoreError("other", `${param} in the PostgreSQL URL must be a whole number of at least 0; got "${String(given)}"`);
    numbers[key] = value;
  }
  if (numbers.poolMax < 1) throw new StoreError("other", "pool_max in the PostgreSQL URL must be at least 1");
  if (numbers.poolMin > numbers.poolMax) throw new StoreError("other", `pool_min (${numbers.poolMin}) cannot be more than pool_max (${numbers.poolMax})`);

  for (const param of ["schema", ...Object.values(NUMERIC_PARAMS)]) params.delete(param);
  if (!params.has("application_name")) params.set("application_name", "findingmodel");

  const socketHost = params.get("host");
  const host = decodeURIComponent(parsed.hostname) || socketHost || process.env.PGHOST || "localhost";
  const port = parsed.port || params.get("port") || process.env.PGPORT || "5432";
  const user = decodeURIComponent(parsed.username) || params.get("user") || process.env.PGUSER || process.env.USER || "postgres";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || params.get("database") || process.env.PGDATABASE || user;

  const connectionString = parsed.toString();
  const shown = new URL(parsed.toString());
  shown.password = "";
  shown.search = "";
  const location = `${shown.toString()}?schema=${schema}`;
  return { connectionString, schema, ...numbers, location, server: `${host}:${port}`, user, database };
}

/** `url` without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}
