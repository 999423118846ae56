// Reading model files and checking each on its own: bytes -> JSON -> validated, normalized model
// -> is the file already in canonical form? Every failure becomes an error naming the file; one
// bad file never stops the others.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import pLimit from "p-limit";
import { toCanonicalJsonFresh } from "../model/canonical.js";
import { parseJsonText } from "../model/json-text.js";
import type { FindingModelFull } from "../model/types.js";
import { validateFindingModel } from "../model/validate.js";
import { describeIoError } from "./scan.js";

/** Model files are a few kilobytes; anything this large is not one, and is not checked. */
export const MAX_MODEL_FILE_BYTES = 10 * 1024 * 1024;
/** How many files are read at once by the concurrent reader. */
export const READ_CONCURRENCY = 64;

export interface FileError {
  file: string;
  /** JSON path inside the file (`$` for the whole file), or a line and column for malformed JSON. */
  path: string;
  message: string;
}

export interface LoadedFile {
  file: string;
  /** The validated, normalized model; absent when the file is not a valid model. */
  model?: FindingModelFull;
  /** For a valid model whose file is not in canonical form: the canonical text. */
  canonicalText?: string;
  errors: FileError[];
}

/** Check bytes read from the model file `file`. */
export function checkModelBytes(file: string, bytes: Buffer): LoadedFile {
  if (bytes.length > MAX_MODEL_FILE_BYTES) return tooLarge(file, bytes.length);
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { file, errors: [{ file, path: line ? `line ${line}, column ${column}` : "$", message }] };
  }
  const checked = validateFindingModel(parsed.value);
  if (!checked.ok) return { file, errors: checked.issues.map((i) => ({ file, ...i })) };
  const canonical = toCanonicalJsonFresh(checked.model);
  const isCanonical = bytes.length === Buffer.byteLength(canonical) && bytes.equals(Buffer.from(canonical));
  return { file, model: checked.model, ...(isCanonical ? {} : { canonicalText: canonical }), errors: [] };
}

/** Read and check one file (synchronously: for a few kilobytes the thread-pool round trips of async I/O cost more than the read). */
export function loadModelFileSync(file: string): LoadedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return ioError(file, e);
  }
  return checkModelBytes(file, bytes);
}

/** Read and check many files one after another, in the order given. Measured fastest for a local folder. */
export function loadModelFilesSync(files: readonly string[]): LoadedFile[] {
  return files.map(loadModelFileSync);
}

/** Read and check many files, `concurrency` reads at a time; results in the order given. */
export function loadModelFiles(files: readonly string[], concurrency = READ_CONCURRENCY): Promise<LoadedFile[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    files.map((file) =>
      limit(async () => {
        try {
          return checkModelBytes(file, await readFile(file));
        } catch (e) {
          return ioError(file, e);
        }
      }),
    ),
  );
}

function ioError(file: string, e: unknown): LoadedFile {
  return { file, errors: [{ file, path: "$", message: describeIoError(e) }] };
}

function tooLarge(file: string, size: number): LoadedFile {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return { file, errors: [{ file, path: "$", message: `the file is ${mb(size)}; a model file is at most ${mb(MAX_MODEL_FILE_BYTES)}, so it was not checked` }] };
}
