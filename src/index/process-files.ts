// Per-file work over many files (read, parse, validate, canonical form, Markdown), spread over the
// machine's cores with worker threads. The work is CPU-bound: on the 2,382-file registry reading
// is ~15% of it, parsing, checking and writing text the rest.
//
// Threads share one work queue: an atomic counter in shared memory that each thread (the main
// thread included) bumps to claim the next chunk of files. Fast threads simply claim more, so a
// worker that starts late costs nothing. Workers return strings and small summaries only:
// passing whole model objects between threads costs more than parsing them again (measured:
// structured clone of the registry's models ~350 ms, of their JSON text ~15 ms).
// Raw worker_threads rather than piscina: one short-lived worker per core, no pool to keep, and
// importing piscina alone took ~60 ms here, a sixth of reading and parsing the whole registry.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { toCanonicalJsonFresh } from "../model/canonical.js";
import { parseJsonText } from "../model/json-text.js";
import { toMarkdown } from "../model/markdown.js";
import { summarize, type ModelSummary } from "../model/summary.js";
import type { FindingModelFull } from "../model/types.js";
import { validateFindingModel } from "../model/validate.js";
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
}

/** Read and process one file, on this thread. */
export function processFile(file: string, options: ProcessOptions = {}): ProcessedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { file, errors: [{ file, path: "$", message: describeIoError(e) }] };
  }
  const checked = checkModelBytes(file, bytes);
  if (!checked.model) return { file, errors: checked.errors };
  const result: ProcessedFile = { file, errors: [], summary: summarize(checked.model) };
  if (options.canonical) {
    const canonical = toCanonicalJsonFresh(checked.model);
    if (checked.hadBom || canonical !== checked.text) result.canonicalText = canonical;
  }
  if (options.markdown) result.markdown = toMarkdown(checked.model);
  return result;
}

/** Check the bytes of the model file `file`: the model, or every problem found. */
export function checkModelBytes(file: string, bytes: Buffer): { model?: FindingModelFull; text?: string; hadBom?: boolean; errors: FileError[] } {
  if (bytes.length > MAX_MODEL_FILE_BYTES) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return { errors: [{ file, path: "$", message: `the file is ${mb(bytes.length)}; a model file is at most ${mb(MAX_MODEL_FILE_BYTES)}, so it was not checked` }] };
  }
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { errors: [{ file, path: line ? `line ${line}, column ${column}` : "$", message }] };
  }
  const checked = validateFindingModel(parsed.value);
  if (!checked.ok) return { errors: checked.issues.map((i) => ({ file, ...i })) };
  return { model: checked.model, text: parsed.text, hadBom: parsed.hadBom, errors: [] };
}

/** Below this many files, starting a worker costs more than it saves. */
const PARALLEL_FROM = 200;
const CHUNK = 32;

/**
 * Process many files; results in the order given. `threads` caps how many threads work (the main
 * thread counts as one); default: the machine's cores, or FINDINGMODEL_THREADS when set.
 */
export async function processFiles(files: readonly string[], options: ProcessOptions = {}, threads = defaultThreads()): Promise<ProcessedFile[]> {
  const workerCount = files.length >= PARALLEL_FROM && WORKER_URL ? Math.min(threads, Math.ceil(files.length / CHUNK)) - 1 : 0;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results: ProcessedFile[] = new Array(files.length);
  const workers = Array.from({ length: Math.max(0, workerCount) }, () => runWorker({ files, options, counter }));
  for (const [i, result] of claimAndProcess(files, options, counter)) results[i] = result;
  for (const batch of await Promise.all(workers)) for (const [i, result] of batch) results[i] = result;
  return results;
}

export type Claimed = Array<[index: number, result: ProcessedFile]>;

/** Claim chunks of `files` from the shared counter and process them until none are left. */
export function claimAndProcess(files: readonly string[], options: ProcessOptions, counter: Int32Array): Claimed {
  const done: Claimed = [];
  for (let start = Atomics.add(counter, 0, CHUNK); start < files.length; start = Atomics.add(counter, 0, CHUNK)) {
    const end = Math.min(start + CHUNK, files.length);
    for (let i = start; i < end; i++) done.push([i, processFile(files[i]!, options)]);
  }
  return done;
}

export interface WorkerInput {
  files: readonly string[];
  options: ProcessOptions;
  counter: Int32Array;
}

// Compiled, the worker is the .js file beside this one; run from TypeScript source (tests through
// vitest) there is none, and everything runs on the main thread.
const WORKER_URL = import.meta.url.endsWith(".js") ? new URL("./process-worker.js", import.meta.url) : undefined;

function runWorker(input: WorkerInput): Promise<Claimed> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL!, { workerData: input });
    let result: Claimed | undefined;
    worker.once("message", (message: Claimed) => (result = message));
    worker.once("error", reject);
    worker.once("exit", (code) => (result ? resolve(result) : reject(new Error(`a file-processing worker stopped (exit code ${code})`))));
  });
}

function defaultThreads(): number {
  const fromEnv = Number(process.env.FINDINGMODEL_THREADS);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
}
