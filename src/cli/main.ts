#!/usr/bin/env node
// The `findingmodel` command. Each command lives in commands/; this file wires them up and turns
// failures into the exit codes of DESIGN.md (0 ok, 1 invalid data, 2 usage or environment).
import { createRequire } from "node:module";
import { registerExport } from "./commands/export.js";
import { registerFmToMarkdown } from "./commands/fm-to-markdown.js";
import { registerStub } from "./commands/stub.js";
import { registerValidate } from "./commands/validate.js";
import { registerGenerate } from "./commands/generate.js";
import { registerGet } from "./commands/get.js";
import { registerListings } from "./commands/listings.js";
import { registerSearch } from "./commands/search.js";
import { registerSync } from "./commands/sync.js";
import { registerIndexExport } from "./commands/index-export.js";
import { registerServe } from "./commands/serve.js";
import { registerMcp } from "./commands/mcp.js";
import { InvalidRequestError } from "../index/errors.js";
import { StoreError } from "../store/store.js";
import { EXIT_USAGE, UsageError, warn } from "./output.js";
import { cliMonitor, statsRequested } from "./stats.js";

const require = createRequire(import.meta.url);
// commander is CommonJS: require() loads it in about half the time of an ESM import (~8 vs ~15 ms
// here), and every command pays that before it starts.
const { Command, CommanderError } = require("commander") as typeof import("commander");
const { version } = require("../../package.json") as { version: string };

const program = new Command("findingmodel")
  .description("Validate, canonicalize, render and index Open Imaging Finding Models (*.fm.json)")
  .version(version)
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)");

// A reader that stops early (`findingmodel validate defs | head`) is not a failure worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

registerValidate(program);
registerExport(program);
registerFmToMarkdown(program);
registerStub(program);

// The index: `findingmodel index <command>`, and the everyday ones also at the top level
// (`findingmodel search ...`).
const index = program.command("index").description("keep an index of a folder of models and search it (sync, search, get, list, tags, people, organizations, stats, generate)");
for (const parent of [index, program]) {
  registerSearch(parent);
  registerGet(parent);
  registerListings(parent);
}
registerSync(index);
registerIndexExport(index);
registerGenerate(index);
registerGenerate(program);
registerServe(program);
registerMcp(program);

// Every command accepts --stats: timings of each operation, printed to stderr at the end.
for (const command of [...program.commands, ...index.commands]) {
  if (!command.options.some((o) => o.long === "--stats")) command.option("--stats", "print timing statistics of each operation to stderr");
}

try {
  const [first, second] = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const command = first === "index" && second ? `index ${second}` : (first ?? "findingmodel");
  await cliMonitor.time(`command: ${command}`, () => program.parseAsync(process.argv));
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error (it printed why).
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (e instanceof UsageError || e instanceof InvalidRequestError || e instanceof StoreError) {
    warn(`findingmodel: ${e.message}`);
    process.exitCode = EXIT_USAGE;
  } else {
    // Not bad input (that is reported as data): an environment failure such as a full disk.
    const err = e as NodeJS.ErrnoException;
    warn(`findingmodel: ${err.code ? `${err.code}: ` : ""}${err.message ?? String(e)}`);
    process.exitCode = EXIT_USAGE;
  }
} finally {
  if (statsRequested()) warn(cliMonitor.format());
}
