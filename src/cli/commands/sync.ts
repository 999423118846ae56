import type { Command } from "commander";
import type { RemovalPlan } from "../../index/sync.js";
import { EXIT_INVALID, EXIT_OK, printFileErrors, printJson, printLine, printSyncWarnings } from "../output.js";
import { canAsk, confirmRemoval } from "../confirm-removal.js";
import { fileToBeCreated, removeIndexFile } from "../new-index-file.js";
import { strictSynonyms, synonymOptions, type SynonymCommandOptions } from "../synonym-options.js";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";

interface SyncCommandOptions extends IndexCommandOptions, SynonymCommandOptions {
  skipInvalid?: boolean;
  verbose?: boolean;
  yes?: boolean;
}

/** Below this many files to read, a progress bar would only flash. */
const PROGRESS_FROM = 500;
/** The bar, files done of all, how fast, and how long until done (cli-progress works out the time left). */
const PROGRESS_FORMAT = "reading {bar} {value}/{total} files | {rate} files/s | {eta_formatted} left";

export function registerSync(parent: Command, name = "sync"): void {
  indexOptions(
    synonymOptions(
      parent
        .command(name)
        .description("bring the index in step with the *.fm.json files under a folder (all or nothing unless --skip-invalid)")
        .argument("<dir>", "folder of model files")
        .option("--skip-invalid", "index the valid files and report the others, instead of changing nothing"),
    )
      .option("--verbose", "list every warning (by default the first few)")
      .option("--yes", "do not ask before removing most of an index synced from another folder (asked only on a terminal)"),
  ).action(async (dir: string, opts: SyncCommandOptions) => {
    const strict = strictSynonyms(opts);
    const created = fileToBeCreated(opts);
    /** Whether the index this sync created holds nothing once it is done (then a failure removes the file). */
    let leftEmpty = false;
    const run = withIndex(opts, async (index) => {
      // A bar only on a terminal, and its library loaded only then (a few ms of every sync otherwise).
      const bar = !opts.json && process.stderr.isTTY ? new (await import("cli-progress")).SingleBar({ format: PROGRESS_FORMAT, hideCursor: true, etaBuffer: 100 }) : undefined;
      let started = 0;
      const onProgress = bar
        ? (done: number, total: number) => {
            if (!started && total >= PROGRESS_FROM) {
              started = performance.now();
              bar.start(total, 0, { rate: "…" });
            }
            if (started) bar.update(done, { rate: Math.round(done / Math.max((performance.now() - started) / 1000, 0.001)) });
          }
        : undefined;
      try {
        const ask = !opts.yes && canAsk(opts.json) ? async (plan: RemovalPlan) => confirmRemoval(plan, (await index.store.stats()).location) : undefined;
        return await index.sync(dir, { skipInvalid: opts.skipInvalid, strictSynonyms: strict, onProgress, confirmRemoval: ask });
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
