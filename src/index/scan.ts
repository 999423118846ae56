// Finding the model files of a folder: every `*.fm.json` below it, recursively.
import { isUtf8 } from "node:buffer";
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
  /** What was found and left alone, not a failure: a link to a folder already searched (a loop). */
  notes: ScanProblem[];
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
  const walked: Walked = { problems, notes: [], folders: new Map() };
  for (const target of targets) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") missing.push(target);
      else problems.push({ file: target, message: describeIoError(e) });
      continue;
    }
    if (isDirectory) walk(path.normalize(target), files, walked);
    else files.push(target);
  }
  files.sort(byPath);
  const notes = walked.notes;
  // One folder's walk names each file once; several targets may name a file twice, however spelt
  // ("defs/a.fm.json", "./defs/a.fm.json", an absolute path), and it would clash with itself.
  if (targets.length <= 1) return { files, problems, missing, notes };
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    const key = path.resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems, missing, notes };
}

interface Walked {
  problems: ScanProblem[];
  notes: ScanProblem[];
  /** Each real folder searched (by device and inode), with the path it was searched by. */
  folders: Map<string, string>;
}

/**
 * Walk `dir`, a normalized path: each entry's path is then the folder's, a separator and its name
 * (what path.join gives, without normalizing every one). Each real folder is searched once: a
 * link back to a folder already searched (`ln -s . loop`) would otherwise be followed until the
 * path is too long, finding every file again at each level.
 */
function walk(dir: string, files: string[], walked: Walked): void {
  const { problems, notes, folders } = walked;
  let entries: Dirent[];
  try {
    const id = folderId(dir);
    const seen = folders.get(id);
    if (seen !== undefined) {
      notes.push({ file: dir, message: `is a symbolic link to the folder ${seen}, which is already searched; not followed again` });
      return;
    }
    folders.set(id, dir);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ file: dir, message: `is a folder that cannot be searched (${describeIoError(e)}); no file in it was checked` });
    return;
  }
  const prefix = dir === "." || dir === "." + path.sep ? "" : dir.endsWith(path.sep) ? dir : dir + path.sep;
  // Names that are not UTF-8 come back with U+FFFD in place of the bad bytes, naming no file.
  if (entries.some((e) => e.name.includes("\uFFFD"))) entries = withoutUndecodableNames(dir, prefix, entries, problems);
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
      else if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(full, files, walked);
    } else if (isModelName) {
      files.push(full);
    }
  }
}

function folderId(dir: string): string {
  const s = statSync(dir, { bigint: true });
  return `${s.dev}:${s.ino}`;
}

/**
 * `entries` without the names that are not valid UTF-8 (which no string can name), each reported
 * as a problem when it may be a model file or a folder of them, with its bytes escaped (\xE9).
 */
function withoutUndecodableNames(dir: string, prefix: string, entries: Dirent[], problems: ScanProblem[]): Dirent[] {
  const raw = readdirSync(dir, { encoding: "buffer", withFileTypes: true });
  const decodable = new Set<string>();
  for (const entry of raw) {
    const name = entry.name as unknown as Buffer;
    if (isUtf8(name)) {
      decodable.add(name.toString("utf8"));
      continue;
    }
    const escaped = escapeBytes(name);
    if (entry.isDirectory() || entry.isSymbolicLink() || escaped.endsWith(MODEL_FILE_SUFFIX)) {
      problems.push({ file: prefix + escaped, message: `has a name that is not valid UTF-8 (shown with its bytes escaped), so it cannot be read; rename it` });
    }
  }
  return entries.filter((e) => decodable.has(e.name));
}

/** A name's bytes as text: valid UTF-8 as it is, each other byte as \xHH. */
export function escapeBytes(name: Buffer): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < name.length; ) {
    // The longest valid UTF-8 run from i (at most 4 bytes a character).
    let n = 0;
    for (let len = Math.min(4, name.length - i); len >= 1; len--) {
      if (isUtf8(name.subarray(i, i + len))) {
        n = len;
        break;
      }
    }
    if (n > 0) {
      i += n;
      continue;
    }
    out += name.subarray(start, i).toString("utf8") + `\\x${name[i]!.toString(16).toUpperCase().padStart(2, "0")}`;
    start = ++i;
  }
  return out + name.subarray(start).toString("utf8");
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
