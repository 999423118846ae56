// Reading model files and checking each on its own: bytes -> JSON -> validated, normalized model.
// Every failure becomes an error naming the file; one bad file never stops the others.
import { readFile } from "node:fs/promises";
import pLimit from "p-limit";
import { parseJsonText } from "../model/json-text.js";
import { validateFindingModel } from "../model/validate.js";
import type { FindingModelFull } from "../model/types.js";
import { describeIoError, type ScannedFile } from "./scan.js";

/** Model files are a few kilobytes; anything this large is not one, and is not read. */
export const MAX_MODEL_FILE_BYTES = 10 * 1024 * 1024;
/** How many files are read at once: enough to keep the disk busy, few enough to stay far from EMFILE. */
export const READ_CONCURRENCY = 64;

export interface FileError {
  file: string;
  /** JSON path inside the file (`$` for the whole file), or a line:column for malformed JSON. */
  path: string;
  message: string;
}

export interface LoadedFile {
  file: string;
  /** The bytes as read; absent when the file could not be read. */
  bytes?: Buffer;
  /** The validated, normalized model; absent when the file is not a valid model. */
  model?: FindingModelFull;
  errors: FileError[];
}

/** Read and check one file. */
export async function loadModelFile(file: string, size?: number): Promise<LoadedFile> {
  if (size !== undefined && size > MAX_MODEL_FILE_BYTES) return tooLarge(file, size);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return { file, errors: [{ file, path: "$", message: describeIoError(e) }] };
  }
  if (bytes.length > MAX_MODEL_FILE_BYTES) return tooLarge(file, bytes.length);
  return checkModelBytes(file, bytes);
}

/** Check bytes already read as the model file `file`. */
export function checkModelBytes(file: string, bytes: Buffer): LoadedFile {
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { file, bytes, errors: [{ file, path: line ? `line ${line}, column ${column}` : "$", message }] };
  }
  const checked = validateFindingModel(parsed.value);
  if (!checked.ok) return { file, bytes, errors: checked.issues.map((i) => ({ file, ...i })) };
  return { file, bytes, model: checked.model, errors: [] };
}

/** Read and check many files, a bounded number at a time; results in the order given. */
export function loadModelFiles(files: ScannedFile[], concurrency = READ_CONCURRENCY): Promise<LoadedFile[]> {
  const limit = pLimit(concurrency);
  return Promise.all(files.map((f) => limit(() => loadModelFile(f.path, f.size))));
}

function tooLarge(file: string, size: number): LoadedFile {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return { file, errors: [{ file, path: "$", message: `the file is ${mb(size)}; a model file is at most ${mb(MAX_MODEL_FILE_BYTES)}, so it was not read` }] };
}
