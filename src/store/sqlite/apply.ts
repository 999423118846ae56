// Writing one sync's changes: all in one transaction, so that a failure leaves the file as it was.
//
// Every model written is first removed (its row, and with it, by ON DELETE CASCADE, its JSON,
// attributes, synonyms and tags; and its full-text row), then inserted whole. All removals come
// before all inserts, so that models may trade names, files or attribute IDs within one change.
// A change given in parts (a first sync, see index/first-sync.ts) is written part by part in the
// same transaction; its models are all new, so nothing is removed for them.
//
// Model rows go in one statement call each (each carries its model JSON, and a clash must name the
// model); the many small rows that hang off them (attributes, synonyms, tags, full text) go in one
// INSERT ... SELECT FROM json_each(?) per table and per 1,000 models, because a statement call from JavaScript costs
// more than SQLite's insert of such a row. Model rows get their integer keys from here (max + 1,
// ...), so the full-text rows can be written in bulk with them.
import { nameKey } from "../../model/names.js";
import Database from "better-sqlite3";
import type { ChangeParts, ContributorRef, EntryRecord, SyncChanges } from "../store.js";
import { changedError, isAllNew, notEmptyError, partsOf, removedIds, StoreError } from "../store.js";
import type { Statements } from "./statements.js";
import { entryColumns, RemovedContributors, statesFingerprint, uniqueSynonyms, uniqueTags } from "../rows.js";
import { attributeIdTaken, attributeIdTwice, describeRecord, fileTaken, modelIdTwice, nameTaken, otherClash } from "../clashes.js";

/**
 * How rows are written: "batched" (the default, as described above) or "per-row", one statement
 * call per row of every table, the straightforward way; kept only to measure what batching saves
 * (`npm run bench`). Both write the same rows and fail the same way.
 */
export type WriteMode = "batched" | "per-row";

export function makeApply(db: Database.Database, s: Statements, location: string, mode: WriteMode = "batched", begun?: () => void): (changes: SyncChanges | ChangeParts) => void {
  const write = db.transaction((changes: SyncChanges | ChangeParts) => {
    begun?.();
    const allNew = isAllNew(changes);
    if (allNew) checkEmpty(s, location);
    else if (!("parts" in changes) && changes.basis !== undefined) checkBasis(s, location, changes.basis);
    const gone = new RemovedContributors();
    for (const part of partsOf(changes)) writePart(s, part, allNew, mode, gone);
    pruneContributors(s, gone);
    if (allNew) finishAllNew(s);
  });
  // BEGIN IMMEDIATE: wait (up to the busy timeout) for the write lock before reading anything, so
  // that a concurrent writer makes this wait rather than fail half-way.
  return (changes) => write.immediate(changes);
}

/** A change planned from file states the index no longer has is refused (SyncChanges.basis). */
function checkBasis(s: Statements, location: string, basis: string): void {
  const states = s.fileStates.all().map((r) => ({ filename: r.filename, oifm_id: r.oifm_id, fileHash: r.file_hash, fileSize: r.file_size, fileMtimeMs: r.file_mtime_ms }));
  if (statesFingerprint(states) !== basis) throw changedError(location);
}

/** A change of only new models is for an empty index: one another sync filled first is refused. */
export function checkEmpty(s: Statements, location: string): void {
  if (s.anyModel.get()) throw notEmptyError(location);
}

/**
 * After the last part of a change of only new models. FTS5 starts a segment of its index at each
 * statement that writes it within a transaction, and searches over many segments are slower:
 * merged into one, they are fastest, for a few milliseconds at the end of a first sync
 * (docs/performance.md, "Memory").
 */
export function finishAllNew(s: Statements): void {
  s.optimizeFts.run();
}

/** After the last part: the contributors the removed models named that no model names any more go. */
export function pruneContributors(s: Statements, gone: RemovedContributors): void {
  if (!gone.any) return;
  s.prunePeople.run(gone.param("person"));
  s.pruneOrganizations.run(gone.param("organization"));
}

/**
 * One part of a change, inside the caller's transaction; `allNew`: its models are new, nothing to
 * remove. The contributors of the models it removes are added to `gone` (see pruneContributors).
 */
export function writePart(s: Statements, changes: SyncChanges, allNew: boolean, mode: WriteMode, gone: RemovedContributors): void {
  const removed = removedIds(changes, allNew);
  if (removed.length > 0) for (const text of s.contributorsOfModels.all(JSON.stringify(removed))) gone.add(JSON.parse(text) as ContributorRef[]);
  if (mode === "per-row") {
    for (const id of removed) {
      s.deleteFtsOne.run(id);
      s.deleteModelOne.run(id);
    }
  } else if (removed.length > 0) {
    const json = JSON.stringify(removed);
    s.deleteFts.run(json);
    s.deleteModels.run(json);
  }
  if (changes.upserts.length > 0) (mode === "per-row" ? insertModelsPerRow : insertModels)(s, changes.upserts);
  for (const p of changes.people) {
    guard(() => s.upsertPerson.run(p.github_username, p.email, p.name, p.organization_code, p.url ?? null), `person "${p.github_username}"`);
  }
  for (const o of changes.organizations) {
    guard(() => s.upsertOrganization.run(o.code, o.name, o.url ?? null), `organization "${o.code}"`);
  }
  for (const t of changes.touched ?? []) s.touch.run(t.fileSize, t.fileMtimeMs, t.oifm_id);
  if (changes.syncedFrom !== undefined) s.setSyncedFrom.run(changes.syncedFrom);
}

/**
 * Models whose small rows go in one statement per table. In parts, so that a sync of many models
 * does not build (and SQLite parse) one JSON text of them all (docs/performance.md, "Memory"); a
 * part of 1,000 costs four statements more, and no time.
 */
const MODELS_PER_PART = 1_000;

function insertModels(s: Statements, batch: readonly EntryRecord[]): void {
  let id = s.maxModelId.get() ?? 0;
  for (let from = 0; from < batch.length; from += MODELS_PER_PART) id = insertPart(s, batch, from, Math.min(from + MODELS_PER_PART, batch.length), id);
}

/** batch[from .. to) with keys after `lastId`; returns the last key given. */
function insertPart(s: Statements, batch: readonly EntryRecord[], from: number, to: number, lastId: number): number {
  let id = lastId;
  const attributes: Array<[string, number, string, string]> = [];
  const synonyms: Array<[number, string]> = [];
  const tags: Array<[number, string, string]> = [];
  const fts: Array<[number, string, string, string, string, string]> = [];
  for (let i = from; i < to; i++) {
    const r = batch[i]!;
    id += 1;
    insertModelRow(s, batch, i, id);
    for (const a of r.attributes) attributes.push([a.oifma_id, id, a.name, a.type]);
    for (const syn of uniqueSynonyms(r.synonyms)) synonyms.push([id, syn.key]);
    for (const tag of uniqueTags(r.tags)) tags.push([id, tag.key, tag.value]);
    fts.push([id, r.name, r.synonyms.join("\n"), r.description, r.tags.join("\n"), r.attributes.map((a) => a.name).join("\n")]);
  }
  try {
    s.insertAttributes.run(JSON.stringify(attributes));
  } catch (e) {
    throw attributeClash(e, s, batch);
  }
  s.insertSynonyms.run(JSON.stringify(synonyms));
  s.insertTags.run(JSON.stringify(tags));
  s.insertFts.run(JSON.stringify(fts));
  return id;
}

/** The model's own row (`batch[i]`) and its JSON; a clash names what it clashes with. */
function insertModelRow(s: Statements, batch: readonly EntryRecord[], i: number, id: number): void {
  const r = batch[i]!;
  try {
    s.insertModel.run(id, ...entryColumns(r));
  } catch (e) {
    throw modelClash(e, s, r, batch.slice(0, i));
  }
  s.insertModelJson.run(id, r.modelJson);
}

/** The same rows as insertModels, one statement call each. */
function insertModelsPerRow(s: Statements, batch: readonly EntryRecord[]): void {
  let id = s.maxModelId.get() ?? 0;
  batch.forEach((r, i) => {
    id += 1;
    insertModelRow(s, batch, i, id);
    r.attributes.forEach((a, j) => {
      try {
        s.insertAttribute.run(a.oifma_id, id, a.name, a.type);
      } catch (e) {
        throw attributeClashAt(e, s, batch, i, j);
      }
    });
    for (const syn of uniqueSynonyms(r.synonyms)) s.insertSynonym.run(id, syn.key);
    for (const tag of uniqueTags(r.tags)) s.insertTag.run(id, tag.key, tag.value);
    s.insertFtsRow.run(id, r.name, r.synonyms.join("\n"), r.description, r.tags.join("\n"), r.attributes.map((a) => a.name).join("\n"));
  });
}

/** What a failed insert of a model row clashed with, in words. */
function modelClash(e: unknown, s: Statements, r: EntryRecord, earlier: readonly EntryRecord[]): unknown {
  if (!isConstraint(e)) return e;
  const message = (e as Error).message;
  if (message.includes("models.name_lower")) {
    return nameTaken(r, s.ownerOfName.get(nameKey(r.name)));
  }
  if (message.includes("models.filename")) return fileTaken(r, s.ownerOfFilename.get(r.filename));
  if (message.includes("models.oifm_id")) return modelIdTwice(r.oifm_id, earlier.find((x) => x.oifm_id === r.oifm_id)?.filename, r.filename);
  return otherClash(describeRecord(r), message);
}

/** Which attribute ID of the batch clashed: one used twice in the batch, or one another model holds. */
function attributeClash(e: unknown, s: Statements, batch: readonly EntryRecord[]): unknown {
  if (!isConstraint(e)) return e;
  const seen = new Map<string, EntryRecord>();
  for (const r of batch) {
    for (const a of r.attributes) {
      const first = seen.get(a.oifma_id);
      if (first) return attributeIdTwice(a.oifma_id, r, first);
      seen.set(a.oifma_id, r);
      const owner = s.ownerOfAttribute.get(a.oifma_id);
      if (owner) return attributeIdTaken(a.oifma_id, r, owner);
    }
  }
  return otherClash("the attributes", (e as Error).message);
}

/**
 * What attribute `j` of `batch[i]` clashed with, written row by row (so the batch's earlier rows
 * are in the table already): the same words as attributeClash.
 */
function attributeClashAt(e: unknown, s: Statements, batch: readonly EntryRecord[], i: number, j: number): unknown {
  if (!isConstraint(e)) return e;
  const r = batch[i]!;
  const id = r.attributes[j]!.oifma_id;
  const k = batch.findIndex((x, n) => n <= i && (n === i ? x.attributes.slice(0, j) : x.attributes).some((a) => a.oifma_id === id));
  if (k >= 0) return attributeIdTwice(id, r, batch[k]!);
  const owner = s.ownerOfAttribute.get(id);
  if (owner) return attributeIdTaken(id, r, owner);
  return otherClash("the attributes", (e as Error).message);
}

function guard(write: () => unknown, what: string): void {
  try {
    write();
  } catch (e) {
    if (isConstraint(e)) throw otherClash(what, (e as Error).message);
    throw e;
  }
}

function isConstraint(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code.startsWith("SQLITE_CONSTRAINT");
}

