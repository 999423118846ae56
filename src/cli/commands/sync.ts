import type { Command } from "commander";
import { fileProgress } from "../progress.js";
import { EXIT_INVALID, EXIT_OK, printFileErrors, printJson, printLine } from "../output.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

interface SyncCommandOptions extends IndexCommandOptions {
  skipInvalid?: boolean;
  allowDuplicateSynonyms?: boolean;
}

export function registerSync(parent: Command): void {
  indexOptions(
    parent
      .command("sync")
      .description("bring the index in step with the *.fm.json files under a folder (all or nothing unless --skip-invalid)")
      .argument("<dir>", "folder of model files")
      .option("--skip-invalid", "index the valid files and report the others, instead of changing nothing")
      .option("--allow-duplicate-synonyms", "allow a synonym that is another model's name or synonym"),
  ).action(async (dir: string, opts: SyncCommandOptions) => {
    const report = await withIndex(opts, async (index) => {
      const progress = await fileProgress(opts.json);
      try {
        return await index.sync(dir, { skipInvalid: opts.skipInvalid, allowDuplicateSynonyms: opts.allowDuplicateSynonyms, onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
    }, "write");
    if (opts.json) {
      printJson(report);
    } else {
      printFileErrors(report.errors);
      const failedFiles = new Set(report.errors.map((e) => e.file)).size;
      if (report.errors.length > 0 && !opts.skipInvalid) printLine(`nothing changed: ${failedFiles} file(s) failed (fix them, or use --skip-invalid to index the rest)`);
      else printLine(`${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged, ${report.skipped} skipped in ${Math.round(report.ms)} ms`);
    }
    process.exitCode = report.errors.length > 0 ? EXIT_INVALID : EXIT_OK;
  });
}
