// Finding the model files of a folder: every `*.fm.json` below it, recursively.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export const MODEL_FILE_SUFFIX = ".fm.json";

export interface ScannedFile {
  /** Path as given by the caller joined with the path below it. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  file: string;
  message: string;
}

export interface ScanResult {
  files: ScannedFile[];
  problems: ScanProblem[];
}

/**
 * The `*.fm.json` files named by `targets`: files as they are, directories searched recursively.
 * Sorted by path so every run reports in the same order. A target that does not exist is a
 * problem for the caller to report as a usage error (see `missing`).
 */
export async function scanModelFiles(targets: string[]): Promise<ScanResult & { missing: string[] }> {
  const files: ScannedFile[] = [];
  const problems: ScanProblem[] = [];
  const missing: string[] = [];
  for (const target of targets) {
    let info;
    try {
      info = await stat(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") missing.push(target);
      else problems.push({ file: target, message: describeIoError(e) });
      continue;
    }
    if (info.isDirectory()) await walk(target, files, problems);
    else files.push({ path: target, size: info.size, mtimeMs: info.mtimeMs });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: dedupe(files), problems, missing };
}

async function walk(dir: string, files: ScannedFile[], problems: ScanProblem[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ file: dir, message: describeIoError(e) });
    return;
  }
  const stats: Promise<void>[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.endsWith(MODEL_FILE_SUFFIX)) problems.push({ file: full, message: "is a directory, not a model file" });
      if (entry.name !== "node_modules" && !entry.name.startsWith(".")) stats.push(walk(full, files, problems));
    } else if (entry.name.endsWith(MODEL_FILE_SUFFIX) && (entry.isFile() || entry.isSymbolicLink())) {
      stats.push(
        stat(full).then(
          (info) => {
            if (info.isDirectory()) problems.push({ file: full, message: "is a directory, not a model file" });
            else files.push({ path: full, size: info.size, mtimeMs: info.mtimeMs });
          },
          (e) => void problems.push({ file: full, message: describeIoError(e) }),
        ),
      );
    }
  }
  await Promise.all(stats);
}

function dedupe(files: ScannedFile[]): ScannedFile[] {
  return files.filter((f, i) => i === 0 || files[i - 1]!.path !== f.path);
}

/** A file system error in words a user can act on. */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "does not exist (deleted while we were working?)";
    case "EACCES":
    case "EPERM":
      return "cannot be read: permission denied";
    case "EISDIR":
      return "is a directory, not a model file";
    case "ELOOP":
      return "is a symbolic link that loops";
    case "EMFILE":
    case "ENFILE":
      return "cannot be opened: too many open files";
    default:
      return err.message ?? String(e);
  }
}
