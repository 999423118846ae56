import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { fileProgress } from "../progress.js";
import { EXIT_INVALID, EXIT_OK, plural, printFileErrors, printScanNotes, printJson, printLine, UsageError } from "../output.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("write the registry's text/<slug>.md for each model, index.md and ids.json (only files that changed)")
    .argument("<defsDir>", "folder of *.fm.json definitions")
    .requiredOption("--out <dir>", "folder to write text/, index.md and ids.json into")
    .option("--json", "machine-readable report on stdout")
    .action(async (defsDir: string, opts: { out: string; json?: boolean }) => {
      const info = await stat(defsDir).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`${defsDir} is not a directory of model definitions`);
      const { exportRegistry } = await import("../../index/export.js");
      const progress = await fileProgress(opts.json);
      const report = await exportRegistry(defsDir, opts.out, { onProgress: progress.onProgress }).finally(progress.stop);
      const failed = report.errors.length > 0 || report.conflicts.length > 0;
      if (opts.json) {
        const { files, valid, invalid, errors, conflicts, notes, written, unchanged } = report;
        printJson({ files, valid, invalid, written, unchanged, errors, conflicts, notes });
      } else {
        printScanNotes(report.notes);
        printFileErrors(report.errors);
        for (const c of report.conflicts) printLine(`✗ duplicate ${c.kind} ${c.value}: ${c.files.join(", ")}`);
        if (failed) printLine(`nothing exported: fix the ${plural(report.errors.length + report.conflicts.length, "problem")} above first`);
        else printLine(`${plural(report.files, "model")}: ${report.written.length} written, ${report.unchanged} unchanged in ${opts.out}`);
      }
      process.exitCode = failed ? EXIT_INVALID : EXIT_OK;
    });
}
