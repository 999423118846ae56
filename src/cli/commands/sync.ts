import type { Command } from "commander";
import type { RemovalPlan } from "../../index/sync.js";
import { EXIT_INVALID, EXIT_OK, printFileErrors, printJson, printScanNotes, printLine, printSyncWarnings, warn } from "../output.js";
import { canAsk, confirmRemoval } from "../confirm-removal.js";
import { fileToBeCreated, removeIndexFile } from "../new-index-file.js";
import { fileProgress } from "../progress.js";
import { strictSynonyms, synonymOptions, type SynonymCommandOptions } from "../synonym-options.js";
import { indexOptions, waitNotice, withIndex, type IndexCommandOptions } from "../with-index.js";

interface SyncCommandOptions extends IndexCommandOptions, SynonymCommandOptions {
  skipInvalid?: boolean;
  verbose?: boolean;
  yes?: boolean;
}

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
      const progress = await fileProgress(opts.json);
      const embedding = await fileProgress(opts.json, { verb: "embedding", unit: "models", from: 20 });
      try {
        const ask = !opts.yes && canAsk(opts.json) ? async (plan: RemovalPlan) => confirmRemoval(plan, (await index.store.stats()).location) : undefined;
        return await index.sync(dir, { skipInvalid: opts.skipInvalid, strictSynonyms: strict, onProgress: progress.onProgress, onEmbedProgress: (done, total) => {
          progress.stop();
          embedding.onProgress?.(done, total);
        }, confirmRemoval: ask, onWait: waitNotice() });
      } finally {
        progress.stop();
        embedding.stop();
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
      printScanNotes(report.notes);
      printFileErrors(report.errors);
      printSyncWarnings(report.warnings, opts.verbose === true);
      // The sync stands without vectors; search answers from words until the next sync makes them.
      if (report.embeddings?.error) warn(`findingmodel: ${report.embeddings.error}`);
      const failedFiles = new Set(report.errors.map((e) => e.file)).size;
      if (report.errors.length > 0 && !opts.skipInvalid) printLine(`nothing changed: ${failedFiles} file(s) failed (fix them, or use --skip-invalid to index the rest)`);
      else printLine(`${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged, ${report.skipped} skipped in ${Math.round(report.ms)} ms${report.embeddings ? `; ${report.embeddings.embedded} vectors made, ${report.embeddings.reused} kept` : ""}`);
    }
    process.exitCode = report.errors.length > 0 ? EXIT_INVALID : EXIT_OK;
  });
}
