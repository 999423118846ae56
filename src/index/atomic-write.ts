// Writing a file so that a reader (or a crash) never sees half of it: write a temporary file
// beside the target, then rename it over the target in one step. No fsync per file: an export
// writes thousands of files and the rename alone already guarantees old-or-new, never half.
import { renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

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

/** The same, for callers that await. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  writeFileAtomicSync(file, content);
}
