import type { Command } from "commander";
import { CommandError, printJson, printLine, UsageError } from "../output.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

export function registerGet(parent: Command): void {
  indexOptions(
    parent
      .command("get")
      .description("show the model with this ID, name or synonym")
      .argument("<idOrName>", "an OIFM ID, a name or a synonym (case-insensitive; quote a name with spaces)")
      // More words are taken, so that a name typed without quotes gets a message saying to quote it.
      .allowExcessArguments()
      .option("--full", "the whole model (canonical JSON) instead of its index entry"),
  ).action(async (key: string, opts: IndexCommandOptions & { full?: boolean }, command: Command) => {
    const words = command.args;
    if (words.length > 1) {
      throw new UsageError(`get takes one ID, name or synonym; got ${words.length} (${words.map((w) => JSON.stringify(w)).join(", ")}): quote a name with spaces, e.g. findingmodel get "${words.join(" ")}"`);
    }
    await withIndex(opts, async (index) => {
      const entry = await index.get(key);
      if (!entry) throw new CommandError("not-found", `no model with ID, name or synonym "${key}"; try findingmodel search`);
      if (opts.full) {
        const model = await index.getFull(entry.oifm_id);
        const { toCanonicalJson } = await import("../../model/canonical.js");
        printLine(opts.json ? JSON.stringify(model, null, 2) : toCanonicalJson(model!));
      } else if (opts.json) {
        printJson(entry);
      } else {
        printLine(`${entry.oifm_id}  ${entry.name}`);
        printLine(`  file:         ${entry.filename}`);
        if (entry.synonyms.length) printLine(`  synonyms:     ${entry.synonyms.join(", ")}`);
        if (entry.tags.length) printLine(`  tags:         ${entry.tags.join(", ")}`);
        if (entry.contributors.length) printLine(`  contributors: ${entry.contributors.map((c) => c.name).join(", ")}`);
        printLine(`  attributes:   ${entry.attributes.map((a) => `${a.name} (${a.type})`).join(", ")}`);
        printLine(`  ${entry.description}`);
      }
    });
  });
}
