// How every command talks to its user: machine output (--json) or human text on stdout,
// diagnostics on stderr, and the exit codes of DESIGN.md.

export const EXIT_OK = 0;
/** Invalid data or conflicts found. */
export const EXIT_INVALID = 1;
/** Usage or environment error: bad arguments, a missing directory, an unreachable database. */
export const EXIT_USAGE = 2;

/** An error in how the command was called or in its environment; exits 2 with the message only. */
export class UsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

export function printLine(text = ""): void {
  process.stdout.write(text + "\n");
}

export function warn(text: string): void {
  process.stderr.write(text + "\n");
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
