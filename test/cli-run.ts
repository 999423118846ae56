// Running the compiled `findingmodel` command in a child process, as a user does, from any folder.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CLI = path.join(ROOT, "dist", "cli", "main.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node dist/cli/main.js ...args` in `cwd` (default the project); resolves whatever the exit code. */
export function runCli(args: readonly string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

export function parseJson<T>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Build dist/ unless every compiled file is newer than its source (`npm test` also builds, in pretest). */
export function buildIfStale(): void {
  const stale = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return stale(full);
      if (!e.name.endsWith(".ts") || e.name.endsWith(".d.ts")) return false;
      const out = path.join(ROOT, "dist", path.relative(path.join(ROOT, "src"), full)).replace(/\.ts$/, ".js");
      return !existsSync(out) || statSync(out).mtimeMs < statSync(full).mtimeMs;
    });
  if (!existsSync(CLI) || stale(path.join(ROOT, "src"))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
    if (!existsSync(CLI)) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
    if (r.status !== 0) console.warn(`tsc reported errors (testing the JavaScript it emitted):\n${r.stdout}${r.stderr}`);
  }
}
