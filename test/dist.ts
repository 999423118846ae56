// Tests that run the compiled code (dist/: the CLI in a child process, worker and writer threads)
// must never run stale code: each such test file calls buildIfStale() before it loads or starts
// anything from dist/. `npm test` also builds first (pretest); this covers a single file run alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DIST = path.join(ROOT, "dist");
const SRC = path.join(ROOT, "src");

/**
 * The first file of src/ whose compiled form (or copy, for the lexicon and the web page's files)
 * in dist/ is missing or older than it; undefined when dist/ is up to date.
 */
export function staleSource(dir = SRC): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = staleSource(full);
      if (found) return found;
      continue;
    }
    if (e.name.endsWith(".d.ts")) continue;
    const out = path.join(DIST, path.relative(SRC, full)).replace(/\.ts$/, ".js");
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(full).mtimeMs) return full;
  }
  return undefined;
}

/**
 * Run `npm run build` (TypeScript and the copied data files) unless dist/ is newer than every
 * file of src/. Test files run in parallel: one builds while the others wait for it.
 */
export function buildIfStale(): void {
  if (!staleSource()) return;
  const lock = path.join(ROOT, ".dist-build-lock");
  for (const started = Date.now(); ; ) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (holderGone(lock)) continue;
      if (Date.now() - started > 300_000) throw new Error(`waited 5 minutes for another test file's build (${lock})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!staleSource()) return; // built by the file that held the lock
    const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    const still = staleSource();
    if (still) throw new Error(`npm run build left dist/ older than ${still}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Whether the process that took `lock` has gone without removing it (then it is removed). */
function holderGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, "pid"), "utf8"));
  } catch {
    return false; // being written
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    rmSync(lock, { recursive: true, force: true });
    return true;
  }
}
