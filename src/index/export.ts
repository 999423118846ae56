// The registry's generated files for a folder of definitions: text/<slug>.md for each model,
// index.md and ids.json. Nothing is written unless every definition is valid and none clash;
// files whose content is already right are not rewritten (their modification time stays).
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { textFileName, toIdsJson, toIndexMarkdown, type RegistryEntry } from "../model/registry-files.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { checkModelFiles, type CheckOptions, type CheckReport } from "./check-folder.js";
import type { FileError, ProcessedFile } from "./process-files.js";
import { describeIoError } from "./scan.js";

export interface ExportReport extends Omit<CheckReport, "changed"> {
  /** Output files written because they were missing or different. */
  written: string[];
  /** Output files already up to date. */
  unchanged: number;
}

export async function exportRegistry(defsDir: string, outDir: string, options: Pick<CheckOptions, "onProgress"> = {}): Promise<ExportReport> {
  // Whether the definitions are in canonical form is validate's business, not reported here.
  const { processed, files, valid, invalid, errors, conflicts } = await checkModelFiles([defsDir], { markdown: true, onProgress: options.onProgress });
  const result: ExportReport = { files, valid, invalid, errors, conflicts, written: [], unchanged: 0 };
  if (errors.length > 0 || conflicts.length > 0) return result;
  const planned = registryOutputs(defsDir, outDir, processed);
  result.errors.push(...planned.errors);
  if (result.errors.length > 0) return result;
  const done = writeOutputs(planned.outputs);
  return { ...result, written: done.written, unchanged: done.unchanged, errors: done.errors };
}

/**
 * What the registry generates in `outDir` for the processed definitions of `defsDir` (each with
 * its Markdown): file -> content. Errors for two models whose text files would be the same file.
 */
export function registryOutputs(defsDir: string, outDir: string, processed: readonly ProcessedFile[]): { outputs: Map<string, string>; errors: FileError[] } {
  const errors: FileError[] = [];
  const entries: RegistryEntry[] = processed.map((f) => ({ filename: toPosix(path.relative(defsDir, f.file)), model: f.summary! }));
  const outputs = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const file = path.join(outDir, "text", textFileName(entry));
    // Two names with the same slug (e.g. "a-b" and "a b") would overwrite each other's text.
    if (outputs.has(file)) {
      errors.push({ file: path.join(defsDir, entry.filename), path: "$.name", message: `its text file ${textFileName(entry)} is also the text file of another model; rename one of them` });
      continue;
    }
    outputs.set(file, processed[i]!.markdown!);
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

/** Write each output whose file is missing or different (with `check`, only find which). */
export function writeOutputs(outputs: ReadonlyMap<string, string>, options: { check?: boolean } = {}): OutputsWritten {
  const result: OutputsWritten = { written: [], unchanged: 0, errors: [] };
  const dirs = new Set([...outputs.keys()].map((file) => path.dirname(file)));
  if (!options.check) for (const dir of dirs) mkdirSync(dir, { recursive: true });
  // Reads and writes of a few kilobytes each: done inline, which measured faster than async I/O.
  // Only files that exist are read to compare (one listing instead of a failed open per new file).
  const existing = new Set([...dirs].flatMap(listFiles));
  for (const [file, content] of outputs) {
    if (existing.has(file) && hasContent(file, content)) {
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

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/**
 * Whether `file` holds exactly `content`. Read as text (one call, decoded in C++) and compared as
 * text: cheaper than encoding `content` to compare bytes. Decoding turns a bad byte into U+FFFD,
 * so a content with that character is compared as bytes.
 */
function hasContent(file: string, content: string): boolean {
  try {
    if (content.includes("\uFFFD")) return readFileSync(file).equals(Buffer.from(content));
    return readFileSync(file, "utf8") === content;
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
