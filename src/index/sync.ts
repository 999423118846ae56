// Keeping an index in step with a folder of model files:
//   scan (paths, size, mtime) -> skip files the index has with the same size and mtime -> read,
//   hash and check the rest (worker threads) -> plan (added / updated / removed / unchanged) ->
//   check the batch against itself and the index (one bulk read: for a few files, of only what they
//   can clash with) -> apply in one transaction.
// A first sync (an empty index) reads, checks and writes each file in turn instead: first-sync.ts.
// All or nothing by default: if any file fails, the index does not change at all.
import { nameKey } from "../model/names.js";
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import type { Organization, Person } from "../model/types.js";
import { isPerson } from "../model/types.js";
import { StoreError, type ContributorRef, type FileState, type SnapshotScope, type Store, type SyncChanges, type ValidationSnapshot } from "../store/store.js";
import { statesFingerprint } from "../store/rows.js";
import { crossCheck } from "./cross-check.js";
import { HELD_JSON_BUDGET, holdJsonUpTo } from "./held-json.js";
import { InvalidRequestError } from "./errors.js";
import type { EmbedReport } from "./embeddings/embed-index.js";
import { syncIntoEmptyIndex } from "./first-sync.js";
import { processFiles, usesWorkers, type FileError } from "./process-files.js";
import { contributorRef, ContributorUpserts, relativeName, toCandidate, toEntryRecord, type Candidate } from "./sync-records.js";
import { findModelFiles, statFiles, type ScanProblem } from "./scan.js";

export interface SyncOptions {
  /** Index the valid files and report the rest, instead of changing nothing when any file fails. */
  skipInvalid?: boolean;
  /**
   * Refuse a name or synonym that is another model's name or synonym, as an error of the file. By
   * default such a shared synonym is a warning (SyncReport.warnings) and the model is indexed.
   */
  strictSynonyms?: boolean;
  /** @deprecated Ignored: a shared synonym is a warning by default (strictSynonyms makes it an error). */
  allowDuplicateSynonyms?: boolean;
  /**
   * Asked before a sync of a folder that would remove more than half of the models of the index
   * when the index was last synced from another folder (or does not record one): whether to go
   * on. Without it, the sync goes on. Asked before any file is read; nothing is changed when it
   * answers false (the sync then throws a SyncDeclinedError).
   */
  confirmRemoval?: (plan: RemovalPlan) => boolean | Promise<boolean>;
  /** Progress of making vectors for semantic search after the sync (models done of total; see embed-index.ts). */
  onEmbedProgress?: (done: number, total: number) => void;
  /**
   * Called while the sync waits for another program's first sync of the same new index to finish
   * (with the milliseconds waited so far), each time it looks again; it then goes on.
   */
  onWait?: (waitedMs: number) => void;
  /** Progress of the reading phase (files done of total). */
  onProgress?: (done: number, total: number) => void;
  /** Threads for reading and checking (default: FINDINGMODEL_THREADS, else 1; see process-files.ts). */
  threads?: number;
  /**
   * Run the sync on a thread of its own, with its own connection to the index, so that this
   * thread keeps answering reads while it runs (as the server's POST /api/sync does): readers see
   * the index as it was until the sync commits, then as it is after. For an index opened for
   * writing (a SQLite file or a PostgreSQL schema), without confirmRemoval (a question the thread
   * cannot ask); otherwise, and when running from the TypeScript source, the sync runs on this thread.
   */
  onThread?: boolean;
}

/**
 * Switches that choose between ways of doing the same sync, each with the same result: for the
 * benchmark (which measures each way against the other) and tests. Not part of the public API;
 * reached through index/internal.ts.
 */
export interface SyncTuning extends SyncOptions {
  /**
   * How the cross-file checks learn what the index holds: "bulk" (default), one read
   * (Store.validationSnapshot) of what the batch can clash with when the batch is small beside the
   * index, else of it all; "whole", one read of it all whatever the batch; "per-model", a query per
   * indexed model and per contributor, the straightforward way the performance plan replaces.
   * Same result; only for measuring.
   */
  validationRead?: "bulk" | "whole" | "per-model";
  /**
   * How unchanged files are found: "stat" (default) does not read a file whose size and
   * modification time are what the index recorded; "hash" reads and hashes every file and
   * compares hashes. Same result; only for measuring.
   */
  changeDetection?: "stat" | "hash";
  /**
   * Whether a sync into an empty index writes each file as soon as it is checked (default; see
   * first-sync.ts) rather than holding them all until every file is checked, as a sync into an
   * index that holds models must. Same result; only for measuring and tests.
   */
  streamFirstSync?: boolean;
  /** Characters of model JSON held between checking and writing before files are read again instead (see held-json.ts). */
  heldJsonBudget?: number;
}

export interface SyncReport {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files that failed and were left out (with skipInvalid); without it, nothing is applied when any fails. */
  skipped: number;
  errors: FileError[];
  /**
   * What was indexed all the same: a name or synonym that another model also has (the file, where
   * in it, and the other model and its file). Only for the files this sync read and checked.
   */
  warnings: FileError[];
  /** What the scan found and left alone, not a failure: a link to a folder already searched (a loop). Absent when none. */
  notes?: ScanProblem[];
  /** Whether the index was changed (false when nothing changed, or a failure stopped the sync). */
  applied: boolean;
  ms: number;
  /**
   * Statements this sync sent to the database server (reads and the apply), when the store counts
   * them (PostgreSQL: a handful, and one more per 1,000 changed models); absent for SQLite.
   */
  roundTrips?: number;
  /** Vectors for semantic search made after the sync, when the index has an embeddings provider. */
  embeddings?: EmbedReport;
}

/** What a sync that removes most of the index is about to do (see SyncOptions.confirmRemoval). */
export interface RemovalPlan {
  /** Models the sync would remove. */
  removing: number;
  /** Models in the index now. */
  indexed: number;
  /** The folder being synced (absolute). */
  folder: string;
  /** The folder the index was last synced from, when it records one. */
  syncedFrom: string | undefined;
}

export class SyncDirectoryError extends InvalidRequestError {
  static override readonly errorCode = "sync-folder";
}

/** The sync was not confirmed (SyncOptions.confirmRemoval answered false); nothing changed. */
export class SyncDeclinedError extends InvalidRequestError {
  static override readonly errorCode = "sync-declined";
}

/** Bring the index in `store` in step with the model files under `dir`: add, update and remove. */
export async function syncFolder(store: Store, dir: string, options: SyncTuning = {}): Promise<SyncReport> {
  const found = findModelFiles([dir]);
  if (found.missing.length > 0) throw new SyncDirectoryError(`${dir} does not exist`);
  // Files are recorded relative to the folder; a single file has none (use addOrUpdateFromFile).
  if (!statSync(dir).isDirectory()) throw new SyncDirectoryError(`${dir} is a file; sync takes the folder that holds the model files`);
  const problems: FileError[] = found.problems.map((p) => ({ file: p.file, path: "$", message: p.message }));
  const report = await syncFiles(store, { root: dir, files: found.files, scanProblems: problems, removeMissing: true }, options);
  return found.notes.length > 0 ? { ...report, notes: found.notes } : report;
}

/** Which files a sync brings the index in step with (see syncFiles). */
export interface SyncFileSet {
  /** The folder the files are recorded relative to. */
  root: string;
  /** Paths of model files under `root`. */
  files: readonly string[];
  /** Failures the scan already found (each an error of the sync, as a file that fails its checks). */
  scanProblems?: readonly FileError[];
  /** Whether indexed files not among `files` are removed (a folder sync) or kept (a sync of some files). */
  removeMissing?: boolean;
}

/**
 * Bring the index in step with `set.files`, with the checks and all-or-nothing rule of a sync.
 * With `set.removeMissing`, indexed files not among them are removed.
 */
export async function syncFiles(store: Store, set: SyncFileSet, options: SyncTuning = {}): Promise<SyncReport> {
  const started = performance.now();
  for (;;) {
    try {
      return await syncPlanned(store, set, options, 0);
    } catch (e) {
      // Another program's first sync holds the new index (StoreError "building"): this one has
      // written nothing; it waits for that sync, as long as it runs, and then plans afresh.
      if (!(e instanceof StoreError && e.code === "building")) throw e;
      options.onWait?.(performance.now() - started);
      await sleep(WAIT_STEP_MS);
    }
  }
}

/** How often a sync waiting for another one looks again. */
const WAIT_STEP_MS = 200;

/** syncFiles, planned again `replanned` times already because other syncs wrote first (see REPLANS). */
async function syncPlanned(store: Store, set: SyncFileSet, options: SyncTuning, replanned: number): Promise<SyncReport> {
  const { root, files, scanProblems = [], removeMissing = false } = set;
  const started = performance.now();
  const tripsBefore = store.roundTrips?.();
  /** The report, timed, with the round trips of this sync when the store counts them. */
  const done = <R extends Omit<SyncReport, "ms" | "roundTrips">>(r: R): SyncReport => {
    const trips = store.roundTrips?.();
    return { ...r, ms: performance.now() - started, ...(tripsBefore !== undefined && trips !== undefined ? { roundTrips: trips - tripsBefore } : {}) };
  };
  const dir = root;
  const errors: FileError[] = [...scanProblems];
  const stateList = await store.fileStates();
  const states = new Map<string, FileState>(stateList.map((s) => [s.filename, s]));
  // Size and time tell unchanged files from changed ones; an empty index has none to tell, and
  // reading each file gives its size and time anyway (and says if it vanished).
  const { stats, problems } = states.size > 0 ? statFiles(files) : { stats: files.map((f) => ({ path: f, size: -1, mtimeMs: -1 })), problems: [] };
  for (const p of problems) errors.push({ file: p.file, path: "$", message: p.message });

  const present = new Set<string>();
  const toRead: string[] = [];
  let unchanged = 0;
  for (const s of stats) {
    const filename = relativeName(dir, s.path);
    present.add(filename);
    const state = states.get(filename);
    if (options.changeDetection !== "hash" && state && state.fileSize === s.size && state.fileMtimeMs === s.mtimeMs) unchanged++;
    else toRead.push(s.path);
  }
  // A file that vanished between the scan and stat is a failure, not a removal.
  for (const p of problems) present.add(relativeName(dir, p.file));
  // So is every file under a folder the scan could not search (or a file it could not name): the
  // index keeps what it has from there.
  const unsearched = scanProblems.map((p) => relativeName(dir, p.file));
  const missing = (f: string) => !present.has(f) && !unsearched.some((u) => f === u || f.startsWith(u + "/"));
  const removedFiles = removeMissing ? [...states.keys()].filter(missing) : [];
  // A folder sync records its folder with its change (and asks before removing most of an index
  // synced from elsewhere); a sync of some files (addOrUpdateFromFile) does neither.
  const syncedFrom = removeMissing ? path.resolve(root) : undefined;
  if (syncedFrom !== undefined && options.confirmRemoval && removedFiles.length * 2 > states.size) {
    const before = await store.syncedFrom();
    if (before !== syncedFrom) {
      const plan: RemovalPlan = { removing: removedFiles.length, indexed: states.size, folder: syncedFrom, syncedFrom: before };
      if (!(await options.confirmRemoval(plan))) throw new SyncDeclinedError(`nothing changed: the sync of ${root} would have removed ${removedFiles.length} of the ${states.size} models in the index, and was not confirmed`);
    }
  }

  // Into an empty index, each file is written as soon as it is checked (first-sync.ts), on this
  // thread; with worker threads asked for (and worth starting), files are read on them and held.
  if (states.size === 0 && toRead.length > 0 && options.streamFirstSync !== false && !usesWorkers(toRead.length, options.threads)) {
    try {
      return done(await syncIntoEmptyIndex(store, dir, toRead, errors, { ...options, syncedFrom }));
    } catch (e) {
      // Another sync filled the index after this one found it empty (and before this one wrote
      // anything): sync again, against what it holds now; the report's time and round trips are
      // of both tries.
      if (e instanceof StoreError && e.code === "changed") return done(await syncFiles(store, set, { ...options, streamFirstSync: false }));
      throw e;
    }
  }

  const onResult = holdJsonUpTo(options.heldJsonBudget ?? HELD_JSON_BUDGET);
  const processed = await processFiles(toRead, { record: true }, { onProgress: options.onProgress, threads: options.threads, onResult });
  const touched: NonNullable<SyncChanges["touched"]> = [];
  const candidates: Candidate[] = [];
  for (const p of processed) {
    if (!p.summary || !p.record) {
      errors.push(...p.errors);
      continue;
    }
    const filename = relativeName(dir, p.file);
    const state = states.get(filename);
    if (state && state.fileHash === p.record.fileHash) {
      unchanged++;
      if (state.fileSize !== p.record.fileSize || state.fileMtimeMs !== p.record.fileMtimeMs) {
        touched.push({ oifm_id: state.oifm_id, fileSize: p.record.fileSize, fileMtimeMs: p.record.fileMtimeMs });
      }
    } else {
      candidates.push(toCandidate(p, filename, state ? "updated" : "added"));
    }
  }

  // The cross-file rules hold for the whole resulting index (see crossCheck). The index's own
  // models met them when they were written, so only what a changed file can clash with is read;
  // shared synonyms, which an index synced without strictSynonyms may hold, are errors with it,
  // so then the whole index is read, even when no file changed.
  const strict = options.strictSynonyms === true;
  const snapshot =
    candidates.length === 0 && removedFiles.length === 0 && !(strict && states.size > 0)
      ? undefined
      : options.validationRead === "per-model"
        ? await snapshotPerModel(store, states, candidates)
        : await store.validationSnapshot(!strict && options.validationRead !== "whole" && candidates.length * SCOPED_BELOW < states.size ? scopeOf(candidates, removedFiles) : undefined);
  let kept = candidates;
  let warnings: FileError[] = [];
  let failedIndexed: string[] = [];
  if (snapshot) {
    const replaced = new Set([...candidates.map((c) => c.filename), ...removedFiles]);
    const remaining = snapshot.models.filter((m) => !replaced.has(m.filename));
    const pathOf = new Map(stats.map((s) => [relativeName(dir, s.path), s.path]));
    const fileOf = (filename: string) => pathOf.get(filename) ?? path.join(dir, filename);
    const clashes = crossCheck(candidates, remaining, snapshot, options, removeMissing ? fileOf : undefined);
    for (const list of clashes.errors.values()) errors.push(...list);
    warnings = clashes.warnings;
    kept = candidates.filter((c) => !clashes.errors.has(c.file));
    // An indexed file that now loses a clash to a file before it: not unchanged, and (with
    // skipInvalid) its model leaves the index, as it would not be in an index made anew.
    failedIndexed = clashes.failedIndexed;
    unchanged -= failedIndexed.length;
  }

  const failedFiles = new Set(errors.map((e) => e.file));
  const report = { added: 0, updated: 0, removed: 0, unchanged, skipped: 0, errors, warnings, applied: false };
  if (failedFiles.size > 0 && !options.skipInvalid) return done(report);
  report.skipped = failedFiles.size;

  const dropped = new Set(failedIndexed.map((f) => states.get(f)!.oifm_id));
  const touchedKept = touched.filter((t) => !dropped.has(t.oifm_id));
  const changes = { ...planChanges(kept, [...removedFiles, ...failedIndexed], states, snapshot, touchedKept), syncedFrom, basis: statesFingerprint(stateList) };
  if (changes.upserts.length + changes.deletes.length + changes.people.length + changes.organizations.length + touchedKept.length > 0) {
    try {
      await store.apply(changes);
    } catch (e) {
      // Another sync wrote between this one's read of the index and its write: the plan is stale
      // (applied, it would leave a mix of both). Nothing was written; plan again from what the
      // index holds now, so that the index ends as this sync's folder says.
      if (e instanceof StoreError && e.code === "changed" && replanned < REPLANS) return done(await syncPlanned(store, set, options, replanned + 1));
      throw e;
    }
    report.applied = true;
  }
  report.added = kept.filter((c) => c.kind === "added").length;
  report.updated = kept.length - report.added;
  report.removed = removedFiles.length;
  return done(report);
}

/** Times a sync is planned again when other syncs keep writing first; then it fails (StoreError "changed"). */
const REPLANS = 3;

/**
 * What validationSnapshot gives, read the straightforward way: each indexed model by itself, then
 * each contributor it names (and each the batch names) by itself. For measuring only.
 */
async function snapshotPerModel(store: Store, states: ReadonlyMap<string, FileState>, batch: readonly Candidate[]): Promise<ValidationSnapshot> {
  const models: ValidationSnapshot["models"] = [];
  const people = new Map<string, Person>();
  const organizations = new Map<string, Organization>();
  const readContributor = async (kind: ContributorRef["kind"], key: string) => {
    if (kind === "person") {
      const p = await store.getPerson(key);
      if (p) people.set(key, p);
    } else {
      const o = await store.getOrganization(key);
      if (o) organizations.set(key, o);
    }
  };
  for (const state of states.values()) {
    const [e] = await store.getEntries([state.oifm_id]);
    if (!e) continue;
    models.push({ oifm_id: e.oifm_id, name: e.name, filename: e.filename, synonyms: e.synonyms, attributeIds: e.attributes.map((a) => a.oifma_id), contributors: e.contributors });
    for (const c of e.contributors) await readContributor(c.kind, c.key);
  }
  for (const c of batch.flatMap((b) => b.contributors)) {
    const ref = contributorRef(c);
    await readContributor(ref.kind, ref.key);
  }
  return { models, people: [...people.values()], organizations: [...organizations.values()] };
}

/**
 * A batch reads only what it can clash with when it is under a tenth of the index (a sync of one
 * changed file reads a few rows instead of every model); a larger one reads the whole index, in
 * one scan instead of lookups of every key.
 */
const SCOPED_BELOW = 10;

function scopeOf(batch: readonly Candidate[], removedFiles: readonly string[]): SnapshotScope {
  const terms = new Set<string>();
  const people = new Set<string>();
  const organizations = new Set<string>();
  for (const c of batch) {
    terms.add(nameKey(c.summary.name));
    for (const synonym of c.summary.synonyms ?? []) terms.add(nameKey(synonym));
    for (const contributor of c.contributors) {
      if (isPerson(contributor)) people.add(contributor.github_username);
      else organizations.add(contributor.code);
    }
  }
  return {
    oifmIds: batch.map((c) => c.summary.oifm_id),
    terms: [...terms],
    attributeIds: batch.flatMap((c) => c.summary.attributes.map((a) => a.oifma_id)),
    filenames: [...batch.map((c) => c.filename), ...removedFiles],
    people: [...people],
    organizations: [...organizations],
  };
}

function planChanges(kept: Candidate[], removedFiles: string[], states: Map<string, FileState>, snapshot: ValidationSnapshot | undefined, touched: SyncChanges["touched"]): SyncChanges {
  const upserts = kept.map(toEntryRecord);
  const upserted = new Set(upserts.map((u) => u.oifm_id));
  // The models of removed files, and the old ID of a file whose model ID changed, unless that ID
  // is written again (a model that moved to another file).
  const oldIds = [...removedFiles.map((f) => states.get(f)!.oifm_id), ...kept.flatMap((c) => states.get(c.filename)?.oifm_id ?? [])];
  const deletes = [...new Set(oldIds.filter((id) => !upserted.has(id)))];
  const contributors = new ContributorUpserts(snapshot);
  for (const k of kept) contributors.add(k.contributors);
  return { upserts, deletes, ...contributors.changes(), touched };
}
