// PostgreSQL's errors (and pg's network errors) in words a user can act on, as StoreErrors.
// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
import { StoreError } from "../store.js";
import type { PostgresConfig } from "./config.js";

/** What messages need to know about where the index is. */
export type ErrorContext = Pick<PostgresConfig, "server" | "user" | "database" | "schema" | "statementTimeoutMs" | "connectTimeoutMs">;

/** The fields of a pg error (a DatabaseError from the server, or a Node.js socket error). */
interface PgLikeError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
}

const asPg = (e: unknown): PgLikeError | undefined => (e instanceof Error ? (e as PgLikeError) : undefined);

/** The SQLSTATE (or Node.js error code) of `e`, if it has one. */
export function errorCode(e: unknown): string | undefined {
  return asPg(e)?.code;
}

/**
 * Whether `e` means a connection that was working is gone (the server restarted, an administrator
 * ended it, the network reset it): the statement did not run, or the server rolled its transaction
 * back. Failing to connect in the first place is not this (see toStoreError).
 */
export function isConnectionLost(e: unknown): boolean {
  const err = asPg(e);
  if (!err) return false;
  const code = err.code ?? "";
  if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "ECONNRESET" || code === "EPIPE") return true;
  return /Connection terminated|not queryable|Connection ended/i.test(err.message);
}

/** `e` as a StoreError (a StoreError passes through; anything not from pg or the network is rethrown as is). */
export function toStoreError(e: unknown, ctx: ErrorContext): unknown {
  if (e instanceof StoreError) return e;
  const err = asPg(e);
  if (!err) return e;
  const code = err.code ?? "";
  const where = `the PostgreSQL server at ${ctx.server}`;

  // Could not connect at all.
  if (code === "ECONNREFUSED") {
    return new StoreError("unreachable", `cannot reach ${where} (connection refused): check that the server is running and that --postgres / FINDINGMODEL_POSTGRES_URL names the right host and port`);
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new StoreError("unreachable", `cannot reach ${where}: the host name does not resolve; check the host in --postgres / FINDINGMODEL_POSTGRES_URL`);
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT" || /timeout expired|timeout exceeded when trying to connect/i.test(err.message)) {
    return new StoreError(
      "unreachable",
      `cannot reach ${where}: no answer within ${ctx.connectTimeoutMs} ms; check the host and port, the network and firewalls (or raise connect_timeout_ms in the URL)`,
    );
  }
  if (code === "57P03") return new StoreError("unreachable", `${where} is starting up or shutting down and does not take connections yet; try again in a moment`);

  // Connected, then refused.
  if (code === "28P01") {
    return new StoreError("auth", `${where} refused the password of user "${ctx.user}"; check the user name and password in --postgres / FINDINGMODEL_POSTGRES_URL`);
  }
  if (code === "28000" || code.startsWith("28")) {
    return new StoreError(
      "auth",
      `${where} refused user "${ctx.user}" for database "${ctx.database}" (${err.message}); check the user name in the URL, and that the server lets it in (pg_hba.conf)`,
    );
  }
  if (code === "3D000") return new StoreError("other", `there is no database "${ctx.database}" on ${where}; create it (createdb ${ctx.database}) or name another one in the URL`);
  if (code === "53300") return new StoreError("unreachable", `${where} has no free connections (too many clients); lower pool_max in the URL, or raise max_connections on the server`);

  // Lost while working.
  if (isConnectionLost(err)) {
    return new StoreError(
      "unreachable",
      `the connection to ${where} was lost (${err.message}); the server may have restarted or stopped. Nothing half-done was kept: try again when it is back`,
    );
  }

  if (code === "57014") {
    return new StoreError(
      "timeout",
      `a statement on ${where} ran longer than the statement timeout of ${ctx.statementTimeoutMs} ms (a sync gets that much per 10,000 models) and was cancelled, changing nothing; ` +
        "try again when the server is less busy, or raise statement_timeout_ms in the URL",
    );
  }
  if (code === "55P03" || code === "40P01" || code === "40001") {
    return new StoreError("locked", `the index in schema "${ctx.schema}" on ${where} is busy (${err.message}); try again`);
  }
  if (code === "25006") {
    return new StoreError("readonly", `${where} accepts no writes (${err.message}): it is a read replica or in read-only mode; point the sync at the primary server`);
  }
  if (code === "42501") {
    return new StoreError("readonly", `user "${ctx.user}" may not do this in schema "${ctx.schema}" on ${where} (${err.message}); grant it the rights, or use another user or schema`);
  }
  if (code === "22021" || code === "22P05") {
    return new StoreError("constraint", `PostgreSQL cannot store this text (${err.message}); a model holds a character it does not allow, such as \\u0000`);
  }
  if (code.startsWith("23")) return new StoreError("constraint", `the change clashes with the index in schema "${ctx.schema}": ${err.message}${err.detail ? ` (${err.detail})` : ""}`);
  if (code === "53100") return new StoreError("other", `${where} cannot store more: its disk is full`);
  if (code.startsWith("XX") || code === "58030") return new StoreError("corrupt", `${where} reports damaged data or an internal error (${err.message}, ${code}); ask its administrator`);
  if (code === "") return e; // not from the server or the network: a bug of ours, shown as it is
  return new StoreError("other", `database error on ${where}, schema "${ctx.schema}": ${err.message} (${code})`);
}
