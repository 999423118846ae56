// Finding the model files of a folder: every `*.fm.json` below it, recursively.
import { readdirSync, statSync, type Dirent } from "node:fs";
import path from "node:path";

export const MODEL_FILE_SUFFIX = ".fm.json";

export interface ScanProblem {
  file: string;
  message: string;
}

export interface FoundFiles {
  /** Paths of model files, sorted, each once. */
  files: string[];
  /** Things that look like model files but cannot be (a directory named *.fm.json, an unreadable folder). */
  problems: ScanProblem[];
  /** Targets that do not exist: a usage error for the caller to report. */
  missing: string[];
}

/**
 * The `*.fm.json` files named by `targets`: files as they are, directories searched recursively
 * (skipping hidden folders and node_modules). Synchronous: a directory listing is a handful of
 * system calls, cheaper inline than through the thread pool.
 */
export function findModelFiles(targets: readonly string[]): FoundFiles {
  const files: string[] = [];
  const problems: ScanProblem[] = [];
  const missing: string[] = [];
  for (const target of targets) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") missing.push(target);
      else problems.push({ file: target, message: describeIoError(e) });
      continue;
    }
    if (isDirectory) walk(path.normalize(target), files, problems);
    else files.push(target);
  }
  files.sort(byPath);
  // One folder's walk names each file once; several targets may name a file twice, however spelt
  // ("defs/a.fm.json", "./defs/a.fm.json", an absolute path), and it would clash with itself.
  if (targets.length <= 1) return { files, problems, missing };
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    const key = path.resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems, missing };
}

/** Walk `dir`, a normalized path: each entry's path is then the folder's, a separator and its name (what path.join gives, without normalizing every one). */
function walk(dir: string, files: string[], problems: ScanProblem[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ file: dir, message: describeIoError(e) });
    return;
  }
  const prefix = dir === "." || dir === "." + path.sep ? "" : dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const entry of entries) {
    const full = prefix + entry.name;
    const isModelName = entry.name.endsWith(MODEL_FILE_SUFFIX);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDirectory = statSync(full).isDirectory();
      } catch (e) {
        // A link whose target is gone: say so, rather than "does not exist" of the link itself.
        const dangling = (e as NodeJS.ErrnoException).code === "ENOENT";
        if (isModelName) problems.push({ file: full, message: dangling ? "is a symbolic link to a file that does not exist" : describeIoError(e) });
        continue;
      }
    }
    if (isDirectory) {
      if (isModelName) problems.push({ file: full, message: "is a directory, not a model file" });
      else if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(full, files, problems);
    } else if (isModelName) {
      files.push(full);
    }
  }
}

export interface FileStat {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Size and modification time of each file; a file that vanished or cannot be read is a problem. */
export function statFiles(files: readonly string[]): { stats: FileStat[]; problems: ScanProblem[] } {
  const stats: FileStat[] = [];
  const problems: ScanProblem[] = [];
  for (const file of files) {
    try {
      const s = statSync(file);
      stats.push({ path: file, size: s.size, mtimeMs: s.mtimeMs });
    } catch (e) {
      problems.push({ file, message: describeIoError(e) });
    }
  }
  return { stats, problems };
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
    case "ENOSPC":
      return "cannot be written: the disk is full";
    case "EROFS":
      return "cannot be written: read-only file system";
    case "ERR_FS_FILE_TOO_LARGE":
      return "is too large to read";
    default:
      return err.message ?? String(e);
  }
}
