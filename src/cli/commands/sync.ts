import type { Command } from "commander";
import { EXIT_INVALID, EXIT_OK, printFileErrors, printJson, printLine, printSyncWarnings } from "../output.js";
import { fileToBeCreated, removeIndexFile } from "../new-index-file.js";
import { strictSynonyms, synonymOptions, type SynonymCommandOptions } from "../synonym-options.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

interface SyncCommandOptions extends IndexCommandOptions, SynonymCommandOptions {
  skipInvalid?: boolean;
  verbose?: boolean;
}

/** Below this many files to read, a progress bar would only flash. */
const PROGRESS_FROM = 500;

export function registerSync(parent: Command, name = "sync"): void {
  indexOptions(
    synonymOptions(
      parent
        .command(name)
        .description("bring the index in step with the *.fm.json files under a folder (all or nothing unless --skip-invalid)")
        .argument("<dir>", "folder of model files")
        .option("--skip-invalid", "index the valid files and report the others, instead of changing nothing"),
    ).option("--verbose", "list every warning (by default the first few)"),
  ).action(async (dir: string, opts: SyncCommandOptions) => {
    const strict = strictSynonyms(opts);
    const created = fileToBeCreated(opts);
    /** Whether the index this sync created holds nothing once it is done (then a failure removes the file). */
    let leftEmpty = false;
    const run = withIndex(opts, async (index) => {
      // A bar only on a terminal, and its library loaded only then (a few ms of every sync otherwise).
      const bar = !opts.json && process.stderr.isTTY ? new (await import("cli-progress")).SingleBar({ format: "reading {bar} {value}/{total} files", hideCursor: true }) : undefined;
      let started = false;
      const onProgress = bar
        ? (done: number, total: number) => {
            if (!started && total >= PROGRESS_FROM) {
              bar.start(total, 0);
              started = true;
            }
            if (started) bar.update(done);
          }
        : undefined;
      try {
        return await index.sync(dir, { skipInvalid: opts.skipInvalid, strictSynonyms: strict, onProgress });
      } finally {
        if (started) bar?.stop();
        if (created) leftEmpty = (await index.count().catch(() => -1)) === 0;
      }
    }, "write");
    const report = await run.catch((e: unknown) => {
      if (created && leftEmpty) removeIndexFile(created);
      throw e;
    });
    if (created && leftEmpty && report.errors.length > 0 && !report.applied) removeIndexFile(created);
    if (opts.json) {
      printJson(report);
    } else {
      printFileErrors(report.errors);
      printSyncWarnings(report.warnings, opts.verbose === true);
      const failedFiles = new Set(report.errors.map((e) => e.file)).size;
      if (report.errors.length > 0 && !opts.skipInvalid) printLine(`nothing changed: ${failedFiles} file(s) failed (fix them, or use --skip-invalid to index the rest)`);
      else printLine(`${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged, ${report.skipped} skipped in ${Math.round(report.ms)} ms`);
    }
    process.exitCode = report.errors.length > 0 ? EXIT_INVALID : EXIT_OK;
  });
}
