// The options about synonyms shared between models, as sync and serve take them: a shared synonym
// is a warning unless --strict-synonyms; --allow-duplicate-synonyms, from when it was an error by
// default, is still accepted for one version, does nothing, and says so.
import type { Command } from "commander";
import { UsageError, warn } from "./output.js";

export interface SynonymCommandOptions {
  strictSynonyms?: boolean;
  allowDuplicateSynonyms?: boolean;
}

/** Add --strict-synonyms and the deprecated --allow-duplicate-synonyms; `scope` prefixes their help ("POST /api/sync: "). */
export function synonymOptions(command: Command, scope = ""): Command {
  return command
    .option("--strict-synonyms", `${scope}refuse a name or synonym that another model also has (by default a warning)`)
    .option("--allow-duplicate-synonyms", `${scope}deprecated, does nothing: a shared synonym is a warning by default`);
}

/** Whether shared synonyms are refused; warns on stderr about the deprecated flag, and refuses both at once. */
export function strictSynonyms(opts: SynonymCommandOptions): boolean {
  if (opts.allowDuplicateSynonyms) {
    if (opts.strictSynonyms) throw new UsageError("--allow-duplicate-synonyms and --strict-synonyms contradict each other; give only --strict-synonyms to refuse shared synonyms");
    warn("findingmodel: --allow-duplicate-synonyms is deprecated and does nothing: a synonym shared with another model is a warning by default (--strict-synonyms makes it an error); it will be removed in the next version");
  }
  return opts.strictSynonyms === true;
}
