#!/usr/bin/env node
// The `findingmodel` command. Each command lives in commands/; this file wires them up and turns
// failures into the exit codes of DESIGN.md (0 ok, 1 invalid data, 2 usage or environment).
import { Command, CommanderError } from "commander";
import { createRequire } from "node:module";
import { registerExport } from "./commands/export.js";
import { registerFmToMarkdown } from "./commands/fm-to-markdown.js";
import { registerStub } from "./commands/stub.js";
import { registerValidate } from "./commands/validate.js";
import { EXIT_USAGE, UsageError, warn } from "./output.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const program = new Command("findingmodel")
  .description("Validate, canonicalize, render and index Open Imaging Finding Models (*.fm.json)")
  .version(version)
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)");

registerValidate(program);
registerExport(program);
registerFmToMarkdown(program);
registerStub(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error (it printed why).
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (e instanceof UsageError) {
    warn(`findingmodel: ${e.message}`);
    process.exitCode = EXIT_USAGE;
  } else {
    // Not bad input (that is reported as data): an environment failure such as a full disk.
    const err = e as NodeJS.ErrnoException;
    warn(`findingmodel: ${err.code ? `${err.code}: ` : ""}${err.message ?? String(e)}`);
    process.exitCode = EXIT_USAGE;
  }
}
