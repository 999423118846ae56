// Running a command as an ordinary user. Permission bits (a file chmod 000, a read-only database)
// do not stop root, and CI runs the tests as root: the cases about them run their command as the
// user "nobody" (through setpriv) when the tests run as root, and as the test's own user otherwise,
// so that they run everywhere. Their files go in a folder every user may enter and write.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
/** The project's folder (this file is in its test/). */
const PROJECT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A new folder the unprivileged user may enter, read and write (its parent made enterable). */
export function sharedTempDir(prefix: string): string {
  const parent = tmpdir();
  // The tests' temporary folder is private (0700): let others pass through it, not list it.
  const mode = statSync(parent).mode & 0o777;
  if ((mode & 0o001) === 0) chmodSync(parent, mode | 0o011);
  const dir = mkdtempSync(path.join(parent, prefix));
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * `argv` (a program and its arguments) run as "nobody" when the tests run as root, else as this
 * user; resolves whatever the exit code.
 */
export function runUnprivileged(argv: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let command = [...argv];
  if (AS_ROOT) {
    if (!SETPRIV) throw new Error("the tests run as root and need setpriv (util-linux) to run this case as an ordinary user");
    command = [SETPRIV, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...argv];
  }
  return checkReachable().then(() => new Promise((resolve, reject) => {
    execFile(command[0]!, command.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  }));
}

/**
 * As root: the project (its dist/, which these commands run or import) must be readable by
 * "nobody", which a checkout inside a private folder (mktemp -d, a 0700 home) is not. Said plainly,
 * instead of the command's own "Cannot find module".
 */
async function checkReachable(): Promise<void> {
  if (!AS_ROOT || !SETPRIV) return;
  const marker = path.join(PROJECT, "package.json");
  const readable = await new Promise<boolean>((resolve) =>
    execFile(SETPRIV, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", "test", "-r", marker], (error) => resolve(!error)),
  );
  if (!readable) {
    throw new Error(
      `the tests run as root and run this case as the user "nobody", who cannot read ${PROJECT}: a folder above it is private (mode 0700, as mktemp -d makes); clone the project into a folder every user may enter, or run the tests as an ordinary user`,
    );
  }
}
