// Files the project writes (exports, canonical rewrites, Markdown) are written whole or not at all:
// a write that fails half-way leaves the old bytes, and a reader never sees a partial file.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildIfStale, DIST } from "./dist.js";

buildIfStale();
const ATOMIC = pathToFileURL(path.join(DIST, "index", "atomic-write.js")).href;
const work = mkdtempSync(path.join(tmpdir(), "fm-atomic-"));
let n = 0;

function node(script: string, prefix: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(work, `script-${++n}.mjs`);
  writeFileSync(file, script);
  const argv = [...prefix, process.execPath, file];
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

describe("atomic file writes (the compiled writeFileAtomicSync)", () => {
  it("leave the old bytes when the write fails half-way (file size limit reached), and no temporary file", async () => {
    const dir = mkdtempSync(path.join(work, "limit-"));
    const target = path.join(dir, "model.fm.json");
    const old = '{"old": true}\n';
    writeFileSync(target, old);
    // The process may write files of at most 64 KiB: the 1 MiB write fails after 64 KiB.
    const run = await node(
      `const { writeFileAtomicSync } = await import(${JSON.stringify(ATOMIC)});
try {
  writeFileAtomicSync(${JSON.stringify(target)}, "x".repeat(1 << 20));
  console.log("written");
} catch (e) {
  console.log(e.code);
}`,
      ["prlimit", `--fsize=${64 * 1024}`],
    );
    expect(run.stdout.trim(), run.stderr).toBe("EFBIG");
    expect(readFileSync(target, "utf8")).toBe(old);
    expect(readdirSync(dir)).toEqual(["model.fm.json"]);
  });

  it("are never seen half-written by a reader reading all the while", async () => {
    const dir = mkdtempSync(path.join(work, "reader-"));
    const target = path.join(dir, "big.json");
    const size = 4 << 20;
    writeFileSync(target, "a".repeat(size));
    // Writer and reader in two processes; the reader reports every read that is not a whole
    // version (all "a" or all "b", 4 MiB).
    const reader = node(`import { readFileSync, existsSync } from "node:fs";
const size = ${size};
let reads = 0, partial = 0;
const until = Date.now() + 60_000;
while (!existsSync(${JSON.stringify(target + ".done")}) && Date.now() < until) {
  const text = readFileSync(${JSON.stringify(target)}, "latin1");
  reads++;
  if (text.length !== size || (text[0] !== text[size - 1])) partial++;
}
console.log(JSON.stringify({ reads, partial }));`);
    const writer = await node(`const { writeFileAtomicSync } = await import(${JSON.stringify(ATOMIC)});
import { writeFileSync } from "node:fs";
await new Promise((r) => setTimeout(r, 300));
const versions = ["a".repeat(${size}), "b".repeat(${size})];
for (let i = 0; i < 60; i++) writeFileAtomicSync(${JSON.stringify(target)}, versions[(i + 1) % 2]);
writeFileSync(${JSON.stringify(target + ".done")}, "");`);
    expect(writer.code, writer.stderr).toBe(0);
    const read = await reader;
    expect(read.code, read.stderr).toBe(0);
    const { reads, partial } = JSON.parse(read.stdout) as { reads: number; partial: number };
    expect(reads).toBeGreaterThan(0);
    expect(partial).toBe(0);
  }, 120_000);
});
