// How the `findingmodel` command reports what went wrong, as a new user meets it: every error is
// a line on stderr starting "findingmodel:", and with --json also {"error": {code, message}} on
// stdout; bad numbers and environment variables are quoted as typed; a bad --db says what to do
// without ever suggesting to delete a file that is not an index. Runs dist/cli/main.js (build first).
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const work = mkdtempSync(path.join(os.tmpdir(), "fm-cli-errors-"));
const defs = path.join(work, "defs");
const DB = path.join(work, "index.db");
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the command with `env` added to (or, for undefined values, removed from) the environment. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const fullEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete fullEnv[k];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: fullEnv }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** The JSON error object on stdout, checked for its one shape and against the line on stderr. */
function jsonError(run: Run): { code: string; message: string } {
  const parsed = JSON.parse(run.stdout) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(["error"]);
  expect(Object.keys(parsed.error).sort()).toEqual(["code", "message"]);
  expect(run.stderr).toContain(`findingmodel: ${parsed.error.message}\n`);
  return parsed.error;
}

/** Every line on stderr is the program's, named: no bare "error:" of commander, no stack trace. */
function expectNamedErrorLines(run: Run): void {
  const lines = run.stderr.split("\n").filter((l) => l !== "");
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/^findingmodel: /);
}

beforeAll(async () => {
  mkdirSync(defs);
  for (const name of ["pulmonary_nodule.fm.json", "abdominal_aortic_aneurysm.fm.json", "pneumothorax.fm.json"]) copyFileSync(path.join(DEFS, name), path.join(defs, name));
  // Contributors whose user names differ in case, to see them sorted.
  const base = JSON.parse(readFileSync(path.join(DEFS, "hydrocephalus.fm.json"), "utf8"));
  const person = (github_username: string) => ({ github_username, email: `${github_username}@example.org`, name: github_username, organization_code: "MSFT" });
  base.contributors = [person("zed"), person("Amy"), person("bob"), person("Carla")];
  writeFileSync(path.join(defs, "hydrocephalus.fm.json"), JSON.stringify(base, null, 2));
  const sync = await cli(["index", "sync", defs, "--db", DB, "--json"]);
  expect(sync.stderr).toBe("");
  expect(sync.code).toBe(0);
}, 60_000);

describe("numeric options", () => {
  const cases: Array<[string[], string]> = [
    [["list", "--db", DB, "--limit", "abc"], '--limit must be a whole number from 1 to 1000; got "abc"'],
    [["list", "--db", DB, "--limit", "5000"], '--limit must be a whole number from 1 to 1000; got "5000"'],
    [["list", "--db", DB, "--offset", "-1"], '--offset must be a whole number of at least 0; got "-1"'],
    [["list", "--db", DB, "--offset", "1.5"], '--offset must be a whole number of at least 0; got "1.5"'],
    [["search", "lung", "--db", DB, "--limit", "abc"], '--limit must be a whole number from 1 to 1000; got "abc"'],
    [["search", "lung", "--db", DB, "--limit", "0"], '--limit must be a whole number from 1 to 1000; got "0"'],
    [["index", "search", "lung", "--db", DB, "--limit", "1e2"], '--limit must be a whole number from 1 to 1000; got "1e2"'],
    [["generate", path.join(work, "gen"), "--count", "abc"], '--count must be a whole number from 1 to 1,000,000; got "abc"'],
    [["generate", path.join(work, "gen"), "--count", "3", "--seed", "x"], '--seed must be a whole number from 0 to 4,294,967,295; got "x"'],
    [["serve", "--db", DB, "--port", "abc"], '--port must be a whole number from 0 to 65535; got "abc"'],
    [["serve", "--db", DB, "--port", "70000"], '--port must be a whole number from 0 to 65535; got "70000"'],
  ];
  it.concurrent.each(cases)("%j is a usage error quoting what was typed", async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`findingmodel: ${message}\n`);
    expect(run.stdout).toBe("");
  }, 30_000);
});

describe("get", () => {
  it("takes one ID, name or synonym: a name with spaces quoted works, two words unquoted are a usage error saying to quote", async () => {
    const quoted = await cli(["get", "Pulmonary Nodule", "--db", DB, "--json"]);
    expect(quoted.code).toBe(0);
    expect(JSON.parse(quoted.stdout).oifm_id).toBe("OIFM_CDE_000195");
    const run = await cli(["get", "Pulmonary", "Nodule", "--db", DB]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('findingmodel: get takes one ID, name or synonym; got 2 ("Pulmonary", "Nodule"): quote a name with spaces, e.g. findingmodel get "Pulmonary Nodule"\n');
  });

  it("an unknown model: exit 1, a JSON error with --json, a named line on stderr", async () => {
    const run = await cli(["get", "no such thing", "--db", DB, "--json"]);
    expect(run.code).toBe(1);
    expect(jsonError(run)).toEqual({ code: "not-found", message: 'no model with ID, name or synonym "no such thing"; try findingmodel search' });
    const human = await cli(["get", "no such thing", "--db", DB]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe("");
    expect(human.stderr).toBe('findingmodel: no model with ID, name or synonym "no such thing"; try findingmodel search\n');
  });
});

describe("every error of every command, with --json, is one JSON object on stdout and a named line on stderr", () => {
  const missing = path.join(work, "no-such-dir");
  const cases: Array<[string, string[], number, string, RegExp]> = [
    ["unknown option", ["list", "--bogus", "--db", DB], 2, "usage", /^unknown option '--bogus' \(run with --help for usage\)$/],
    ["missing argument", ["get", "--db", DB], 2, "usage", /^missing required argument 'idOrName'/],
    ["unknown command", ["frobnicate"], 2, "usage", /^unknown command 'frobnicate'/],
    ["too many arguments", ["fm-to-markdown", "a.fm.json", "b.fm.json"], 2, "usage", /^too many arguments for 'fm-to-markdown'/],
    ["bad number", ["list", "--limit", "abc", "--db", DB], 2, "usage", /^--limit must be a whole number/],
    ["two names to get", ["get", "a", "b", "--db", DB], 2, "usage", /quote a name with spaces/],
    ["blank query", ["search", "  ", "--db", DB], 2, "usage", /blank/],
    ["missing batch file", ["search", "--batch", path.join(work, "none.txt"), "--db", DB], 2, "usage", /cannot read the batch file/],
    ["validate: missing folder", ["validate", missing], 2, "usage", /no-such-dir/],
    ["export: missing folder", ["export", missing, "--out", path.join(work, "out")], 2, "usage", /is not a directory/],
    ["fm-to-markdown: missing file", ["fm-to-markdown", path.join(work, "x.fm.json")], 2, "usage", /does not exist/],
    ["stub: bad --source", ["stub", "pulmonary widget", "--source", "msft"], 2, "usage", /--source must be 3 or 4 capital letters/],
    ["stub: name taken", ["stub", "pulmonary nodule", "--source", "MSFT", "--defs", defs], 1, "conflict", /^a model named "pulmonary nodule" already exists in .*pulmonary_nodule\.fm\.json$/],
    ["sync: missing folder", ["index", "sync", missing, "--db", DB], 2, "usage", /no-such-dir does not exist/],
    ["no index", ["stats", "--db", path.join(work, "none.db")], 2, "database", /there is no index at .*none\.db/],
    ["serve: bad port", ["serve", "--port", "x", "--db", DB], 2, "usage", /--port/],
    ["generate: bad count", ["generate", path.join(work, "gen"), "--count", "0"], 2, "usage", /--count/],
    ["bad environment variable", ["tags", "--db", DB], 2, "usage", /FINDINGMODEL_THREADS/],
  ];
  it.concurrent.each(cases)("%s", async (name, args, exitCode, code, message) => {
    const env = name === "bad environment variable" ? { FINDINGMODEL_THREADS: "many" } : {};
    const run = await cli([...args, "--json"], env);
    expect(run.code).toBe(exitCode);
    const error = jsonError(run);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expectNamedErrorLines(run);
    // Without --json: the same line on stderr, nothing on stdout.
    const human = await cli(args, env);
    expect(human.code).toBe(exitCode);
    expect(human.stdout).toBe("");
    expect(human.stderr).toBe(`findingmodel: ${error.message}\n`);
  }, 30_000);

  it("no command at all: help on stderr, then a named line", async () => {
    const run = await cli(["index"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^Usage: findingmodel index/);
    expect(run.stderr).toMatch(/\nfindingmodel: give a command \(see the list above\)\n$/);
    const json = await cli(["index", "--json"]);
    expect(json.code).toBe(2);
    expect(jsonError(json).code).toBe("usage");
  });
});

describe("timings in --json output", () => {
  it("are rounded to 0.1 ms (sync, generate)", async () => {
    const generated = await cli(["generate", path.join(work, "few"), "--count", "5", "--json"]);
    expect(generated.code).toBe(0);
    const sync = await cli(["index", "sync", path.join(work, "few"), "--db", path.join(work, "few.db"), "--json"]);
    expect(sync.code).toBe(0);
    for (const run of [generated, sync]) {
      const ms = JSON.parse(run.stdout).ms as number;
      expect(ms).toBeGreaterThan(0);
      expect(run.stdout).toMatch(/\n {2}"ms": \d+(\.\d)?\n/);
      expect(Math.round(ms * 10) / 10).toBe(ms);
    }
  });
});

describe("people", () => {
  it("are listed by user name ignoring case", async () => {
    const run = await cli(["people", "--db", DB, "--json"]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Array<{ github_username: string }>).map((p) => p.github_username)).toEqual(["Amy", "bob", "Carla", "HeatherChase", "zed"]);
  });
});

describe("environment variables", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["FINDINGMODEL_THREADS", "many", /^FINDINGMODEL_THREADS must be a whole number of at least 1 or "auto" \(all cores\); got "many"$/],
    ["FINDINGMODEL_THREADS", "0", /^FINDINGMODEL_THREADS must be .*; got "0"$/],
    ["FINDINGMODEL_WRITER_THREAD", "yes", /^FINDINGMODEL_WRITER_THREAD must be 0 \(write on the main thread\) or 1 .*; got "yes"$/],
    ["FINDINGMODEL_BUSY_TIMEOUT_MS", "-5", /^FINDINGMODEL_BUSY_TIMEOUT_MS must be a whole number of at least 0 \(milliseconds\); got "-5"$/],
    ["FINDINGMODEL_BUSY_TIMEOUT_MS", "2s", /^FINDINGMODEL_BUSY_TIMEOUT_MS must be .*; got "2s"$/],
  ];
  it.concurrent.each(cases)("%s=%s is a usage error naming the variable, the value and what is allowed", async (name, value, message) => {
    for (const args of [["stats", "--db", DB], ["validate", defs], ["index", "sync", defs, "--db", DB]]) {
      const run = await cli([...args, "--json"], { [name]: value });
      expect(run.code, args.join(" ")).toBe(2);
      expect(jsonError(run)).toEqual({ code: "usage", message: expect.stringMatching(message) });
      expect(run.stderr).toBe(`findingmodel: ${JSON.parse(run.stdout).error.message}\n`);
    }
  }, 30_000);

  it("good values and empty ones are accepted", async () => {
    const run = await cli(["index", "sync", defs, "--db", DB, "--json"], { FINDINGMODEL_THREADS: "auto", FINDINGMODEL_WRITER_THREAD: "0", FINDINGMODEL_BUSY_TIMEOUT_MS: "" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const two = await cli(["validate", defs, "--json"], { FINDINGMODEL_THREADS: "2", FINDINGMODEL_WRITER_THREAD: "1", FINDINGMODEL_BUSY_TIMEOUT_MS: "100" });
    expect(two.code).toBe(0);
  });
});

describe("a bad --db", () => {
  it("a folder: named, with the file to give instead", async () => {
    for (const args of [["stats"], ["index", "sync", defs]]) {
      const run = await cli([...args, "--db", work]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`findingmodel: ${work} is a folder, not an index file; point --db at a file, e.g. ${path.join(work, "findingmodel.db")}\n`);
    }
  });

  it("a file in a folder that does not exist: names the folder and says to create it", async () => {
    const db = path.join(work, "missing-folder", "index.db");
    const run = await cli(["index", "sync", defs, "--db", db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`findingmodel: cannot create the index ${db}: the folder ${path.dirname(db)} does not exist; create the folder first, or point --db elsewhere\n`);
    const read = await cli(["stats", "--db", db]);
    expect(read.code).toBe(2);
    expect(read.stderr).toMatch(new RegExp(`there is no index at ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });

  it("a file that is not an index: named, left untouched, and never suggested for removal", async () => {
    const notIndex = path.join(work, "package.json");
    copyFileSync(path.join(ROOT, "package.json"), notIndex);
    const before = readFileSync(notIndex);
    for (const args of [["stats"], ["search", "lung"], ["index", "sync", defs]]) {
      const run = await cli([...args, "--db", notIndex]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `findingmodel: ${notIndex} is not a findingmodel index (it is not a SQLite database); findingmodel leaves it untouched: point --db at the index file, or at a new file to create one\n`,
      );
      expect(run.stderr).not.toMatch(/remove|delete/i);
    }
    expect(readFileSync(notIndex).equals(before)).toBe(true);
  });

  it("a damaged findingmodel index: says to rebuild it", async () => {
    const damaged = path.join(work, "damaged.db");
    copyFileSync(DB, damaged);
    // Overwrite pages past the header: still recognisably an index, no longer readable.
    const bytes = readFileSync(damaged);
    bytes.fill(0xff, 4096 * 2);
    writeFileSync(damaged, bytes);
    const run = await cli(["search", "lung", "--db", damaged]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^findingmodel: ${damaged.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is a findingmodel index that is damaged \\(.+\\); rebuild it: remove .*damaged\\.db and run findingmodel index sync again`));
  });
});
