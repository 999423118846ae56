// What a write that breaks a unique key clashed with, in the same words on every engine. Each
// engine finds out which model and which owner it was (SQLite from its error message, PostgreSQL
// from the constraint's name and detail); the words are written here once.
import type { EntryRecord } from "./store.js";
import { StoreError } from "./store.js";

/** The model an entry holds, for a message: its ID, name and file. */
export function describeRecord(r: Pick<EntryRecord, "oifm_id" | "name" | "filename">): string {
  return `model ${r.oifm_id} ("${r.name}", file ${r.filename})`;
}

/** Who holds a value in the index (undefined fields: not found; the message says "?"). */
export interface Owner {
  oifm_id: string;
  filename: string;
  name?: string;
}

/** `r`'s name is already the name of `owner` (names compared by nameKey). */
export function nameTaken(r: EntryRecord, owner: Owner | undefined): StoreError {
  return new StoreError(
    "constraint",
    `the name "${r.name}" of ${describeRecord(r)} is already used by model ${owner?.oifm_id ?? "?"} ("${owner?.name ?? "?"}", file ${owner?.filename ?? "?"}); names must differ ignoring case`,
  );
}

/** `r`'s file is already indexed for `owner`. */
export function fileTaken(r: EntryRecord, owner: Owner | undefined): StoreError {
  return new StoreError("constraint", `the file ${r.filename} of ${describeRecord(r)} is already indexed for model ${owner?.oifm_id ?? "?"}`);
}

/** One change writes the model ID `id` from two files. */
export function modelIdTwice(id: string, firstFile: string | undefined, secondFile: string | undefined): StoreError {
  return new StoreError("constraint", `the model ID ${id} is written twice in one change (files ${firstFile ?? "?"} and ${secondFile ?? "?"})`);
}

/** Attribute ID `id` of `r` is also used by `first` of the same change (possibly `r` itself). */
export function attributeIdTwice(id: string, r: EntryRecord, first: EntryRecord): StoreError {
  const other = first === r ? "another attribute of the same model" : describeRecord(first);
  return new StoreError("constraint", `attribute ID ${id} of ${describeRecord(r)} is also used by ${other}`);
}

/** Attribute ID `id` of `r` already belongs to `owner` in the index. */
export function attributeIdTaken(id: string, r: EntryRecord, owner: Owner | undefined): StoreError {
  return new StoreError("constraint", `attribute ID ${id} of ${describeRecord(r)} is already used by model ${owner?.oifm_id ?? "?"} (file ${owner?.filename ?? "?"})`);
}

/** A write the engine refused for a reason not named above. */
export function otherClash(what: string, reason: string): StoreError {
  return new StoreError("constraint", `${what} cannot be written: ${reason}`);
}
