// How every command talks to its user: machine output (--json) or human text on stdout,
// diagnostics on stderr, and the exit codes of DESIGN.md.
import { CodedError, type CliErrorKind } from "../model/errors.js";

export const EXIT_OK = 0;
/** Invalid data or conflicts found. */
export const EXIT_INVALID = 1;
/** Usage or environment error: bad arguments, a missing directory, an unreachable database. */
export const EXIT_USAGE = 2;

/**
 * A failure the command reports (main.ts prints it): its code in the error registry
 * (model/errors.ts) gives the exit code and the kind printed under --json.
 */
export class CommandError extends CodedError {}

/** An error in how the command was called or in its environment; exits 2 with the message only. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** Whether --json was given (before any `--`): then errors go to stdout as JSON objects too. */
export function jsonRequested(argv: readonly string[] = process.argv): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/**
 * A failure: `findingmodel: <message>` on stderr and, with --json, `{"error": {code, message}}` on
 * stdout, where `code` is the kind of failure (CliErrorKind: usage, not-found, conflict, database,
 * environment; docs/cli.md).
 */
export function printError(code: CliErrorKind, message: string, json = jsonRequested()): void {
  if (json) printJson({ error: { code, message } });
  warn(`findingmodel: ${message}`);
}

/** Durations (fields named `ms`) to 0.1 ms: the digits beyond are noise. */
function roundDurations(key: string, value: unknown): unknown {
  return key === "ms" && typeof value === "number" ? Math.round(value * 10) / 10 : value;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, roundDurations, 2) + "\n");
}

export function printLine(text = ""): void {
  process.stdout.write(text + "\n");
}

export function warn(text: string): void {
  process.stderr.write(text + "\n");
}

/**
 * The whole number `option` was given as (`value`, as typed), from `min` to `max`; a usage error
 * quoting what was typed otherwise ("--limit must be a whole number from 1 to 1000; got "abc"").
 */
export function wholeNumberOption(option: string, value: string, min: number, max?: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (n >= min && (max === undefined || n <= max)) return n;
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max >= 100_000 ? max.toLocaleString("en-US") : max}`;
  throw new UsageError(`${option} must be a whole number ${range}; got "${value}"`);
}

/** Problems found in files: each file named once, then each of its problems (where, and what). */
export function printFileErrors(errors: ReadonlyArray<{ file: string; path: string; message: string }>): void {
  let lastFile: string | undefined;
  for (const error of errors) {
    if (error.file !== lastFile) printLine(`✗ ${error.file}`);
    lastFile = error.file;
    printLine(`    ${error.path}: ${error.message}`);
  }
}

/** "1 file", "2 files". */
export function plural(n: number, word: string, many = word + "s"): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Warnings shown when not --verbose. */
const FIRST_WARNINGS = 5;

/**
 * A sync's warnings on stderr: one line with their count, then the first few (all with `verbose`),
 * each with its file, where in it, and what.
 */
/** What a scan found and left alone (a link back to a folder already searched), on stderr. */
export function printScanNotes(notes: ReadonlyArray<{ file: string; message: string }> | undefined): void {
  for (const n of notes ?? []) warn(`note: ${n.file} ${n.message}`);
}

export function printSyncWarnings(warnings: ReadonlyArray<{ file: string; path: string; message: string }>, verbose: boolean): void {
  if (warnings.length === 0) return;
  const files = new Set(warnings.map((w) => w.file)).size;
  const shown = verbose ? warnings : warnings.slice(0, FIRST_WARNINGS);
  const more = warnings.length - shown.length;
  warn(
    `warning: ${plural(warnings.length, "name or synonym", "names or synonyms")} (in ${plural(files, "file")}) ${warnings.length === 1 ? "is" : "are"} shared with another model, ` +
      "indexed all the same (--strict-synonyms refuses them)" +
      (more > 0 ? `; the first ${shown.length} (--verbose lists all):` : ":"),
  );
  for (const w of shown) warn(`  ${w.file} ${w.path}: ${w.message}`);
}
