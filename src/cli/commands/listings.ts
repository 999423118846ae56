// The simple listings of the index: list, tags, people, organizations, stats.
import type { Command } from "commander";
import { printJson, printLine, wholeNumberOption } from "../output.js";
import { DEFAULT_LIST_LIMIT, MAX_LIMIT } from "../../index/limits.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";
import { printEntries } from "./search.js";

export function registerListings(parent: Command): void {
  indexOptions(parent.command("list").description("models ordered by name, a page at a time"))
    .option("--limit <n>", `models per page (1-${MAX_LIMIT})`, String(DEFAULT_LIST_LIMIT))
    .option("--offset <n>", "models to skip", "0")
    .action(async (opts: IndexCommandOptions & { limit: string; offset: string }) => {
      const limit = wholeNumberOption("--limit", opts.limit, 1, MAX_LIMIT);
      const offset = wholeNumberOption("--offset", opts.offset, 0);
      const page = await withIndex(opts, (index) => index.list({ limit, offset }));
      if (opts.json) printJson(page);
      else {
        printEntries(page.items);
        printLine(`(${page.items.length === 0 ? 0 : offset + 1}-${offset + page.items.length} of ${page.total})`);
      }
    });

  indexOptions(parent.command("tags").description("tags with the number of models carrying each")).action(async (opts: IndexCommandOptions) => {
    const tags = await withIndex(opts, (index) => index.tags());
    if (opts.json) printJson(tags);
    else for (const t of tags) printLine(`${String(t.count).padStart(6)}  ${t.tag}`);
  });

  indexOptions(parent.command("people").description("people who contributed models")).action(async (opts: IndexCommandOptions) => {
    const people = await withIndex(opts, (index) => index.people());
    if (opts.json) printJson(people);
    else for (const p of people) printLine(`${p.github_username}  ${p.name} (${p.organization_code}) <${p.email}>${p.url ? `  ${p.url}` : ""}`);
  });

  indexOptions(parent.command("organizations").description("organizations that contributed models")).action(async (opts: IndexCommandOptions) => {
    const organizations = await withIndex(opts, (index) => index.organizations());
    if (opts.json) printJson(organizations);
    else for (const o of organizations) printLine(`${o.code.padEnd(5)} ${o.name}${o.url ? `  ${o.url}` : ""}`);
  });

  indexOptions(parent.command("stats").description("counts, database size and schema version")).action(async (opts: IndexCommandOptions) => {
    const stats = await withIndex(opts, (index) => index.stats());
    if (opts.json) printJson(stats);
    else {
      printLine(`${stats.models} models, ${stats.people} people, ${stats.organizations} organizations`);
      printLine(`${stats.engine} database ${stats.location}: ${(stats.sizeBytes / 1024 / 1024).toFixed(1)} MB, schema version ${stats.schemaVersion}`);
    }
  });
}
