// Writing a file so that a reader (or a crash) never sees half of it: write a temporary file
// beside the target, then rename it over the target in one step. No fsync per file: an export
// writes thousands of files and the rename alone already guarantees old-or-new, never half.
import { readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** `.NAME.PID.RANDOM.tmp`: the temporary files written here, named by the process that writes them. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.([0-9a-z]+)\.tmp$/;

/**
 * Write `content` to `file` atomically. Synchronous: for files of a few kilobytes the thread-pool
 * round trips of async I/O cost more than the writes (docs/performance.md, "Figures behind the code").
 */
export function writeFileAtomicSync(file: string, content: string | Uint8Array): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(temp, content, { flag: "wx" });
    renameSync(temp, file);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // The temporary file was never made, or is already gone.
    }
    throw e;
  }
}

/**
 * Remove the temporary files of this naming in `dir` that a killed run left: written before this
 * process started, by a process that no longer runs. `names` is the folder's listing, when the
 * caller has it. Best effort: a file that cannot be removed stays. Returns the paths removed.
 */
export function removeStaleTempFiles(dir: string, names?: readonly string[]): string[] {
  let listing = names;
  try {
    listing ??= readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const started = Date.now() - process.uptime() * 1000;
  for (const name of listing) {
    const owner = TEMP_NAME.exec(name)?.[2];
    if (owner === undefined || Number(owner) === process.pid || isRunning(Number(owner))) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).mtimeMs >= started) continue;
      unlinkSync(file);
      removed.push(file);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The same, for callers that await. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  writeFileAtomicSync(file, content);
}
