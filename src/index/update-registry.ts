// The registry maintainers' job on every commit, in one pass over the files: check every
// definition in <dir>/defs (each on its own, then against each other), rewrite each in canonical
// form, and regenerate <dir>/text/, <dir>/index.md and <dir>/ids.json. Each file is read once:
// one read gives the check, the canonical text and the Markdown. Nothing is changed unless every
// definition is valid and none clash.
import { readdirSync, statSync, unlinkSync } from "node:fs";
import path from "node:path";
import { checkAndProcessModelFiles, writeCanonical } from "./check-folder.js";
import { InvalidRequestError } from "./errors.js";
import { dropCurrentText, registryOutputs, writeOutputs, type ExportReport } from "./export.js";
import type { FileError } from "./process-files.js";
import { describeIoError } from "./scan.js";

export interface RegistryReport extends ExportReport {
  /** The registry's folder, as given. */
  dir: string;
  /** With `check`: nothing was changed; the lists say what would be. */
  check: boolean;
  /** Valid definitions not in canonical form: rewritten (with `check`: that would be). */
  changed: string[];
  /** Files in text/ that no definition makes: removed (with `check`: that would be). */
  removed: string[];
  /** Every definition valid, canonical and every output up to date before this run. */
  upToDate: boolean;
  /** Wall time of the whole job. */
  ms: number;
}

export interface RegistryOptions {
  /** Change nothing; only report what would change. */
  check?: boolean;
  /** Called as definitions are read (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export class NotARegistryError extends InvalidRequestError {
  static override readonly errorCode = "not-a-registry";
}

/** Validate, rewrite canonically and export the registry in `dir` (definitions in `dir/defs`). */
export async function updateRegistry(dir: string, options: RegistryOptions = {}): Promise<RegistryReport> {
  const started = performance.now();
  const check = options.check === true;
  const defsDir = path.join(dir, "defs");
  if (!isDirectory(defsDir)) throw new NotARegistryError(`${defsDir} is not a directory: a registry keeps its definitions in defs/ (name the registry's folder: findingmodel registry <dir>)`);

  const textDir = path.join(dir, "text");
  const found = await checkAndProcessModelFiles([defsDir], { markdown: true, canonical: true, onProgress: options.onProgress, onResult: dropCurrentText(dir) });
  const { processed, files, valid, invalid, errors, conflicts, changed, notes } = found;
  const report: RegistryReport = { dir, check, files, valid, invalid, errors, conflicts, notes, changed, written: [], unchanged: 0, removed: [], upToDate: false, ms: 0 };
  const finish = () => ({ ...report, ms: performance.now() - started });
  if (errors.length > 0 || conflicts.length > 0) return finish();
  const planned = registryOutputs(defsDir, dir, processed);
  if (planned.errors.length > 0) {
    report.errors.push(...planned.errors);
    return finish();
  }

  report.removed = staleTextFiles(textDir, planned.outputs);
  report.upToDate = changed.length === 0 && report.removed.length === 0;
  if (!check) report.errors.push(...writeCanonical(processed));
  const outputs = writeOutputs(planned.outputs, { check });
  report.written = outputs.written;
  report.unchanged = outputs.unchanged;
  report.errors.push(...outputs.errors);
  report.upToDate &&= outputs.written.length === 0;
  if (!check) report.errors.push(...removeFiles(report.removed));
  return finish();
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The Markdown files in text/ that no definition makes (its definition removed or renamed). Only
 * `*.md` files: anything else there, and hidden files, are not the registry's and stay.
 */
function staleTextFiles(textDir: string, outputs: ReadonlyMap<string, unknown>): string[] {
  let names: string[];
  try {
    names = readdirSync(textDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(".md") && !name.startsWith("."))
    .map((name) => path.join(textDir, name))
    .filter((file) => !outputs.has(file))
    .sort();
}

function removeFiles(files: readonly string[]): FileError[] {
  const errors: FileError[] = [];
  for (const file of files) {
    try {
      unlinkSync(file);
    } catch (e) {
      errors.push({ file, path: "$", message: `could not be removed: ${describeIoError(e)}` });
    }
  }
  return errors;
}
