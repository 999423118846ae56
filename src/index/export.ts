// The registry's generated files for a folder of definitions: text/<slug>.md for each model,
// index.md and ids.json. Nothing is written unless every definition is valid and none clash;
// files whose content is already right are not rewritten (their modification time stays).
import { closeSync, constants, mkdirSync, openSync, readdirSync, readSync } from "node:fs";
import path from "node:path";
import { textFileName, toIdsJson, toIndexMarkdown, type RegistryEntry } from "../model/registry-files.js";
import type { ModelSummary } from "../model/summary.js";
import { removeStaleTempFiles, writeFileAtomicSync } from "./atomic-write.js";
import { checkAndProcessModelFiles, type CheckOptions, type CheckReport } from "./check-folder.js";
import type { FileError, ProcessedFile } from "./process-files.js";
import { describeIoError } from "./scan.js";

export interface ExportReport extends Omit<CheckReport, "changed"> {
  /** Output files written because they were missing or different. */
  written: string[];
  /** Output files already up to date. */
  unchanged: number;
}

/**
 * Write the registry's generated files for the definitions in `defsDir`: `text/<name>.md` for each
 * model, `index.md` and `ids.json`, into `outDir`. Nothing is written unless every definition is
 * valid and none clash; files already right are left untouched; each file is written whole or not.
 * @param defsDir - the folder of `*.fm.json` definitions
 * @param outDir - where the generated files go (the registry's root)
 * @param options - `onProgress` is called as definitions are read
 * @returns what was checked (as checkModelFiles reports it), the files written and the number
 * already up to date
 * @example
 * ```ts
 * import { exportRegistry } from "findingmodel";
 *
 * const report = await exportRegistry("defs", "out");
 * if (report.errors.length > 0 || report.conflicts.length > 0) console.error(report.errors, report.conflicts);
 * else console.log(`${report.written.length} written, ${report.unchanged} up to date`);
 * ```
 */
export async function exportRegistry(defsDir: string, outDir: string, options: Pick<CheckOptions, "onProgress"> = {}): Promise<ExportReport> {
  // Whether the definitions are in canonical form is validate's business, not reported here.
  const { processed, files, valid, invalid, errors, conflicts, notes } = await checkAndProcessModelFiles([defsDir], { markdown: true, onProgress: options.onProgress, onResult: dropCurrentText(outDir) });
  const result: ExportReport = { files, valid, invalid, errors, conflicts, notes, written: [], unchanged: 0 };
  if (errors.length > 0 || conflicts.length > 0) return result;
  const planned = registryOutputs(defsDir, outDir, processed);
  result.errors.push(...planned.errors);
  if (result.errors.length > 0) return result;
  const done = writeOutputs(planned.outputs);
  return { ...result, written: done.written, unchanged: done.unchanged, errors: done.errors };
}

/**
 * What the registry generates in `outDir` for the processed definitions of `defsDir`: file ->
 * content (a definition's Markdown, or undefined when its text file is known to hold it already).
 * Errors for two models whose text files would be the same file.
 */
export function registryOutputs(defsDir: string, outDir: string, processed: readonly ProcessedFile[]): { outputs: Map<string, string | undefined>; errors: FileError[] } {
  const errors: FileError[] = [];
  const entries: RegistryEntry[] = processed.map((f) => ({ filename: toPosix(path.relative(defsDir, f.file)), model: f.summary! }));
  const outputs = new Map<string, string | undefined>();
  for (const [i, entry] of entries.entries()) {
    const file = textFilePath(outDir, entry.model);
    // Two names with the same slug (e.g. "a-b" and "a b") would overwrite each other's text.
    if (outputs.has(file)) {
      errors.push({ file: path.join(defsDir, entry.filename), path: "$.name", message: `its text file ${textFileName(entry)} is also the text file of another model; rename one of them` });
      continue;
    }
    outputs.set(file, processed[i]!.markdown);
  }
  outputs.set(path.join(outDir, "index.md"), toIndexMarkdown(entries, { defsPath: toPosix(path.relative(outDir, defsDir)) }));
  outputs.set(path.join(outDir, "ids.json"), toIdsJson(entries));
  return { outputs, errors };
}

export interface OutputsWritten {
  /** Files written (sorted), or with `check`, the files that would be. */
  written: string[];
  /** Files already up to date. */
  unchanged: number;
  errors: FileError[];
}

/**
 * For CheckOptions.onResult: compare each model's Markdown with its text file in `outDir` as soon
 * as it is made, and drop it when equal (the usual case), which registryOutputs then takes as up
 * to date. Holding every Markdown until the end costs more CPU time, mostly garbage collection
 * (docs/performance.md, "Figures behind the code").
 */
export function dropCurrentText(outDir: string): (result: ProcessedFile) => ProcessedFile {
  return (result) => {
    if (result.summary && result.markdown !== undefined && hasContent(textFilePath(outDir, result.summary), result.markdown)) result.markdown = undefined;
    return result;
  };
}

function textFilePath(outDir: string, model: ModelSummary): string {
  return path.join(outDir, "text", textFileName({ filename: "", model }));
}

/** Write each output whose file is missing or different (with `check`, only find which); an undefined content is known to be up to date. */
export function writeOutputs(outputs: ReadonlyMap<string, string | undefined>, options: { check?: boolean } = {}): OutputsWritten {
  const result: OutputsWritten = { written: [], unchanged: 0, errors: [] };
  const dirs = new Set([...outputs.keys()].map((file) => path.dirname(file)));
  if (!options.check) for (const dir of dirs) mkdirSync(dir, { recursive: true });
  // Reads and writes of a few kilobytes each: done inline, which measured faster than async I/O.
  // Only files that exist are read to compare (one listing instead of a failed open per new file).
  const listings = [...dirs].map((dir) => ({ dir, names: listNames(dir) }));
  // A killed export leaves its temporary files; the next one removes them.
  if (!options.check) for (const { dir, names } of listings) removeStaleTempFiles(dir, names);
  const existing = new Set(listings.flatMap(({ dir, names }) => names.map((name) => path.join(dir, name))));
  for (const [file, content] of outputs) {
    if (content === undefined || (existing.has(file) && hasContent(file, content))) {
      result.unchanged++;
      continue;
    }
    if (options.check) {
      result.written.push(file);
      continue;
    }
    try {
      writeFileAtomicSync(file, content);
      result.written.push(file);
    } catch (e) {
      result.errors.push({ file, path: "$", message: `could not be written: ${describeIoError(e)}` });
    }
  }
  result.written.sort();
  return result;
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// Buffers reused by every comparison: reading and encoding into them makes no garbage per file,
// cheaper than reading each file as a string to compare (docs/performance.md, "Figures behind the code").
let fileBytes = Buffer.alloc(0);
let contentBytes = Buffer.alloc(0);

/**
 * Whether `file` holds exactly `content` (as UTF-8). Compared as bytes; at most one byte more than
 * `content` is read, so a larger file (or anything that is not a regular file) is not read on.
 */
function hasContent(file: string, content: string): boolean {
  // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
  if (contentBytes.length < content.length * 3) contentBytes = Buffer.allocUnsafe(Math.max(content.length * 3, 64 * 1024));
  const size = contentBytes.write(content);
  if (fileBytes.length < size + 1) fileBytes = Buffer.allocUnsafe(Math.max(size + 1, 64 * 1024));
  try {
    // Non-blocking: a named pipe in the output folder must not wait for a writer.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      let length = 0;
      for (let n = -1; n !== 0 && length <= size; length += n) n = readSync(fd, fileBytes, length, size + 1 - length, null);
      return length === size && fileBytes.subarray(0, size).equals(contentBytes.subarray(0, size));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
