// Progress bars of the commands that read every file (validate, export, registry, index sync):
// drawn on stderr when it is a terminal, never with --json, never when stderr is piped. A
// terminal is made with util-linux `script`, which runs the command on a pseudo-terminal.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIfStale, CLI, ROOT, runCli } from "./cli-run.js";
import { DEFS } from "./corpus.js";

let work: string;
beforeAll(() => {
  buildIfStale();
  work = mkdtempSync(path.join(os.tmpdir(), "findingmodel-progress-"));
  cpSync(DEFS, path.join(work, "registry", "defs"), { recursive: true });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

/** Run the CLI on a pseudo-terminal (stdout and stderr both on it); its exit code and everything it showed. */
function onTerminal(args: readonly string[]): { code: number | null; shown: string } {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-qec", quoted, "/dev/null"], { cwd: ROOT, encoding: "utf8" });
  if (r.error) throw new Error(`util-linux script is needed to run a command on a terminal: ${r.error.message}`);
  return { code: r.status, shown: r.stdout };
}

// Each command, with the registry's 2,382 definitions to read (enough for a bar).
const commands: Array<[string, () => string[]]> = [
  ["validate", () => ["validate", DEFS]],
  ["export", () => ["export", DEFS, "--out", path.join(work, "export")]],
  ["registry --check", () => ["registry", path.join(work, "registry"), "--check"]],
  ["index sync", () => ["index", "sync", DEFS, "--db", path.join(work, `sync-${Math.random()}.db`)]],
];

describe.each(commands)("%s", (_, args) => {
  it("draws a bar of files read on a terminal", () => {
    const run = onTerminal(args());
    expect(run.shown).toMatch(/reading [^\n]*2382\/2382 files/);
  }, 60_000);

  it("draws none with --json, even on a terminal", () => {
    const run = onTerminal([...args(), "--json"]);
    expect(run.shown).not.toContain("reading");
    expect(run.shown).not.toContain("\x1b");
    expect(run.shown.trimStart()).toMatch(/^\{/);
  }, 60_000);

  it("draws none when stderr is piped", async () => {
    const run = await runCli(args());
    // Diagnostics (sync's warnings) may be there; no bar, and no terminal control codes.
    expect(run.stderr).not.toContain("reading");
    expect(run.stderr).not.toContain("\x1b[");
    expect(run.stdout).not.toContain("reading");
  }, 60_000);
});
