// Floors: the least the same work can cost in a plain Node script, run as a whole process.
// Each is a small program passed to `node --input-type=module -e`.

/** Read, hash (sha256) and JSON.parse every *.fm.json under a folder. */
export const READ_HASH_PARSE = `
import { readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (!f.endsWith(".fm.json")) continue;
  const bytes = readFileSync(path.join(dir, f));
  createHash("sha256").update(bytes).digest("hex");
  JSON.parse(bytes.toString("utf8"));
}`;

/** Read and JSON.parse every *.fm.json under a folder. */
export const READ_PARSE = `
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".fm.json")) JSON.parse(readFileSync(path.join(dir, f), "utf8"));
}`;

/** Read and JSON.parse every *.fm.json under a folder, and write a file of its size atomically (temp + rename) into a new folder (argv[2]). */
export const READ_PARSE_WRITE = `
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
const [dir, out] = [process.argv[1], process.argv[2]];
mkdirSync(out, { recursive: true });
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (!f.endsWith(".fm.json")) continue;
  const text = readFileSync(path.join(dir, f), "utf8");
  JSON.parse(text);
  const target = path.join(out, path.basename(f, ".fm.json") + ".md");
  writeFileSync(target + ".tmp", text.slice(0, text.length >> 1), { flag: "wx" });
  renameSync(target + ".tmp", target);
}`;

/** List and stat every *.fm.json under a folder. */
export const LIST_STAT = `
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".fm.json")) statSync(path.join(dir, f));
}`;

export function floorArgs(program: string, ...args: string[]): string[] {
  return ["--input-type=module", "-e", program, ...args];
}
