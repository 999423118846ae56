// Writing one sync's changes: all in one transaction, so that a failure leaves the file as it was.
// Every model written is first removed (its row, and with it, by ON DELETE CASCADE, its
// attributes, synonyms and tags; and its full-text row), then inserted whole. All removals come
// before all inserts, so that models may trade names, files or attribute IDs within one change.
import Database from "better-sqlite3";
import type { EntryRecord, SyncChanges } from "../store.js";
import { StoreError } from "../store.js";
import type { Statements } from "./statements.js";

export function makeApply(db: Database.Database, s: Statements): (changes: SyncChanges) => void {
  const write = db.transaction((changes: SyncChanges) => {
    for (const id of changes.deletes) removeModel(s, id);
    for (const r of changes.upserts) removeModel(s, r.oifm_id);
    changes.upserts.forEach((r, i) => insertModel(s, r, changes.upserts, i));
    for (const p of changes.people) {
      guard(() => s.upsertPerson.run(p.github_username, p.email, p.name, p.organization_code, p.url ?? null), `person "${p.github_username}"`);
    }
    for (const o of changes.organizations) {
      guard(() => s.upsertOrganization.run(o.code, o.name, o.url ?? null), `organization "${o.code}"`);
    }
    for (const t of changes.touched ?? []) s.touch.run(t.fileSize, t.fileMtimeMs, t.oifm_id);
  });
  // BEGIN IMMEDIATE: wait (up to the busy timeout) for the write lock before reading anything, so
  // that a concurrent writer makes this wait rather than fail half-way.
  return (changes) => write.immediate(changes);
}

function removeModel(s: Statements, oifmId: string): void {
  s.deleteFts.run(oifmId);
  s.deleteModel.run(oifmId);
}

function insertModel(s: Statements, r: EntryRecord, batch: readonly EntryRecord[], index: number): void {
  const where = `model ${r.oifm_id} ("${r.name}", file ${r.filename})`;
  let id: number | bigint;
  try {
    id = s.insertModel.run(
      r.oifm_id,
      r.name,
      r.name.toLowerCase(),
      r.slugName,
      r.filename,
      r.fileHash,
      r.fileSize,
      r.fileMtimeMs,
      r.description,
      JSON.stringify(r.synonyms),
      JSON.stringify(r.tags),
      JSON.stringify(r.contributors),
      JSON.stringify(r.attributes),
      r.modelJson,
    ).lastInsertRowid;
  } catch (e) {
    throw modelClash(e, s, r, where, batch.slice(0, index));
  }
  for (const a of r.attributes) {
    try {
      s.insertAttribute.run(a.oifma_id, r.oifm_id, a.name, a.type);
    } catch (e) {
      if (!isConstraint(e)) throw e;
      const owner = s.ownerOfAttribute.get(a.oifma_id);
      const other = owner === undefined ? "another attribute" : owner.oifm_id === r.oifm_id ? "another attribute of the same model" : `model ${owner.oifm_id} (file ${owner.filename})`;
      throw new StoreError("constraint", `attribute ID ${a.oifma_id} of ${where} is already used by ${other}`);
    }
  }
  for (const syn of uniqueLower(r.synonyms)) s.insertSynonym.run(r.oifm_id, syn.lower);
  for (const tag of uniqueLower(r.tags)) s.insertTag.run(r.oifm_id, tag.lower, tag.value);
  s.insertFts.run(id, r.name, r.synonyms.join("\n"), r.description, r.tags.join("\n"), r.attributes.map((a) => a.name).join("\n"));
}

/** What a failed insert of a model row clashed with, in words. */
function modelClash(e: unknown, s: Statements, r: EntryRecord, where: string, earlier: readonly EntryRecord[]): unknown {
  if (!isConstraint(e)) return e;
  const message = (e as Error).message;
  if (message.includes("models.name_lower")) {
    const owner = s.ownerOfName.get(r.name.toLowerCase());
    return new StoreError(
      "constraint",
      `the name "${r.name}" of ${where} is already used by model ${owner?.oifm_id ?? "?"} ("${owner?.name ?? "?"}", file ${owner?.filename ?? "?"}); names must differ ignoring case`,
    );
  }
  if (message.includes("models.filename")) {
    const owner = s.ownerOfFilename.get(r.filename);
    return new StoreError("constraint", `the file ${r.filename} of ${where} is already indexed for model ${owner?.oifm_id ?? "?"}`);
  }
  if (message.includes("models.oifm_id")) {
    const first = earlier.find((x) => x.oifm_id === r.oifm_id);
    return new StoreError(
      "constraint",
      `the model ID ${r.oifm_id} is written twice in one change (files ${first?.filename ?? s.ownerOfId.get(r.oifm_id)?.filename ?? "?"} and ${r.filename})`,
    );
  }
  return new StoreError("constraint", `${where} cannot be written: ${message}`);
}

function guard(write: () => unknown, what: string): void {
  try {
    write();
  } catch (e) {
    if (isConstraint(e)) throw new StoreError("constraint", `${what} cannot be written: ${(e as Error).message}`);
    throw e;
  }
}

function isConstraint(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code.startsWith("SQLITE_CONSTRAINT");
}

/** Values without repeats ignoring case, first spelling kept. */
function uniqueLower(values: readonly string[]): Array<{ value: string; lower: string }> {
  const seen = new Set<string>();
  const out: Array<{ value: string; lower: string }> = [];
  for (const value of values) {
    const lower = value.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    out.push({ value, lower });
  }
  return out;
}
