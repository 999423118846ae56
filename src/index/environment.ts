// The FINDINGMODEL_* environment variables that take a value, read strictly: a value that is not
// one of those allowed is an error naming the variable, what it holds and what it may hold (a
// silent fallback would leave the user believing it took effect). Unset or empty means the default.
import { InvalidRequestError } from "./errors.js";

export class EnvironmentVariableError extends InvalidRequestError {
  static override readonly errorCode = "invalid-environment";
}

/** FINDINGMODEL_THREADS: threads that read and check files, or "auto" (all cores). */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | "auto" | undefined {
  const value = given(env, "FINDINGMODEL_THREADS");
  if (value === undefined || value === "auto") return value;
  return wholeNumber("FINDINGMODEL_THREADS", value, 1, 'or "auto" (all cores)');
}

/** FINDINGMODEL_BUSY_TIMEOUT_MS: how long a write waits for another writer's lock. */
export function busyTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = given(env, "FINDINGMODEL_BUSY_TIMEOUT_MS");
  return value === undefined ? undefined : wholeNumber("FINDINGMODEL_BUSY_TIMEOUT_MS", value, 0, "(milliseconds)");
}

/** FINDINGMODEL_WRITER_THREAD: "0" turns the first sync's writer thread off; "1" leaves it on where it pays (the default). */
export function writerThreadFromEnv(env: NodeJS.ProcessEnv = process.env): false | undefined {
  const value = given(env, "FINDINGMODEL_WRITER_THREAD");
  if (value === undefined || value === "1") return undefined;
  if (value === "0") return false;
  throw new EnvironmentVariableError(`FINDINGMODEL_WRITER_THREAD must be 0 (write on the main thread) or 1 (on a thread of its own where that pays, the default); got "${value}"`);
}

/** Check every variable at once (the CLI does, before running a command). */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  threadsFromEnv(env);
  busyTimeoutFromEnv(env);
  writerThreadFromEnv(env);
}

function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function wholeNumber(name: string, value: string, min: number, more: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (n >= min && Number.isSafeInteger(n)) return n;
  throw new EnvironmentVariableError(`${name} must be a whole number of at least ${min} ${more}; got "${value}"`);
}
