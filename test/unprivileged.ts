// Running a command as an ordinary user would. Permission bits (a file chmod 000, a read-only
// database) do not stop root, and CI runs the tests as root: the cases about them run their command
// without the capabilities that let root pass over permission bits (CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH, dropped through setpriv) when the tests run as root, and as the test's own
// user otherwise, so that they run everywhere. The command keeps root's user ID, so it reads the
// project wherever it is cloned, and the files the tests make (root's) are judged by their owner
// bits. Their files go in a folder every user may enter and write.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const AS_ROOT = process.getuid?.() === 0;
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
 * `argv` (a program and its arguments) run without root's power over permission bits when the tests run as root, else as this
 * user; resolves whatever the exit code.
 */
export function runUnprivileged(argv: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let command = [...argv];
  if (AS_ROOT) {
    if (!SETPRIV) throw new Error("the tests run as root and need setpriv (util-linux) to run this case as an ordinary user");
    command = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--", ...argv];
  }
  return new Promise((resolve, reject) => {
    execFile(command[0]!, command.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

