// The registry's pre-commit check of a set of model files: each file on its own, then the files
// against each other; optionally rewriting valid files in canonical form.
import { findConflicts, type Conflict } from "../model/conflicts.js";
import { writeFileAtomic } from "./atomic-write.js";
import { loadModelFilesSync, type FileError, type LoadedFile } from "./load.js";
import { describeIoError, findModelFiles } from "./scan.js";

export interface CheckReport {
  /** Model files found and checked. */
  files: number;
  valid: number;
  invalid: number;
  /** Valid files not in canonical form: rewritten with `reformat`, else left as they are. */
  changed: string[];
  errors: FileError[];
  conflicts: Conflict[];
}

export interface CheckOptions {
  /** Rewrite valid files that are not in canonical form (atomically; invalid files are never touched). */
  reformat?: boolean;
}

export class MissingPathError extends Error {
  constructor(readonly paths: string[]) {
    super(`no such file or directory: ${paths.join(", ")}`);
  }
}

/** Check every `*.fm.json` named by `targets` (files, or directories searched recursively). */
export async function checkModelFiles(targets: readonly string[], options: CheckOptions = {}): Promise<CheckReport & { loaded: LoadedFile[] }> {
  const found = findModelFiles(targets);
  if (found.missing.length > 0) throw new MissingPathError(found.missing);
  const loaded = loadModelFilesSync(found.files);
  const errors: FileError[] = found.problems.map((p) => ({ file: p.file, path: "$", message: p.message }));
  const changed: string[] = [];
  const writes: Promise<void>[] = [];
  let valid = 0;
  for (const file of loaded) {
    errors.push(...file.errors);
    if (!file.model) continue;
    valid++;
    if (file.canonicalText === undefined) continue;
    changed.push(file.file);
    if (options.reformat) {
      writes.push(
        writeFileAtomic(file.file, file.canonicalText).catch((e) => {
          errors.push({ file: file.file, path: "$", message: `could not be rewritten: ${describeIoError(e)}` });
        }),
      );
    }
  }
  await Promise.all(writes);
  const conflicts = findConflicts(loaded.flatMap((f) => (f.model ? [{ file: f.file, model: f.model }] : [])));
  const files = loaded.length + found.problems.length;
  return { files, valid, invalid: files - valid, changed, errors, conflicts, loaded };
}
