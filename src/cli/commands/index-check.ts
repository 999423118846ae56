import type { Command } from "commander";
import { EXIT_INVALID, EXIT_OK, plural, printJson, printLine, warn } from "../output.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

export function registerIndexCheck(parent: Command): void {
  indexOptions(
    parent
      .command("check")
      .description("check that the index is consistent (database, full text, lists, contributors against each model's JSON) and, given a folder, that it holds exactly its model files")
      .argument("[folder]", "folder of model files the index should hold exactly (same files, same bytes)"),
  ).action(async (folder: string | undefined, opts: IndexCommandOptions) => {
    const report = await withIndex(opts, (index) => index.check(folder));
    if (opts.json) printJson(report);
    else {
      for (const s of report.skipped) warn(`not checked: ${s}`);
      for (const p of report.problems) printLine(`${p.kind}: ${p.message}`);
      const what = `${plural(report.models, "model")}, ${plural(report.people, "person", "people")}, ${plural(report.organizations, "organization")}`;
      const files = report.folder === undefined ? "" : `; ${plural(report.files ?? 0, "file")} in ${report.folder}`;
      printLine(report.ok ? `index ok: ${what}${files}` : `index check found ${plural(report.problems.length, "problem")} (${what}${files})`);
    }
    process.exitCode = report.ok ? EXIT_OK : EXIT_INVALID;
  });
}
