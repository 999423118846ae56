#!/usr/bin/env node
// The `findingmodel` command. Each command lives in commands/; this file wires them up and turns
// failures into the exit codes of DESIGN.md (0 ok, 1 invalid data, 2 usage or environment).
import type { Command as CommandType } from "commander";
import { createRequire } from "node:module";
import { failureOf } from "./failure.js";
import { printError, warn } from "./output.js";
import { cliMonitor, statsRequested } from "./stats.js";

const require = createRequire(import.meta.url);
// commander is CommonJS: require() loads it faster than an ESM import, and every command pays that
// before it starts (docs/performance.md, "Figures behind the code").
const { Command } = require("commander") as typeof import("commander");
const { version } = require("../../package.json") as { version: string };

const program = new Command("findingmodel")
  .description("Validate, canonicalize, render and index Open Imaging Finding Models (*.fm.json)")
  .version(version)
  .exitOverride()
  // Its error messages are reported with every other error, below (failure.ts).
  .configureOutput({ outputError: () => {} })
  // Environment variables that take a value are checked before any command runs.
  .hook("preAction", async () => (await import("../index/environment.js")).checkEnvironment());

// A reader that stops early (`findingmodel validate defs | head`) is not a failure worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

// Each command's module, loaded only when that command runs (or for help, or an unknown command,
// when all are): loading all of them would slow every command's start.
type Register = (parent: CommandType) => void;
const listings = async () => (await import("./commands/listings.js")).registerListings;
const generate = async () => (await import("./commands/generate.js")).registerGenerate;
const sync = async () => (await import("./commands/sync.js")).registerSync;
/** The everyday index commands: both at the top level and under `index`. */
const EVERYDAY: Record<string, () => Promise<Register>> = {
  search: async () => (await import("./commands/search.js")).registerSearch,
  get: async () => (await import("./commands/get.js")).registerGet,
  list: listings,
  tags: listings,
  people: listings,
  organizations: listings,
  stats: listings,
};
/** Top-level commands, in the order help lists them. */
const TOP: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  export: async () => (await import("./commands/export.js")).registerExport,
  registry: async () => (await import("./commands/registry.js")).registerRegistry,
  "fm-to-markdown": async () => (await import("./commands/fm-to-markdown.js")).registerFmToMarkdown,
  stub: async () => (await import("./commands/stub.js")).registerStub,
  // `findingmodel sync`: the first command of a fresh machine, so it need not be looked for under `index`.
  sync,
  ...EVERYDAY,
  generate,
  serve: async () => (await import("./commands/serve.js")).registerServe,
  mcp: async () => (await import("./commands/mcp.js")).registerMcp,
};
/** `findingmodel index <command>`, in help's order. */
const UNDER_INDEX: Record<string, () => Promise<Register>> = {
  ...EVERYDAY,
  sync,
  export: async () => (await import("./commands/index-export.js")).registerIndexExport,
  check: async () => (await import("./commands/index-check.js")).registerIndexCheck,
  generate,
};

/** Register the loaders' commands on `parent`, each module once. */
async function register(parent: CommandType, loaders: Array<() => Promise<Register>>): Promise<void> {
  for (const load of new Set(loaders)) (await load())(parent);
}

const indexCommand = () => program.command("index").description("keep an index of a folder of models and search it (sync, search, get, list, tags, people, organizations, stats, export, check, generate)");
const [first, second] = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const one = first === "index" ? (second === undefined ? undefined : UNDER_INDEX[second]) : first === undefined ? undefined : TOP[first];
if (first === "index") await register(indexCommand(), one ? [one] : Object.values(UNDER_INDEX));
else if (one) await register(program, [one]);
else {
  // Help, or a command that does not exist (commander then suggests the nearest): all of them.
  await register(program, [TOP.validate!, TOP.export!, TOP.registry!, TOP["fm-to-markdown"]!, TOP.stub!]);
  await register(indexCommand(), Object.values(UNDER_INDEX));
  await register(program, [sync, ...Object.values(EVERYDAY), generate, TOP.serve!, TOP.mcp!]);
}

// Every command accepts --stats: timings of each operation, printed to stderr at the end.
for (const command of [...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
  if (!command.options.some((o) => o.long === "--stats")) command.option("--stats", "print timing statistics of each operation to stderr");
}

try {
  const command = first === "index" && second ? `index ${second}` : (first ?? "findingmodel");
  await cliMonitor.time(`command: ${command}`, () => program.parseAsync(process.argv));
} catch (e) {
  const failure = failureOf(e);
  if (failure) printError(failure.code, failure.message);
  process.exitCode = failure?.exitCode ?? 0;
} finally {
  if (statsRequested()) warn(cliMonitor.format());
}
