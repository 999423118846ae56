// The registry's pre-commit check of a set of model files: each file on its own, then the files
// against each other; optionally rewriting valid files in canonical form.
import { toCanonicalJson } from "../model/canonical.js";
import { findConflicts, type Conflict } from "../model/conflicts.js";
import { writeFileAtomic } from "./atomic-write.js";
import { loadModelFiles, type FileError, type LoadedFile } from "./load.js";
import { describeIoError, scanModelFiles } from "./scan.js";

export interface CheckReport {
  /** Model files found and checked. */
  files: number;
  valid: number;
  invalid: number;
  /** Files rewritten in canonical form (with `reformat`), or that would be (without). */
  changed: string[];
  errors: FileError[];
  conflicts: Conflict[];
}

export interface CheckOptions {
  /** Rewrite valid files that are not in canonical form. */
  reformat?: boolean;
}

export class MissingPathError extends Error {
  constructor(readonly paths: string[]) {
    super(`no such file or directory: ${paths.join(", ")}`);
  }
}

/** Check every `*.fm.json` named by `targets` (files, or directories searched recursively). */
export async function checkModelFiles(targets: string[], options: CheckOptions = {}): Promise<CheckReport & { loaded: LoadedFile[] }> {
  const scan = await scanModelFiles(targets);
  if (scan.missing.length > 0) throw new MissingPathError(scan.missing);
  const loaded = await loadModelFiles(scan.files);
  const errors: FileError[] = scan.problems.map((p) => ({ file: p.file, path: "$", message: p.message }));
  const changed: string[] = [];
  const writes: Promise<void>[] = [];
  let valid = 0;
  for (const file of loaded) {
    errors.push(...file.errors);
    if (!file.model) continue;
    valid++;
    const canonical = toCanonicalJson(file.model);
    if (file.bytes && sameText(file.bytes, canonical)) continue;
    changed.push(file.file);
    if (options.reformat) {
      writes.push(
        writeFileAtomic(file.file, canonical).catch((e) => {
          errors.push({ file: file.file, path: "$", message: `could not be rewritten: ${describeIoError(e)}` });
        }),
      );
    }
  }
  await Promise.all(writes);
  const conflicts = findConflicts(loaded.flatMap((f) => (f.model ? [{ file: f.file, model: f.model }] : [])));
  return { files: loaded.length + scan.problems.length, valid, invalid: loaded.length + scan.problems.length - valid, changed, errors, conflicts, loaded };
}

/** Whether the file's bytes are exactly `text` in UTF-8, without decoding the file again. */
function sameText(bytes: Buffer, text: string): boolean {
  return bytes.length === Buffer.byteLength(text) && bytes.equals(Buffer.from(text));
}
