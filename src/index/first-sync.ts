// The first sync of a folder: into an empty index, there is nothing to replace, remove or keep, and
// nothing in the index to clash with. So each file is written as soon as it is read and checked
// (against the files before it), in parts inside one transaction, and no model is held until the
// end: only the keys the cross-file checks need, which lowers the peak of memory and, for many
// models, the time (docs/performance.md, "Memory" and "Figures behind the code").
//
// The store may write the parts on a thread of its own while this loop reads and checks the next
// files (SQLite: store/sqlite/write-on-thread.ts); the loop is the same either way.
//
// All or nothing still: once a file fails (without skip-invalid), nothing more is written, the
// rest are still read and checked so that the report lists every failing file, and the
// transaction is rolled back.
import type { EntryRecord, Store, SyncChanges } from "../store/store.js";
import { CrossChecker } from "./cross-check.js";
import { processFile, type FileError } from "./process-files.js";
import { ContributorUpserts, relativeName, toCandidate, toEntryRecord } from "./sync-records.js";
import type { SyncReport, SyncTuning } from "./sync.js";

/** Files between progress reports (as processFiles reports its chunks). */
const PROGRESS_EVERY = 32;

/** Thrown from the parts to roll the transaction back when a file failed; not an error of the store. */
class RollBack {}

/** Sync `files` (under `dir`) into an empty index; `errors` holds problems found before reading (kept, and added to). */
export async function syncIntoEmptyIndex(
  store: Store,
  dir: string,
  files: readonly string[],
  errors: FileError[],
  options: SyncTuning & Pick<SyncChanges, "syncedFrom">,
): Promise<Omit<SyncReport, "ms" | "roundTrips">> {
  // No models, but people and organizations may have stayed from models removed before: a detail
  // a file leaves out is kept from them, as in any sync.
  const known = await store.validationSnapshot();
  const checker = new CrossChecker([], { people: [], organizations: [] }, options);
  const contributors = new ContributorUpserts(known);
  let added = 0;
  let skipped = new Set(errors.map((e) => e.file)).size;
  let failed = skipped > 0;
  const warnings: FileError[] = [];

  function* parts(): Generator<SyncChanges> {
    let upserts: EntryRecord[] = [];
    for (let i = 0; i < files.length; i++) {
      const p = processFile(files[i]!, { record: true });
      const candidate = p.summary ? toCandidate(p, relativeName(dir, p.file), "added") : undefined;
      const problems = candidate ? checker.check(candidate, warnings) : p.errors;
      if ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === files.length) options.onProgress?.(i + 1, files.length);
      if (problems.length > 0) {
        errors.push(...problems);
        skipped++;
        failed = true;
        continue;
      }
      // After a failure without skip-invalid, files are only checked: nothing will be kept.
      if (failed && !options.skipInvalid) continue;
      upserts.push(toEntryRecord(candidate!));
      contributors.add(candidate!.contributors);
      added++;
      if (upserts.length === store.modelsPerPart) {
        yield { upserts, deletes: [], people: [], organizations: [] };
        upserts = [];
      }
    }
    if (failed && !options.skipInvalid) throw new RollBack();
    // The last part records the folder (with the commit, on a server).
    yield { upserts, deletes: [], ...contributors.changes(), syncedFrom: options.syncedFrom };
  }

  const report = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: 0, errors, warnings, applied: false };
  try {
    await store.apply({ parts: parts(), models: files.length, allNew: true });
  } catch (e) {
    if (e instanceof RollBack) return report;
    throw e;
  }
  return { ...report, added, skipped, applied: added > 0 };
}
