// Per-file work over many files (read, parse, validate, canonical form, Markdown), optionally
// spread over worker threads. The work is CPU-bound: reading is a small part of it, parsing,
// checking and writing text the rest.
//
// One thread by default: on the 2-vCPU machines here two threads take as long as one (each runs
// at about half speed beside the other, as on one core's two hyperthreads; docs/performance.md,
// "Reading threads do not pay"), so a worker does not pay. Set FINDINGMODEL_THREADS (or pass
// `threads`) where it does.
//
// Threads share one work queue: an atomic counter in shared memory that each thread (the main
// thread included) bumps to claim the next chunk of files. Fast threads simply claim more, so a
// worker that starts late costs nothing. Workers return strings and small summaries only:
// passing whole model objects between threads costs more than parsing them again (a structured
// clone of objects against one of text; docs/performance.md, "Figures behind the code").
// Raw worker_threads rather than piscina: one short-lived worker per core, no pool to keep, and
// no library to load, whose import costs a large share of reading and parsing the whole registry.
import { hash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { toCanonicalJsonFresh, toCompactJsonFresh } from "../model/canonical.js";
import { nestingError, parseJsonText } from "../model/json-text.js";
import { toMarkdown } from "../model/markdown.js";
import { summarize, type ModelSummary } from "../model/summary.js";
import type { Contributor, FindingModelFull } from "../model/types.js";
import { validateFindingModel } from "../model/validate.js";
import { threadsFromEnv } from "./environment.js";
import { describeIoError } from "./scan.js";

/** Model files are a few kilobytes; anything this large is not one, and is not checked. */
export const MAX_MODEL_FILE_BYTES = 10 * 1024 * 1024;

export interface FileError {
  file: string;
  /** JSON path inside the file (`$` for the whole file), or a line and column for malformed JSON. */
  path: string;
  message: string;
}

export interface ProcessOptions {
  /** Find out whether each valid file is in canonical form; give the canonical text when not. */
  canonical?: boolean;
  /** Render each valid model's Markdown. */
  markdown?: boolean;
  /** What an index entry needs: hash, size and time of the bytes read, the model's JSON, contributors. */
  record?: boolean;
}

export interface FileRecord {
  /** sha256 of the bytes read, hex. */
  fileHash: string;
  /** Size and modification time of the file as it was read (from the open file, not an earlier scan). */
  fileSize: number;
  fileMtimeMs: number;
  /**
   * The model as the index keeps it (toCompactJson). A caller may drop it to hold less, and make
   * it again from the file (checked against `fileHash`) when needed.
   */
  modelJson?: string;
  contributors: Contributor[];
}

export interface ProcessedFile {
  file: string;
  /** Empty when the file is a valid model. */
  errors: FileError[];
  /** The valid model's summary. */
  summary?: ModelSummary;
  /** With `canonical`: the canonical text of a valid model whose file differs from it. */
  canonicalText?: string;
  /** With `markdown`: the valid model's Markdown. */
  markdown?: string;
  /** With `record`: what an index entry needs. */
  record?: FileRecord;
}

/** Read and process one file, on this thread. */
export function processFile(file: string, options: ProcessOptions = {}): ProcessedFile {
  let read: FileRead;
  try {
    read = readModelFile(file, options.record === true);
  } catch (e) {
    return failed(file, describeIoError(e));
  }
  if (typeof read === "string") return failed(file, read);
  return processChecked(file, checkModelBytes(file, read.bytes), options, read);
}

/** The bytes of a file (a view of a buffer that the next read reuses), with its size and time when asked. */
type FileBytes = { bytes: Buffer; size: number; mtimeMs: number };
/** The bytes, or why they were not read. */
type FileRead = FileBytes | string;

// One buffer for every read, one byte larger than a model file may be: a read that fills it is of
// a file too large, which is then not read further. Open, one read into it and close is cheaper
// than Node's own read-as-text with the stat that must come before it to refuse a huge file
// unread (docs/performance.md, "Figures behind the code").
let readBuffer: Buffer | undefined;

function readModelFile(file: string, withStat: boolean): FileRead {
  const buffer = (readBuffer ??= Buffer.allocUnsafe(MAX_MODEL_FILE_BYTES + 1));
  // Non-blocking: a named pipe called *.fm.json must not wait forever for a writer.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    let [size, mtimeMs] = [-1, -1];
    if (withStat) {
      // Size and time come from the open file, so they describe the bytes read even if the file
      // changes after a scan; a file that changes while being read is caught by the size.
      const info = fstatSync(fd);
      if (!info.isFile()) return notAFile(info);
      [size, mtimeMs] = [info.size, info.mtimeMs];
      if (size > MAX_MODEL_FILE_BYTES) return tooLargeMessage(size);
    }
    let length = 0;
    try {
      for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    } catch (e) {
      const info = fstatSync(fd);
      if (!info.isFile()) return notAFile(info);
      throw e;
    }
    // Nothing read, or too much: a regular file that is empty or too large, or no file at all.
    if (length === 0 || length > MAX_MODEL_FILE_BYTES) {
      const info = withStat ? undefined : fstatSync(fd);
      if (info && !info.isFile()) return notAFile(info);
      if (length > MAX_MODEL_FILE_BYTES) return tooLargeMessage(info?.size ?? size);
    }
    if (withStat && length !== size) return "changed while it was being read; run again";
    return { bytes: buffer.subarray(0, length), size: withStat ? size : length, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function notAFile(info: Stats): string {
  return info.isDirectory() ? "is a directory, not a model file" : "is not a regular file (a pipe, device or socket), not a model file";
}

type Checked = ReturnType<typeof checkModelBytes>;

function processChecked(file: string, checked: Checked, options: ProcessOptions, read: FileBytes): ProcessedFile {
  if (!checked.model) return { file, errors: checked.errors };
  const result: ProcessedFile = { file, errors: [], summary: summarize(checked.model) };
  if (options.canonical) {
    const canonical = toCanonicalJsonFresh(checked.model);
    if (checked.hadBom || canonical !== checked.text) result.canonicalText = canonical;
  }
  if (options.markdown) result.markdown = toMarkdown(checked.model);
  if (options.record) {
    result.record = { fileHash: sha256Hex(read.bytes), fileSize: read.size, fileMtimeMs: read.mtimeMs, modelJson: toCompactJsonFresh(checked.model), contributors: checked.model.contributors ?? [] };
  }
  return result;
}

/**
 * The file hash the index records. Node's one-shot hash: cheaper than createHash().update().digest(),
 * which makes three objects a file (docs/performance.md, "Figures behind the code").
 */
export function sha256Hex(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex");
}

function failed(file: string, message: string): ProcessedFile {
  return { file, errors: [{ file, path: "$", message }] };
}

function tooLargeMessage(size: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `the file is ${mb(size)}; a model file is at most ${mb(MAX_MODEL_FILE_BYTES)}, so it was not read`;
}

/** Check the bytes of the model file `file`: the model, or every problem found. */
export function checkModelBytes(file: string, bytes: Buffer): { model?: FindingModelFull; text?: string; hadBom?: boolean; errors: FileError[] } {
  if (bytes.length > MAX_MODEL_FILE_BYTES) return { errors: [{ file, path: "$", message: tooLargeMessage(bytes.length) }] };
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { errors: [{ file, path: line ? `line ${line}, column ${column}` : "$", message }] };
  }
  const checked = validateFindingModel(parsed.value);
  if (!checked.ok) {
    // A deep file fails validation; say why in one error rather than what its deep fields are not.
    const deep = nestingError(parsed.text);
    if (deep) return { errors: [{ file, path: `line ${deep.line}, column ${deep.column}`, message: deep.message }] };
    return { errors: checked.issues.map((i) => ({ file, ...i })) };
  }
  return { model: checked.model, text: parsed.text, hadBom: parsed.hadBom, errors: [] };
}

/** Below this many files, starting a worker costs more than it saves. */
const PARALLEL_FROM = 200;
const CHUNK = 32;

export interface ProcessRun {
  /** Cap on threads working (the main thread counts as one); default FINDINGMODEL_THREADS, else 1. */
  threads?: number;
  /**
   * Called as files are done. With a callback the main thread only coordinates, so that it is
   * free to draw progress while workers do all the work.
   */
  onProgress?: (done: number, total: number) => void;
  /** Called with each result as it is done; what it returns is kept (to drop what need not be held). */
  onResult?: (result: ProcessedFile) => ProcessedFile;
}

/** Process many files; results in the order given. */
export async function processFiles(files: readonly string[], options: ProcessOptions = {}, run: ProcessRun = {}): Promise<ProcessedFile[]> {
  const threads = run.threads ?? defaultThreads();
  const parallel = usesWorkers(files.length, threads);
  const mainWorks = !(parallel && run.onProgress);
  const workerCount = parallel ? Math.min(threads - (mainWorks ? 1 : 0), Math.ceil(files.length / CHUNK) - 1) : 0;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results: ProcessedFile[] = new Array(files.length);
  let done = 0;
  const take = (chunk: Claimed) => {
    for (const [i, result] of chunk) results[i] = run.onResult ? run.onResult(result) : result;
    run.onProgress?.((done += chunk.length), files.length);
  };
  const workers = Array.from({ length: Math.max(0, workerCount) }, () => runWorker({ files, options, counter }, take));
  if (mainWorks || workerCount <= 0) claimAndProcess(files, options, counter, take);
  await Promise.all(workers);
  return results;
}

/** Whether processFiles spreads `fileCount` files over worker threads (`threads`: as ProcessRun.threads). */
export function usesWorkers(fileCount: number, threads = defaultThreads()): boolean {
  return fileCount >= PARALLEL_FROM && WORKER_URL !== undefined && threads > 1;
}

export type Claimed = Array<[index: number, result: ProcessedFile]>;

/** Claim chunks of `files` from the shared counter and process them until none are left. */
export function claimAndProcess(files: readonly string[], options: ProcessOptions, counter: Int32Array, onChunk: (chunk: Claimed) => void): void {
  for (let start = Atomics.add(counter, 0, CHUNK); start < files.length; start = Atomics.add(counter, 0, CHUNK)) {
    const end = Math.min(start + CHUNK, files.length);
    const chunk: Claimed = [];
    for (let i = start; i < end; i++) chunk.push([i, processFile(files[i]!, options)]);
    onChunk(chunk);
  }
}

export interface WorkerInput {
  files: readonly string[];
  options: ProcessOptions;
  counter: Int32Array;
}

// Compiled, the worker is the .js file beside this one; run from TypeScript source (tests through
// vitest) there is none, and everything runs on the main thread.
const WORKER_URL = import.meta.url.endsWith(".js") ? new URL("./process-worker.js", import.meta.url) : undefined;

/** Messages from a worker: the results of each chunk as it is done (so a worker holds little), then the end. */
export type WorkerMessage = { chunk: Claimed } | { done: true };

function runWorker(input: WorkerInput, onChunk: (chunk: Claimed) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL!, { workerData: input });
    let finished = false;
    worker.on("message", (message: WorkerMessage) => {
      if ("chunk" in message) onChunk(message.chunk);
      else finished = true;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => (finished ? resolve() : reject(new Error(`a file-processing worker stopped (exit code ${code})`))));
  });
}

function defaultThreads(): number {
  const fromEnv = threadsFromEnv();
  return fromEnv === "auto" ? availableParallelism() : (fromEnv ?? 1);
}
