// The registry's pre-commit check of a set of model files: each file on its own, then the files
// against each other; optionally rewriting valid files in canonical form.
import { findConflicts, type Conflict } from "../model/conflicts.js";
import path from "node:path";
import { removeStaleTempFiles, writeFileAtomicSync } from "./atomic-write.js";
import { InvalidRequestError } from "./errors.js";
import { processFiles, type FileError, type ProcessedFile, type ProcessOptions } from "./process-files.js";
import { describeIoError, findModelFiles, type ScanProblem } from "./scan.js";

export interface CheckReport {
  /** Model files found and checked. */
  files: number;
  valid: number;
  invalid: number;
  /** Valid files not in canonical form: rewritten with `reformat`, else left as they are. */
  changed: string[];
  errors: FileError[];
  conflicts: Conflict[];
  /** What the scan found and left alone, not a failure: a link to a folder already searched (a loop). */
  notes: ScanProblem[];
}

export interface CheckOptions {
  /** Rewrite valid files that are not in canonical form (atomically; invalid files are never touched). */
  reformat?: boolean;
  /** Called as files are done (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** What export and the registry job ask of the check beside the public options. */
export interface CheckWork extends CheckOptions {
  /** Also render each valid model's Markdown (for export). */
  markdown?: boolean;
  /** Find out which valid files are not in canonical form (default: unless only rendering Markdown, which export does). */
  canonical?: boolean;
  /** Called with each file's result as it is done; what it returns is kept (as ProcessRun.onResult). */
  onResult?: (result: ProcessedFile) => ProcessedFile;
}

export class MissingPathError extends InvalidRequestError {
  static override readonly errorCode = "missing-path";
  constructor(readonly paths: string[]) {
    super(`no such file or directory: ${paths.join(", ")}`);
  }
}

/**
 * Check every `*.fm.json` named by `targets` (files, or folders searched recursively): each file
 * on its own (JSON, schema, IDs), then the files against each other (duplicate IDs and names).
 * Bad files are reported, never thrown.
 * @param targets - files and folders
 * @param options - `reformat` rewrites valid files that are not in canonical form; `onProgress` is
 * called as files are done
 * @returns the counts, each file's errors (file, JSON path, message) and the conflicts between files;
 * throws a MissingPathError when a target does not exist
 * @example
 * ```ts
 * import { checkModelFiles } from "findingmodel";
 *
 * const report = await checkModelFiles(["defs"]);
 * console.log(`${report.valid} of ${report.files} valid`);
 * for (const e of report.errors) console.log(`${e.file} ${e.path}: ${e.message}`);
 * for (const c of report.conflicts) console.log(`${c.kind} ${c.value}: ${c.files.join(", ")}`);
 * ```
 */
export async function checkModelFiles(targets: readonly string[], options: CheckOptions = {}): Promise<CheckReport> {
  const { processed: _, ...report } = await checkAndProcessModelFiles(targets, { reformat: options.reformat, onProgress: options.onProgress });
  return report;
}

/** checkModelFiles with the work export and the registry job need, and each file's result. */
export async function checkAndProcessModelFiles(targets: readonly string[], options: CheckWork = {}): Promise<CheckReport & { processed: ProcessedFile[] }> {
  const found = findModelFiles(targets);
  if (found.missing.length > 0) throw new MissingPathError(found.missing);
  const work: ProcessOptions = { canonical: options.canonical ?? (!options.markdown || options.reformat), markdown: options.markdown };
  const processed = await processFiles(found.files, work, { onProgress: options.onProgress, onResult: options.onResult });
  const errors: FileError[] = found.problems.map((p) => ({ file: p.file, path: "$", message: p.message }));
  const changed: string[] = [];
  let valid = 0;
  for (const file of processed) {
    errors.push(...file.errors);
    if (!file.summary) continue;
    valid++;
    if (file.canonicalText !== undefined) changed.push(file.file);
  }
  if (options.reformat) errors.push(...writeCanonical(processed));
  const conflicts = findConflicts(processed.flatMap((f) => (f.summary ? [{ file: f.file, model: f.summary }] : [])));
  const files = processed.length + found.problems.length;
  return { files, valid, invalid: files - valid, changed, errors, conflicts, notes: found.notes, processed };
}

/** Rewrite each processed file that has a canonical text different from its own (atomically); the files that could not be, as errors. */
export function writeCanonical(processed: readonly ProcessedFile[]): FileError[] {
  const errors: FileError[] = [];
  // A killed rewrite leaves its temporary files beside the definitions; this one removes them.
  for (const dir of new Set(processed.map((f) => path.dirname(f.file)))) removeStaleTempFiles(dir);
  for (const file of processed) {
    if (file.canonicalText === undefined) continue;
    try {
      writeFileAtomicSync(file.file, file.canonicalText);
    } catch (e) {
      errors.push({ file: file.file, path: "$", message: `could not be rewritten: ${describeIoError(e)}` });
    }
  }
  return errors;
}
