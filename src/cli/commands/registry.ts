import type { Command } from "commander";
import type { RegistryReport } from "../../index/update-registry.js";
import { fileProgress } from "../progress.js";
import { EXIT_INVALID, EXIT_OK, plural, printFileErrors, printScanNotes, printJson, printLine } from "../output.js";
import { CONFLICT_WORDS } from "./validate.js";

/** Files listed per kind in human output (a full regeneration writes thousands; --json lists all). */
const LISTED = 20;

export function registerRegistry(program: Command): void {
  program
    .command("registry")
    .description("the registry's job on every commit: validate defs/, rewrite each definition canonically, regenerate text/, index.md and ids.json")
    .argument("[dir]", "the registry's folder (definitions in <dir>/defs)", ".")
    .option("--check", "change nothing; exit 1 if a definition would be rewritten or an output regenerated (for CI)")
    .option("--json", "machine-readable report on stdout")
    .action(async (dir: string, opts: { check?: boolean; json?: boolean }) => {
      const { updateRegistry } = await import("../../index/update-registry.js");
      const progress = await fileProgress(opts.json);
      const report = await updateRegistry(dir, { check: opts.check, onProgress: progress.onProgress }).finally(progress.stop);
      const failed = report.errors.length > 0 || report.conflicts.length > 0;
      if (!opts.json) printScanNotes(report.notes);
      if (opts.json) {
        const { changed, ...rest } = report;
        printJson({ ...rest, changed: changed.length, changedFiles: changed });
      } else if (failed) {
        printFileErrors(report.errors);
        for (const c of report.conflicts) {
          printLine(`✗ duplicate ${CONFLICT_WORDS[c.kind]} ${c.value} in ${c.files.length} files:`);
          for (const file of c.files) printLine(`    ${file}`);
        }
        printLine(`${plural(report.files, "definition")}: ${report.invalid} invalid, ${plural(report.conflicts.length, "conflict")}; nothing changed: fix ${plural(report.errors.length + report.conflicts.length, "problem")} above first (${seconds(report)})`);
      } else {
        printSummary(report);
      }
      process.exitCode = failed || (report.check && !report.upToDate) ? EXIT_INVALID : EXIT_OK;
    });
}

function printSummary(report: RegistryReport): void {
  const mark = report.check ? "~" : "✎";
  list(mark, report.changed);
  list(mark, report.written);
  list("-", report.removed);
  const outputs = report.written.length + report.unchanged;
  if (report.upToDate) {
    printLine(`${plural(report.files, "definition")} checked: all valid and canonical; ${plural(outputs, "output")} up to date (${seconds(report)})`);
    return;
  }
  const parts = report.check
    ? [`${report.changed.length} not in canonical form`, `${report.written.length} of ${plural(outputs, "output")} to regenerate`, `${plural(report.removed.length, "stale text file")} to remove`]
    : [`${report.changed.length} rewritten in canonical form`, `${report.written.length} of ${plural(outputs, "output")} regenerated, ${report.unchanged} up to date`, `${plural(report.removed.length, "stale text file")} removed`];
  printLine(`${plural(report.files, "definition")} checked, all valid: ${parts.join("; ")} (${seconds(report)})`);
  if (report.check) printLine(`not up to date: run \`findingmodel registry${report.dir === "." ? "" : " " + report.dir}\` to bring it up to date`);
}

function list(mark: string, files: readonly string[]): void {
  for (const file of files.slice(0, LISTED)) printLine(`${mark} ${file}`);
  if (files.length > LISTED) printLine(`  … and ${files.length - LISTED} more (--json lists them all)`);
}

function seconds(report: RegistryReport): string {
  return report.ms < 1000 ? `${Math.round(report.ms)} ms` : `${(report.ms / 1000).toFixed(1)} s`;
}
