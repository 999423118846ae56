// Writing a file so that a reader (or a crash) never sees half of it: write a temporary file
// beside the target, then rename it over the target in one step. No fsync per file: an export
// writes thousands of files and the rename alone already guarantees old-or-new, never half.
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";

export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(content);
  } catch (e) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw e;
  } finally {
    await handle.close().catch(() => {});
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
}
