import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import type { IndexEntry } from "../../store/store.js";
import { printJson, printLine, UsageError, wholeNumberOption } from "../output.js";
import { DEFAULT_SEARCH_LIMIT, MAX_LIMIT } from "../../index/limits.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

interface SearchCommandOptions extends IndexCommandOptions {
  limit: string;
  tag?: string[];
  batch?: string;
  mode?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSearch(parent: Command): void {
  indexOptions(
    parent
      .command("search")
      .description("find models by ID, name or synonym first, then by full text")
      .argument("[query...]", "words to search for")
      .option("--limit <n>", `at most this many results (1-${MAX_LIMIT})`, String(DEFAULT_SEARCH_LIMIT))
      .option("--tag <tag>", "only models with this tag (repeatable; all must match)", collect)
      .option("--mode <mode>", "lexical (words) or hybrid (words and meaning; needs FINDINGMODEL_EMBEDDINGS_URL); default hybrid where configured")
      .option("--batch <file>", "search each line of this file; prints {query: [entries]} with --json"),
  ).action(async (words: string[], opts: SearchCommandOptions) => {
    const limit = wholeNumberOption("--limit", opts.limit, 1, MAX_LIMIT);
    if (opts.batch !== undefined) {
      if (words.length > 0) throw new UsageError("give either a query or --batch <file>, not both");
      const text = await readFile(opts.batch, "utf8").catch(() => {
        throw new UsageError(`cannot read the batch file ${opts.batch}`);
      });
      const queries = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
      if (queries.length === 0) throw new UsageError(`${opts.batch} has no queries (one per line)`);
      const results = await withIndex(opts, (index) => index.searchBatch(queries, { limit, tags: opts.tag }));
      if (opts.json) printJson(Object.fromEntries(results));
      else for (const [query, entries] of results) printEntries(entries, `${query}:`);
      return;
    }
    const query = words.join(" ");
    if (opts.mode !== undefined && opts.mode !== "lexical" && opts.mode !== "hybrid") throw new UsageError(`--mode must be lexical or hybrid; got "${opts.mode}"`);
    const mode = opts.mode as "lexical" | "hybrid" | undefined;
    // (A hybrid search answered from words says why on stderr, through withIndex.)
    const answer = await withIndex(opts, (index) => index.searchAnswer(query, { limit, tags: opts.tag, mode }));
    if (opts.json) printJson(answer.results);
    else printEntries(answer.results);
  });
}

export function printEntries(entries: IndexEntry[], heading?: string): void {
  if (heading) printLine(heading);
  if (entries.length === 0) printLine(heading ? "  (no matches)" : "no matches");
  for (const e of entries) {
    const synonyms = e.synonyms.length > 0 ? ` (${e.synonyms.join(", ")})` : "";
    printLine(`${heading ? "  " : ""}${e.oifm_id}  ${e.name}${synonyms}`);
  }
}
