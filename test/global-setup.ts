// Every test file, and every process a test starts, makes its temporary folders under one folder
// of this run (TMPDIR), removed at the end: a test that forgets to clean up, or is killed half-way,
// leaves nothing behind in the system's temporary folder.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "findingmodel-tests-"));
  process.env.TMPDIR = dir;
  return () => {
    makeWritable(dir); // tests chmod folders to 000 to make them unreadable
    rmSync(dir, { recursive: true, force: true });
  };
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.isSymbolicLink()) makeWritable(path.join(dir, entry.name));
  }
}
