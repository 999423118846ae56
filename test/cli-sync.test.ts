// `findingmodel index sync` (and `findingmodel sync`) as a user runs it on the real registry: the
// compiled command in a child process, on temporary index files (and on PostgreSQL when one is
// reachable).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { firstReachable, localServerCandidates } from "../src/store/postgres/local-server.js";
import { DEFS } from "./corpus.js";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "dist/cli/main.js");
const work = mkdtempSync(path.join(tmpdir(), "fm-cli-sync-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dbCount = 0;
const newDb = () => path.join(work, `index-${++dbCount}.db`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, FINDINGMODEL_DB: "", FINDINGMODEL_POSTGRES_URL: "", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Problem {
  file: string;
  path: string;
  message: string;
}
interface Report {
  added: number;
  unchanged: number;
  errors: Problem[];
  warnings: Problem[];
  applied: boolean;
}

/** The registry's names and synonyms that another of its models also has, and the files holding them. */
const SHARED = { terms: 53, files: 45 };
const WARNING_LINE = /^ {2}\S+\.fm\.json \$\.(name|synonyms\[\d+\]): the (name|synonym) "[^"]+" (is a synonym of|is also the (name|synonym) of) OIFM_\w+ in \S+\.fm\.json$/;

describe("shared synonyms", () => {
  it("are warnings by default: the registry syncs, with a count and the first few on stderr", () => {
    const db = newDb();
    const r = cli(["index", "sync", DEFS, "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2382 added, 0 updated, 0 removed, 0 unchanged, 0 skipped in \d+ ms\n$/);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `warning: ${SHARED.terms} names or synonyms (in ${SHARED.files} files) are shared with another model, indexed all the same (--strict-synonyms refuses them); the first 5 (--verbose lists all):`,
    );
    expect(lines.slice(1)).toHaveLength(5);
    for (const line of lines.slice(1)) expect(line).toMatch(WARNING_LINE);
    expect(r.stderr).toContain(`alveolar_lung_disease.fm.json $.synonyms[3]: the synonym "pulmonary consolidation" is also the synonym of OIFM_OIDM_628702 in ${DEFS}airspace_consolidation.fm.json`);
    expect(cli(["stats", "--db", db, "--json"]).stdout).toMatch(/"models": 2382/);
  }, 60_000);

  it("are all listed with --verbose, and in the --json report", () => {
    const verbose = cli(["index", "sync", DEFS, "--db", newDb(), "--verbose"]);
    expect(verbose.code).toBe(0);
    const lines = verbose.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^warning: ${SHARED.terms} names or synonyms \\(in ${SHARED.files} files\\) are shared with another model, .*:$`));
    expect(lines.slice(1)).toHaveLength(SHARED.terms);
    for (const line of lines.slice(1)) expect(line).toMatch(WARNING_LINE);

    const json = cli(["index", "sync", DEFS, "--db", newDb(), "--json"]);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const report = JSON.parse(json.stdout) as Report;
    expect(report).toMatchObject({ added: 2382, errors: [], applied: true });
    expect(report.warnings).toHaveLength(SHARED.terms);
    expect(new Set(report.warnings.map((w) => w.file)).size).toBe(SHARED.files);
    for (const w of report.warnings) expect(Object.keys(w).sort()).toEqual(["file", "message", "path"]);
  }, 60_000);

  it("are errors with --strict-synonyms: nothing is indexed, exit 1", () => {
    const db = newDb();
    const r = cli(["index", "sync", DEFS, "--db", db, "--strict-synonyms", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ added: 0, applied: false, warnings: [] });
    expect(report.errors).toHaveLength(SHARED.terms);
    expect(new Set(report.errors.map((e) => e.file)).size).toBe(SHARED.files);
    const human = cli(["index", "sync", DEFS, "--db", db, "--strict-synonyms"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/\(refused with --strict-synonyms\)\n/);
    expect(human.stdout).toMatch(new RegExp(`nothing changed: ${SHARED.files} file\\(s\\) failed`));
  }, 60_000);

  it("--allow-duplicate-synonyms still works, does nothing, and says it is deprecated", () => {
    const r = cli(["index", "sync", DEFS, "--db", newDb(), "--allow-duplicate-synonyms", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^findingmodel: --allow-duplicate-synonyms is deprecated and does nothing: .*--strict-synonyms makes it an error/);
    expect((JSON.parse(r.stdout) as Report).warnings).toHaveLength(SHARED.terms);
    const both = cli(["index", "sync", DEFS, "--db", newDb(), "--allow-duplicate-synonyms", "--strict-synonyms"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/contradict each other/);
    expect(cli(["serve", "--help"]).stdout).toMatch(/--strict-synonyms/);
  }, 60_000);
});

const PG_BASE = await firstReachable(localServerCandidates());

describe.runIf(PG_BASE)("shared synonyms on PostgreSQL", () => {
  const schema = `fm_cli_sync_${process.pid}_${Date.now().toString(36)}`;
  const url = (() => {
    const u = new URL(PG_BASE ?? "postgres://localhost/test");
    u.searchParams.set("schema", schema);
    return u.toString();
  })();
  afterAll(async () => {
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: PG_BASE });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("are the same warnings as on SQLite; --strict-synonyms refuses them", () => {
    const strict = cli(["index", "sync", DEFS, "--postgres", url, "--strict-synonyms", "--json"]);
    expect(strict.code, strict.stderr).toBe(1);
    expect((JSON.parse(strict.stdout) as Report).errors).toHaveLength(SHARED.terms);
    const r = cli(["index", "sync", DEFS, "--postgres", url, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ added: 2382, errors: [], applied: true });
    const onSqlite = JSON.parse(cli(["index", "sync", DEFS, "--db", newDb(), "--json"]).stdout) as Report;
    expect(report.warnings).toEqual(onSqlite.warnings);
  }, 120_000);
});

describe("a fresh machine", () => {
  it("with no index, search, serve and mcp say how to make one, with a command that exists", () => {
    const db = path.join(work, "none-yet.db");
    for (const args of [["search", "lung nodule"], ["serve", "--port", "0"], ["mcp"], ["stats"]]) {
      const r = cli([...args, "--db", db]);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toBe(`findingmodel: there is no index at ${db}; create it first (findingmodel index sync <folder of models> --db ${db}), or point --db at it\n`);
    }
    // The command it names makes one (here with the registry as the folder).
    expect(cli(["index", "sync", DEFS, "--db", db]).code).toBe(0);
    expect(cli(["search", "lung nodule", "--db", db, "--json"]).code).toBe(0);
  }, 60_000);

  it("has `findingmodel sync` as another name of `index sync`, listed in help", () => {
    const help = cli(["--help"]);
    expect(help.stdout).toMatch(/^ {2}sync \[options\] <dir> +bring the index in step with the \*\.fm\.json\n/m);
    expect(cli(["sync", "--help"]).stdout).toMatch(/--strict-synonyms/);
    const db = newDb();
    const r = cli(["sync", DEFS, "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 2382, errors: [], applied: true });
    expect(JSON.parse(cli(["index", "sync", DEFS, "--db", db, "--json"]).stdout)).toMatchObject({ unchanged: 2382, applied: false });
  }, 60_000);
});

describe("a first sync that fails", () => {
  it("leaves no index file behind (nor its -wal, -shm or -journal), so stats still says there is none", () => {
    const dir = mkdtempSync(path.join(work, "first-fails-"));
    const db = path.join(dir, "index.db");
    const failed = cli(["sync", DEFS, "--db", db, "--strict-synonyms"]);
    expect(failed.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const stats = cli(["stats", "--db", db]);
    expect(stats.code).toBe(2);
    expect(stats.stderr).toMatch(/there is no index at/);
    // Nor when the folder is missing, nor with the default file.
    expect(cli(["sync", path.join(dir, "no-such-folder"), "--db", db]).code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    const inDir = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, FINDINGMODEL_DB: "", FINDINGMODEL_POSTGRES_URL: "" } });
    expect(inDir(["sync", DEFS, "--strict-synonyms", "--json"]).status).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    // An index that was there before a failing sync stays, unchanged.
    expect(cli(["sync", DEFS, "--db", db]).code).toBe(0);
    const clashing = path.join(work, "clashing");
    mkdirSync(clashing);
    copyFileSync(DEFS + "abdominal_abscess.fm.json", path.join(clashing, "a.fm.json"));
    copyFileSync(DEFS + "abdominal_abscess.fm.json", path.join(clashing, "b.fm.json"));
    expect(cli(["sync", clashing, "--db", db]).code).toBe(1);
    expect(JSON.parse(cli(["stats", "--db", db, "--json"]).stdout)).toMatchObject({ models: 2382 });
  }, 60_000);
});
