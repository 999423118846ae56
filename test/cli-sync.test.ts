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
import { buildIfStale } from "./dist.js";
import { dropSchemas } from "./pg-schemas.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

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

/** The environment without an index named in it: the commands use --db, --postgres or the default file. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "FINDINGMODEL_DB" && k !== "FINDINGMODEL_POSTGRES_URL"));

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: { ...ENV, ...env } });
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
    await dropSchemas(PG_BASE!, [schema]); // set: the describe runs only with a server
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
    const inDir = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", env: ENV });
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

// On a terminal (a real pseudo-terminal, from util-linux's `script`): what a person sees.
const HAS_SCRIPT = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

/** Run the command on a pseudo-terminal in `cwd`, typing `input`; its exit code and everything the terminal showed. */
function onTerminal(args: string[], input: string, cwd = work): { code: number | null; output: string } {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { cwd, input, encoding: "utf8", env: ENV });
  return { code: r.status, output: r.stdout };
}

const modelCount = (db: string) => (JSON.parse(cli(["stats", "--db", db, "--json"]).stdout) as { models: number }).models;

describe("a sync from another folder that would remove most of the index", () => {
  const dir = mkdtempSync(path.join(work, "another-folder-"));
  const registryDb = path.join(dir, "registry.db");
  const samples = path.join(dir, "samples");
  /** A new copy of an index of the registry. */
  const registryIndex = (() => {
    let n = 0;
    return () => {
      if (n === 0) {
        expect(cli(["sync", DEFS, "--db", registryDb, "--json"]).code).toBe(0);
        expect(cli(["generate", samples, "--count", "30"]).code).toBe(0);
      }
      const copy = path.join(dir, `copy-${++n}.db`);
      copyFileSync(registryDb, copy);
      return copy;
    };
  })();
  const QUESTION = /The index at (\S+) holds 2382 models synced from (\S+)\.\r?\nSyncing (\S+) would remove 2382 of them \(the files are not there\)\.\r?\n.*\r?\nGo on\? \[y\/N\] /;

  it("goes on as asked when not on a terminal (piped, scripts): nothing is asked", () => {
    const db = registryIndex();
    const r = cli(["sync", samples, "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^30 added, 0 updated, 2382 removed/);
    expect(modelCount(db)).toBe(30);
  }, 60_000);

  it.runIf(HAS_SCRIPT)("asks on a terminal, and changes nothing unless the answer is yes", () => {
    const db = registryIndex();
    const no = onTerminal(["sync", samples, "--db", db], "n\n");
    expect(no.code).toBe(2);
    const asked = QUESTION.exec(no.output);
    expect(asked, no.output).not.toBeNull();
    expect(asked!.slice(1)).toEqual([db, DEFS.replace(/\/$/, ""), samples]);
    expect(no.output).toMatch(/findingmodel: nothing changed: the sync of \S+ would have removed 2382 of the 2382 models in the index, and was not confirmed/);
    expect(modelCount(db)).toBe(2382);
    // Enter alone is no.
    expect(onTerminal(["sync", samples, "--db", db], "\n").code).toBe(2);
    expect(modelCount(db)).toBe(2382);

    const yes = onTerminal(["sync", samples, "--db", db], "y\n");
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toMatch(QUESTION);
    expect(yes.output).toMatch(/30 added, 0 updated, 2382 removed/);
    expect(modelCount(db)).toBe(30);
    // Now synced from the samples: removing most of them from the same folder is not asked.
    const some = path.join(dir, "some-samples");
    expect(cli(["generate", some, "--count", "3"]).code).toBe(0);
    const back = onTerminal(["sync", some, "--db", db], "n\n");
    expect(back.code).toBe(2); // another folder again: asked
    expect(back.output).toMatch(/holds 30 models synced from \S+samples\.\r?\nSyncing \S+some-samples would remove \d+ of them/);
  }, 60_000);

  it.runIf(HAS_SCRIPT)("does not ask with --yes or --json, nor from the folder it was synced from", () => {
    const withYes = registryIndex();
    const yes = onTerminal(["sync", samples, "--db", withYes, "--yes"], "");
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).not.toMatch(/Go on\?/);
    expect(modelCount(withYes)).toBe(30);

    const withJson = registryIndex();
    const json = onTerminal(["sync", samples, "--db", withJson, "--json"], "");
    expect(json.code, json.output).toBe(0);
    expect(json.output).not.toMatch(/Go on\?/);
    expect(modelCount(withJson)).toBe(30);

    // The same folder with most files gone (here: a copy of the samples, synced, then emptied but one).
    const own = path.join(dir, "own");
    expect(cli(["generate", own, "--count", "10"]).code).toBe(0);
    const ownDb = path.join(dir, "own.db");
    expect(cli(["sync", own, "--db", ownDb]).code).toBe(0);
    for (const f of readdirSync(own).slice(1)) rmSync(path.join(own, f));
    const same = onTerminal(["sync", own, "--db", ownDb], "");
    expect(same.code, same.output).toBe(0);
    expect(same.output).not.toMatch(/Go on\?/);
    expect(same.output).toMatch(/0 added, 0 updated, 9 removed/);
  }, 60_000);

  it.runIf(HAS_SCRIPT)("shows a progress bar on a terminal, with the rate and the time left", () => {
    const r = onTerminal(["sync", DEFS, "--db", path.join(dir, "progress.db")], "");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/reading [=-]+ \d+\/2382 files \| \d+ files\/s \| \d+s left/);
    expect(r.output).toMatch(/reading =+ 2382\/2382 files \| \d+ files\/s \| 0s left/);
  }, 60_000);
});

describe("npm run demo", () => {
  it("uses an index of its own, leaving the default ./findingmodel.db (here the registry's) as it was", () => {
    const dir = mkdtempSync(path.join(work, "demo-"));
    expect(cli(["sync", DEFS, "--db", path.join(dir, "findingmodel.db")]).code).toBe(0);
    const demo = spawnSync(process.execPath, [path.join(ROOT, "dist/cli/demo.js")], { cwd: dir, encoding: "utf8", env: ENV });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/wrote 500 sample models to sample-models\//);
    expect(demo.stdout).toMatch(/500 models indexed in sample-models\/index\.db; try: node dist\/cli\/main\.js search <words> --db sample-models\/index\.db/);
    expect(modelCount(path.join(dir, "findingmodel.db"))).toBe(2382);
    expect(modelCount(path.join(dir, "sample-models", "index.db"))).toBe(500);
    // And the registry synced again into the default index finds it unchanged.
    const again = spawnSync(process.execPath, [CLI, "sync", DEFS, "--json"], { cwd: dir, encoding: "utf8", env: ENV });
    expect(JSON.parse(again.stdout)).toMatchObject({ unchanged: 2382, removed: 0, applied: false });
  }, 60_000);
});
