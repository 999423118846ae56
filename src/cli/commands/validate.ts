import type { Command } from "commander";
import type { Conflict } from "../../model/conflicts.js";
import { fileProgress } from "../progress.js";
import { EXIT_INVALID, EXIT_OK, plural, printFileErrors, printScanNotes, printJson, printLine } from "../output.js";

export const CONFLICT_WORDS: Record<Conflict["kind"], string> = {
  oifm_id: "model ID",
  oifma_id: "attribute ID",
  name: "name (case-insensitive)",
};

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check every *.fm.json (directories searched recursively): schema, and clashing IDs and names across files")
    .argument("<paths...>", "model files or directories")
    .option("--reformat", "rewrite valid files that are not in canonical form")
    .option("--json", "machine-readable report on stdout")
    .action(async (paths: string[], opts: { reformat?: boolean; json?: boolean }) => {
      const { checkModelFiles } = await import("../../index/check-folder.js");
      const progress = await fileProgress(opts.json);
      const report = await checkModelFiles(paths, { reformat: opts.reformat, onProgress: progress.onProgress }).finally(progress.stop);
      const failed = report.invalid > 0 || report.conflicts.length > 0;
      if (opts.json) {
        const { files, valid, invalid, changed, errors, conflicts, notes } = report;
        printJson({ files, valid, invalid, changed: changed.length, changedFiles: changed, errors, conflicts, notes });
      } else {
        printScanNotes(report.notes);
        printFileErrors(report.errors);
        for (const c of report.conflicts) {
          printLine(`✗ duplicate ${CONFLICT_WORDS[c.kind]} ${c.value} in ${c.files.length} files:`);
          for (const file of c.files) printLine(`    ${file}`);
        }
        const verb = opts.reformat ? "rewritten in canonical form" : "not in canonical form (use --reformat)";
        for (const file of report.changed) printLine(`${opts.reformat ? "✎" : "~"} ${file}`);
        printLine(
          `${plural(report.files, "file")}: ${report.valid} valid, ${report.invalid} invalid, ` +
            `${plural(report.conflicts.length, "conflict")}; ${report.changed.length} ${verb}`,
        );
      }
      process.exitCode = failed ? EXIT_INVALID : EXIT_OK;
    });
}
