// Files a folder of models may hold that are not what a model file should be: nested thousands of
// levels deep, numbers beyond a double, unreadable folders, symbolic link loops, names that are
// not UTF-8, temporary files left by a killed run. Each is that file's (or folder's) problem,
// named, and every other file is still checked; through the command a user runs and the server.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { MAX_JSON_DEPTH } from "../src/model/json-text.js";
import { buildApp } from "../src/server/app.js";
import { buildIfStale, CLI } from "./cli-run.js";
import { DEFS } from "./corpus.js";
import { runUnprivileged } from "./unprivileged.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-file-faults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => buildIfStale(), 120_000);

const FIVE = ["abdominal_abscess.fm.json", "abdominal_aortic_aneurysm.fm.json", "pulmonary_nodule.fm.json", "lung_abscess.fm.json", "pneumothorax.fm.json"];

function cli(args: string[], options: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: options.cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T = Record<string, unknown>>(r: { stdout: string; stderr: string; code: number | null }): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** A fresh folder holding the five models (and whatever `extra` writes). */
function folderWithFive(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const f of FIVE) copyFileSync(DEFS + f, path.join(dir, f));
  return dir;
}

type FileError = { file: string; path: string; message: string };

describe("deeply nested JSON", () => {
  let dir: string;
  beforeAll(() => {
    dir = folderWithFive("deep");
    writeFileSync(path.join(dir, "brackets.fm.json"), "[".repeat(5000));
    // A model with 3,000 levels inside it, where the walk of its numbers goes.
    const model = JSON.parse(readFileSync(DEFS + "pulmonary_nodule.fm.json", "utf8"));
    const deep = { ...model, oifm_id: "OIFM_TEST_000001", name: "deeply nested model", synonyms: undefined, attributes: model.attributes.map((a: { oifma_id: string }, i: number) => ({ ...a, oifma_id: `OIFMA_TEST_00000${i}` })) };
    const text = JSON.stringify(deep).replace('"description":', `"minimum": 1.0, "x": ${"[".repeat(3000)}1${"]".repeat(3000)}, "description":`);
    writeFileSync(path.join(dir, "nested.fm.json"), text);
    // Valid JSON, closed, and deep: no number walk, validation only.
    writeFileSync(path.join(dir, "closed.fm.json"), `${"[".repeat(3000)}${"]".repeat(3000)}`);
  });

  const depthMessage = new RegExp(`more than ${MAX_JSON_DEPTH} levels deep`);

  it("is that file's error in validate; every other file is still checked", () => {
    const r = cli(["validate", dir, "--json"]);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(r.code).toBe(1);
    const report = json<{ files: number; valid: number; errors: FileError[] }>(r);
    expect(report).toMatchObject({ files: 8, valid: 5 });
    const failed = Object.fromEntries(report.errors.map((e) => [path.basename(e.file), e]));
    expect(Object.keys(failed).sort()).toEqual(["brackets.fm.json", "closed.fm.json", "nested.fm.json"]);
    for (const e of Object.values(failed)) expect(e.message).toMatch(depthMessage);
    expect(failed["brackets.fm.json"]!.path).toBe(`line 1, column ${MAX_JSON_DEPTH + 1}`);
  }, 30_000);

  it("is that file's error in sync (the rest indexed with --skip-invalid) and export", () => {
    const db = path.join(work, "deep.db");
    const strict = cli(["index", "sync", dir, "--db", db, "--json"]);
    expect(strict.stderr).not.toMatch(/call stack/);
    expect(strict.code).toBe(1);
    expect(json<{ errors: FileError[] }>(strict).errors.map((e) => path.basename(e.file)).sort()).toEqual(["brackets.fm.json", "closed.fm.json", "nested.fm.json"]);
    const skipping = cli(["index", "sync", dir, "--db", db, "--json", "--skip-invalid"]);
    expect(json(skipping)).toMatchObject({ added: 5, skipped: 3 });

    const exported = cli(["export", dir, "--out", path.join(work, "deep-out"), "--json"]);
    expect(exported.stderr).not.toMatch(/call stack/);
    expect(exported.code).toBe(1);
    expect(exported.stdout + exported.stderr).toMatch(/brackets\.fm\.json/);
    expect(exported.stdout + exported.stderr).toMatch(depthMessage);
  }, 60_000);

  it("is a per-file error of POST /api/sync (422), not a 500", async () => {
    const index = await openIndex({ db: path.join(work, "deep-server.db") });
    const app = await buildApp(index, { defsDir: dir, apiToken: "token-0123456789abcdef" });
    try {
      const res = await app.inject({ method: "POST", url: "/api/sync", headers: { authorization: "Bearer token-0123456789abcdef" } });
      expect(res.statusCode, res.body).toBe(422);
      const errors = (JSON.parse(res.body) as { errors: FileError[] }).errors;
      expect(errors.map((e) => e.file).sort()).toEqual(["brackets.fm.json", "closed.fm.json", "nested.fm.json"]);
      expect(errors[0]!.message).toMatch(depthMessage);
    } finally {
      await app.close();
      await index.close();
    }
  }, 60_000);
});

describe("numbers beyond a double", () => {
  it("are refused with the field's JSON path, not indexed as null", () => {
    const dir = path.join(work, "huge");
    mkdirSync(dir);
    const model = JSON.parse(readFileSync(DEFS + "pulmonary_nodule.fm.json", "utf8"));
    const numeric = model.attributes.findIndex((a: { type: string }) => a.type === "numeric");
    expect(numeric).toBeGreaterThanOrEqual(0);
    const text = JSON.stringify(model, null, 2).replace(/"maximum": \d+/, '"maximum": 1e400');
    expect(text).toMatch(/1e400/);
    writeFileSync(path.join(dir, "huge.fm.json"), text);
    const r = cli(["validate", dir, "--json"]);
    expect(r.code).toBe(1);
    expect(json<{ errors: FileError[] }>(r).errors).toEqual([
      { file: path.join(dir, "huge.fm.json"), path: `$.attributes[${numeric}].maximum`, message: expect.stringMatching(/maximum must be a finite number; 1e400 is beyond the range/) },
    ]);
    const sync = cli(["index", "sync", dir, "--db", path.join(work, "huge.db"), "--json"]);
    expect(sync.code).toBe(1);
    expect(json<{ errors: FileError[] }>(sync).errors[0]!.path).toBe(`$.attributes[${numeric}].maximum`);
  }, 30_000);
});

/** Run the command as a user that file permissions apply to (unprivileged.ts). */
const cliUnprivileged = (args: string[]) => runUnprivileged([process.execPath, CLI, ...args]);

describe("a folder that cannot be read", () => {
  it("is an error for that folder, and the models indexed from it are kept (--skip-invalid)", async () => {
    // A folder of its own that the unprivileged user may enter and write the index into (the run's
    // temporary folder made passable, not listable, to reach it).
    chmodSync(tmpdir(), 0o711);
    const base = mkdtempSync(path.join(tmpdir(), "fm-unreadable-"));
    try {
      chmodSync(base, 0o777);
      const dir = path.join(base, "defs");
      mkdirSync(path.join(dir, "sub"), { recursive: true });
      for (const f of FIVE.slice(0, 3)) copyFileSync(DEFS + f, path.join(dir, f));
      for (const f of FIVE.slice(3)) copyFileSync(DEFS + f, path.join(dir, "sub", f));
      const db = path.join(base, "index.db");
      expect(json(await cliUnprivileged(["index", "sync", dir, "--db", db, "--json"]))).toMatchObject({ added: 5, errors: [] });

      chmodSync(path.join(dir, "sub"), 0o000);
      const r = await cliUnprivileged(["index", "sync", dir, "--db", db, "--json", "--skip-invalid"]);
      expect(r.code).toBe(1);
      expect(json(r)).toMatchObject({
        removed: 0,
        unchanged: 3,
        errors: [{ file: path.join(dir, "sub"), path: "$", message: expect.stringMatching(/folder that cannot be searched \(cannot be read: permission denied\)/) }],
      });
      // Still indexed: both models of the folder that could not be read.
      chmodSync(path.join(dir, "sub"), 0o755);
      const again = await cliUnprivileged(["index", "sync", dir, "--db", db, "--json"]);
      expect(json(again)).toMatchObject({ added: 0, removed: 0, unchanged: 5, errors: [] });
    } finally {
      chmodSync(path.join(base, "defs", "sub"), 0o755);
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("a symbolic link loop", () => {
  it("is followed once and reported as a note; no file is found twice", () => {
    const dir = folderWithFive("loop");
    symlinkSync(".", path.join(dir, "loop"));
    const checked = cli(["validate", dir, "--json"]);
    expect(checked.code).toBe(0);
    const note = { file: path.join(dir, "loop"), message: expect.stringMatching(/symbolic link to the folder .*already searched; not followed again/) };
    expect(json(checked)).toMatchObject({ files: 5, valid: 5, errors: [], conflicts: [], notes: [note] });
    const human = cli(["validate", dir]);
    expect(human.stderr).toMatch(/note: .*loop is a symbolic link to the folder/);

    const synced = cli(["index", "sync", dir, "--db", path.join(work, "loop.db"), "--json"]);
    expect(synced.code).toBe(0);
    expect(json(synced)).toMatchObject({ added: 5, errors: [], notes: [note] });
  }, 30_000);
});

describe("a file name that is not valid UTF-8", () => {
  it("is reported as an unreadable file name with its bytes escaped; the rest are checked", () => {
    const dir = folderWithFive("latin1");
    writeFileSync(Buffer.concat([Buffer.from(dir + "/caf"), Buffer.from([0xe9]), Buffer.from(".fm.json")]), readFileSync(DEFS + "pneumothorax.fm.json"));
    const expected = [{ file: path.join(dir, "caf\\xE9.fm.json"), path: "$", message: expect.stringMatching(/name that is not valid UTF-8 .*bytes escaped.*rename it/) }];
    const checked = cli(["validate", dir, "--json"]);
    expect(checked.code).toBe(1);
    expect(json(checked)).toMatchObject({ files: 6, valid: 5, errors: expected });
    const synced = cli(["index", "sync", dir, "--db", path.join(work, "latin1.db"), "--json", "--skip-invalid"]);
    expect(json(synced)).toMatchObject({ added: 5, skipped: 1, errors: expected });
  }, 30_000);
});

describe("temporary files a killed run left", () => {
  it("are removed by the next validate --reformat and export: stale ones of our naming only", () => {
    const dir = folderWithFive("leftovers");
    const out = path.join(work, "leftovers-out");
    mkdirSync(path.join(out, "text"), { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!; // a process that has ended
    const past = new Date(Date.now() - 60_000);
    const make = (file: string) => {
      writeFileSync(file, "half a file");
      utimesSync(file, past, past);
      return file;
    };
    const stale = [
      make(path.join(dir, `.pneumothorax.fm.json.${gone}.k3j2h1.tmp`)),
      make(path.join(out, `.index.md.${gone}.a1b2c3.tmp`)),
      make(path.join(out, "text", `.pneumothorax.md.${gone}.zz9.tmp`)),
    ];
    // Of a process that runs (this one), and of another naming: not ours to remove.
    const kept = [make(path.join(dir, `.lung_abscess.fm.json.${process.pid}.q1.tmp`)), make(path.join(dir, ".editor-swap.tmp"))];

    expect(cli(["validate", dir, "--reformat", "--json"]).code).toBe(0);
    expect(existsSync(stale[0]!)).toBe(false);
    expect(cli(["export", dir, "--out", out, "--json"]).code).toBe(0);
    for (const file of stale) expect(existsSync(file), file).toBe(false);
    for (const file of kept) expect(existsSync(file), file).toBe(true);
  }, 60_000);
});

describe("the cross-file rules", () => {
  type SyncJson = { added: number; errors: FileError[]; applied: boolean };
  const verdict = (r: SyncJson) => r.errors.map((e) => `${e.file} ${e.path} ${e.message}`).sort();
  /** A copy of a registry model with its own IDs (digit `k`) and the given name and synonyms. */
  const copyOf = (from: string, k: number, name: string, synonyms?: string[]) => {
    const text = readFileSync(DEFS + from, "utf8").replace(/OIFMA_[A-Z]{3,4}_\d/g, `OIFMA_TEST_${k}`);
    return JSON.stringify({ ...JSON.parse(text), oifm_id: `OIFM_TEST_00000${k}`, name, synonyms }, null, 2);
  };

  it("give the same verdict for the same folder on an existing index and a new one", () => {
    const dir = folderWithFive("verdict");
    const existing = path.join(work, "verdict-existing.db");
    const fresh = path.join(work, "verdict-new.db");
    // The index holds z_copy.fm.json; then a_copy.fm.json, before it in path order, takes its name.
    writeFileSync(path.join(dir, "z_copy.fm.json"), copyOf("pneumothorax.fm.json", 9, "copied finding"));
    expect(json<SyncJson>(cli(["index", "sync", dir, "--db", existing, "--json"]))).toMatchObject({ added: 6, errors: [] });
    writeFileSync(path.join(dir, "a_copy.fm.json"), copyOf("pneumothorax.fm.json", 8, "Copied Finding"));

    const onExisting = json<SyncJson>(cli(["index", "sync", dir, "--db", existing, "--json", "--skip-invalid"]));
    const onNew = json<SyncJson>(cli(["index", "sync", dir, "--db", fresh, "--json", "--skip-invalid"]));
    expect(verdict(onNew)).toEqual([expect.stringMatching(/z_copy\.fm\.json \$\.name the name "copied finding" is also the name of OIFM_TEST_000008 in \S+a_copy\.fm\.json/)]);
    expect(verdict(onExisting)).toEqual(verdict(onNew));
    // And the same model indexed under that name: a_copy's, in both.
    const idOf = (db: string) => json<{ oifm_id: string }>(cli(["get", "copied finding", "--db", db, "--json"])).oifm_id;
    expect(idOf(existing)).toBe("OIFM_TEST_000008");
    expect(idOf(fresh)).toBe("OIFM_TEST_000008");
  }, 60_000);

  it("refuse shared synonyms with --strict-synonyms even when no file changed", () => {
    const dir = folderWithFive("strict");
    writeFileSync(path.join(dir, "shared.fm.json"), copyOf("pulmonary_nodule.fm.json", 7, "nodule of the lung", ["lung nodule"]));
    const db = path.join(work, "strict.db");
    expect(json<SyncJson>(cli(["index", "sync", dir, "--db", db, "--json"]))).toMatchObject({ added: 6, errors: [] });
    const onExisting = cli(["index", "sync", dir, "--db", db, "--json", "--strict-synonyms"]);
    const onNew = cli(["index", "sync", dir, "--db", path.join(work, "strict-new.db"), "--json", "--strict-synonyms"]);
    expect(onNew.code).toBe(1);
    expect(onExisting.code).toBe(1);
    expect(verdict(json<SyncJson>(onExisting))).toEqual(verdict(json<SyncJson>(onNew)));
  }, 60_000);
});
