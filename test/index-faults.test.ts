// Faults around the index, through the command a user runs: a database that is locked, damaged
// or from the future, a sync killed half-way, files that vanish.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import { syncFiles, syncFolder } from "../src/index/sync.js";
import { toCanonicalJson } from "../src/model/canonical.js";
import { parseJsonText } from "../src/model/json-text.js";
import type { FindingModelFull } from "../src/model/types.js";
import { validateFindingModel } from "../src/model/validate.js";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "dist/cli/main.js");
const work = mkdtempSync(path.join(tmpdir(), "fm-faults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function count(db: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare("SELECT count(*) AS n FROM models").get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

describe("the database", () => {
  it("refuses a file that is not a database, and leaves it untouched", () => {
    const db = path.join(work, "junk.db");
    const junk = Buffer.from("this is not a database, just some text that happens to be here\n".repeat(100));
    writeFileSync(db, junk);
    const r = cli(["index", "sync", DEFS, "--db", db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/junk\.db is not a findingmodel index \(it is not a SQLite database\); findingmodel leaves it untouched: point --db at the index file/);
    expect(r.stderr).not.toMatch(/remove|delete/i); // not ours to remove
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(db).equals(junk)).toBe(true);
  }, 30_000);

  it("refuses an index written by a newer version, saying what to do", () => {
    const db = path.join(work, "future.db");
    expect(cli(["generate", path.join(work, "few"), "--count", "3"]).code).toBe(0);
    expect(cli(["index", "sync", path.join(work, "few"), "--db", db]).code).toBe(0);
    const conn = new Database(db);
    conn.pragma("user_version = 99");
    conn.close();
    const r = cli(["stats", "--db", db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/99/);
    expect(r.stderr).toMatch(/upgrade findingmodel/i);
  }, 30_000);

  it("says so when another writer holds the lock, and changes nothing", () => {
    const db = path.join(work, "locked.db");
    expect(cli(["index", "sync", DEFS, "--db", db]).code).toBe(0);
    const other = new Database(db);
    other.exec("BEGIN IMMEDIATE");
    other.prepare("DELETE FROM tags").run();
    try {
      const r = cli(["index", "sync", path.join(work, "nothing-here"), "--db", db], { FINDINGMODEL_BUSY_TIMEOUT_MS: "200" });
      // The folder is missing: a usage error before any database work. Use a real, changed folder instead.
      expect(r.code).toBe(2);
      const empty = path.join(work, "empty-defs");
      spawnSync("mkdir", ["-p", empty]);
      const locked = cli(["index", "sync", empty, "--db", db], { FINDINGMODEL_BUSY_TIMEOUT_MS: "200" });
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/locked|busy/i);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(count(db)).toBe(2382);
  }, 60_000);

  it("is left exactly as before when a sync is killed half-way", async () => {
    const db = path.join(work, "killed.db");
    const many = path.join(work, "many");
    expect(cli(["generate", many, "--count", "6000"]).code).toBe(0);
    expect(cli(["index", "sync", DEFS, "--db", db]).code).toBe(0);
    // Kill the sync of 6,000 more at different moments; each time the index holds all or none.
    for (const delay of [150, 400, 800, 1200]) {
      const child = spawn(process.execPath, [CLI, "index", "sync", many, "--db", db, "--json"], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const n = count(db);
      expect([2382, 6000]).toContain(n);
      const conn = new Database(db, { readonly: true });
      expect(conn.pragma("integrity_check", { simple: true })).toBe("ok");
      conn.close();
      if (n === 6000) break;
    }
    const r = cli(["index", "sync", many, "--db", db, "--json"]);
    expect(r.code).toBe(0);
    expect(count(db)).toBe(6000);
  }, 120_000);

  // A new file's first sync writes through a rollback journal; then the file turns to WAL.
  it("is left empty or whole when the first sync into a new file is killed, readable at once, and on WAL after a sync", async () => {
    const many = path.join(work, "many-first");
    expect(cli(["generate", many, "--count", "6000"]).code).toBe(0);
    const db = path.join(work, "first-killed.db");
    const child = spawn(process.execPath, [CLI, "index", "sync", many, "--db", db, "--json"], { stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    // Kill it once its transaction has written pages into the file itself (when its page cache
    // filled): then only the journal can undo them.
    const bytes = (file: string) => (existsSync(file) ? statSync(file).size : 0);
    const until = Date.now() + 60_000;
    while (bytes(db) < 4_000_000 && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    await exited;
    expect(existsSync(`${db}-journal`)).toBe(true);
    // A read-only command reads it straight away: what the killed sync began is rolled back.
    const r = cli(["stats", "--db", db, "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).models).toBe(0);
    const killed = new Database(db, { readonly: true });
    expect(killed.pragma("integrity_check", { simple: true })).toBe("ok");
    killed.close();
    expect(existsSync(`${db}-journal`)).toBe(false);

    // Synced whole, the same file is on WAL.
    expect(cli(["index", "sync", many, "--db", db, "--json"]).code).toBe(0);
    const conn = new Database(db, { readonly: true });
    expect(conn.pragma("journal_mode", { simple: true })).toBe("wal");
    expect((conn.prepare("SELECT count(*) AS n FROM models").get() as { n: number }).n).toBe(6000);
    conn.close();
  }, 120_000);
});

describe("files", () => {
  it("reports a file that vanished between the scan and the read, and changes nothing", async () => {
    const db = path.join(work, "vanish.db");
    const store = await openSqliteStore(db);
    try {
      const gone = path.join(work, "gone.fm.json");
      const report = await syncFiles(store, { root: work, files: [path.join(DEFS, "abdominal_abscess.fm.json"), gone] });
      expect(report.applied).toBe(false);
      expect(report.errors).toEqual([{ file: gone, path: "$", message: expect.stringMatching(/does not exist/) }]);
      expect(await store.count()).toBe(0);
      expect(existsSync(gone)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("says, on a terminal's terms, which files failed and why, each file once, and changes nothing", () => {
    const dir = path.join(work, "two-problems");
    expect(cli(["generate", dir, "--count", "3"]).code).toBe(0);
    const bad = path.join(dir, "bad.fm.json");
    writeFileSync(bad, JSON.stringify({ name: "x", description: "y" }));
    const db = path.join(work, "two-problems.db");
    const r = cli(["index", "sync", dir, "--db", db]);
    expect(r.code).toBe(1);
    expect(r.stdout.split(`✗ ${bad}\n`)).toHaveLength(2);
    expect(r.stdout).toMatch(/ {4}\$\.name: name must be at least 5 characters long/);
    expect(r.stdout).toMatch(/ {4}\$\.attributes: attributes is required/);
    expect(r.stdout).toMatch(/nothing changed: 1 file\(s\) failed/);
    // The sync made the index file, and failing, leaves none.
    expect(existsSync(db)).toBe(false);
  });

  // A sync into an index that holds models keeps their JSON up to a budget and reads files past it
  // again when it writes them (a first sync writes each file as it reads it: nothing to hold).
  it("indexes the same JSON when it reads files again instead of holding their text", async () => {
    const dir = path.join(work, "budget");
    expect(cli(["generate", dir, "--count", "40"]).code).toBe(0);
    // A model to normalize: keys out of order, a null, "all" for max_selected.
    const source = JSON.parse(readFileSync(path.join(DEFS, "abdominal_abscess.fm.json"), "utf8"));
    source.attributes[0].max_selected = "all";
    source.attributes[0].values[0].description = null;
    const messy = Object.fromEntries(Object.entries(source).reverse());
    writeFileSync(path.join(dir, "not-canonical.fm.json"), JSON.stringify(messy));
    const normalized = validateFindingModel(messy);
    if (!normalized.ok) throw new Error("the test's model is invalid");
    const first = readdirSync(dir).filter((f) => f !== "not-canonical.fm.json").sort()[0]!; // indexed first, so that the sync is not a first one
    const json = async (budget: number) => {
      const store = await openSqliteStore(path.join(work, `budget-${budget}.db`));
      try {
        await syncFiles(store, { root: dir, files: [path.join(dir, first)] });
        const report = await syncFolder(store, dir, { heldJsonBudget: budget });
        expect(report).toMatchObject({ added: 40, unchanged: 1, errors: [] });
        const ids = (await store.fileStates()).map((s) => s.oifm_id);
        return await store.getModelJsonBatch(ids);
      } finally {
        await store.close();
      }
    };
    const held = await json(Number.MAX_SAFE_INTEGER);
    const reread = await json(0);
    expect(reread.size).toBe(41);
    expect(reread).toEqual(held);
    // The model that needed normalizing is stored normalized either way.
    const stored = parseJsonText(reread.get(normalized.model.oifm_id)!);
    expect(stored.ok && toCanonicalJson(stored.value as FindingModelFull)).toBe(toCanonicalJson(normalized.model));
    expect(stored.ok && (stored.value as FindingModelFull).attributes[0]).toMatchObject({ max_selected: source.attributes[0].values.length });
  });

  it("writes nothing when a file changes between its check and its write", async () => {
    const dir = path.join(work, "changing");
    expect(cli(["generate", dir, "--count", "5"]).code).toBe(0);
    const [first, , victimName] = readdirSync(dir).sort();
    const victim = path.join(dir, victimName!);
    const original = readFileSync(victim, "utf8");
    // Grown (caught by its size, and not read), or edited in place to the same size (caught by its hash).
    const changes: Array<[string, () => string]> = [
      ["grown", () => original.replace('"description": "', '"description": "Changed. ')],
      ["same size", () => original.replace(/"description": "(.)/, (_, c: string) => `"description": "${c === "X" ? "Y" : "X"}`)],
    ];
    for (const [what, changed] of changes) {
      writeFileSync(victim, original);
      const store = await openSqliteStore(path.join(work, `changing-${what}.db`));
      try {
        // One model indexed first: a first sync writes each file as it reads it, with no gap to change it in.
        await syncFiles(store, { root: dir, files: [path.join(dir, first!)] });
        const write = store.apply.bind(store);
        // The change lands after every file was checked, just before the transaction writes them.
        store.apply = async (c) => {
          const text = changed();
          expect(text.length === original.length, what).toBe(what === "same size");
          writeFileSync(victim, text);
          return write(c);
        };
        await expect(syncFolder(store, dir, { heldJsonBudget: 0 })).rejects.toThrow(`${victim} changed while the index was being synced, so nothing was written; run the sync again`);
        expect(await store.count()).toBe(1);
      } finally {
        await store.close();
      }
    }
  });
});
