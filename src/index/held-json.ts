// How much model JSON a sync holds in memory between checking the files and writing them.
//
// A sync checks every changed file before it writes any (all or nothing), so the JSON of each
// model would be held until the end, most of the peak of a large sync. Up to a
// budget it is held; past it, a record keeps only the file's hash, and the JSON is made again from
// the file when its row is written, after checking the hash: a file changed in between fails the
// sync, inside its transaction, so nothing is written.
import { CodedError } from "../model/errors.js";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { toCompactJsonFresh } from "../model/canonical.js";
import type { EntryRecord, IndexEntry } from "../store/store.js";
import { checkModelBytes, sha256Hex, type FileRecord, type ProcessedFile } from "./process-files.js";

/** Characters of model JSON a sync holds before it reads files again instead (the registry's models are ~9.5 M). */
export const HELD_JSON_BUDGET = 16 * 1024 * 1024;

export class FileChangedDuringSyncError extends CodedError {
  constructor(readonly file: string) {
    super("file-changed", `${file} changed while the index was being synced, so nothing was written; run the sync again`);
  }
}

/** A function for ProcessRun.onResult that drops model JSON once `budget` characters are held. */
export function holdJsonUpTo(budget: number): (result: ProcessedFile) => ProcessedFile {
  let held = 0;
  return (result) => {
    const record = result.record;
    if (record?.modelJson === undefined) return result;
    held += record.modelJson.length;
    if (held > budget) record.modelJson = undefined;
    return result;
  };
}

/** `entry` with its model JSON: the record's, or else made from the file when asked for, after checking the record's hash. */
export function withModelJson(entry: IndexEntry, file: string, record: FileRecord): EntryRecord {
  if (record.modelJson !== undefined) return { ...entry, modelJson: record.modelJson };
  return new FileBackedEntry(entry, file);
}

/**
 * An entry whose model JSON is made from its file. A class with the getter on its prototype: a
 * getter defined on each object (Object.defineProperty) turned every one into a slow dictionary
 * object, hundreds of bytes larger (docs/performance.md, "Figures behind the code").
 */
interface FileBackedEntry extends IndexEntry {}
class FileBackedEntry implements EntryRecord {
  constructor(
    entry: IndexEntry,
    private readonly file: string,
  ) {
    Object.assign(this, entry);
  }

  get modelJson(): string {
    return modelJsonFromFile(this.file, this.fileHash, this.fileSize);
  }
}

/**
 * The model JSON of `file`, whose bytes must still be `size` long with the sha256 `hash` (then they
 * check as they did). Not processFile, though it reads and checks the same way: making a whole ProcessedFile
 * (summary, record) for each model here raised the peak of a large sync (docs/performance.md,
 * "Figures behind the code").
 */
function modelJsonFromFile(file: string, hash: string, size: number): string {
  let bytes: Buffer;
  try {
    // A file whose size moved has changed: it is not read (whatever it has grown to).
    const fd = openSync(file, "r");
    try {
      if (fstatSync(fd).size !== size) throw new FileChangedDuringSyncError(file);
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw new FileChangedDuringSyncError(file);
  }
  if (sha256Hex(bytes) !== hash) throw new FileChangedDuringSyncError(file);
  const checked = checkModelBytes(file, bytes);
  if (!checked.model) throw new FileChangedDuringSyncError(file);
  return toCompactJsonFresh(checked.model);
}
