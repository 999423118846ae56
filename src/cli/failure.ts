// Whatever a command threw, as what its user is told: a kind (for --json), a message and an exit
// code, looked up by the error's code in the error registry (model/errors.ts). Commander's own
// errors (an unknown option, a missing argument) are reported here too, so that they look like
// every other error (main.ts keeps commander from printing them itself).
import { createRequire } from "node:module";
import { codeOf, ERRORS, type CliErrorKind } from "../model/errors.js";
import { EXIT_USAGE } from "./output.js";

const { CommanderError } = createRequire(import.meta.url)("commander") as typeof import("commander");

export interface Failure {
  code: CliErrorKind;
  message: string;
  exitCode: number;
}

/** What to report for `e`; undefined for help or the version asked for (not failures). */
export function failureOf(e: unknown): Failure | undefined {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return undefined;
    // Help shown because no command was given (it is on stderr already).
    if (e.code === "commander.help") return { code: "usage", message: "give a command (see the list above)", exitCode: EXIT_USAGE };
    const message = e.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
    return { code: "usage", message: `${message} (run with --help for usage)`, exitCode: EXIT_USAGE };
  }
  const code = codeOf(e);
  if (code !== undefined) return { code: ERRORS[code].cli, message: (e as Error).message, exitCode: ERRORS[code].exit };
  // Not bad input (that is reported as data): an environment failure such as a full disk.
  const err = e as NodeJS.ErrnoException;
  return { code: "environment", message: `${err.code ? `${err.code}: ` : ""}${err.message ?? String(e)}`, exitCode: EXIT_USAGE };
}
