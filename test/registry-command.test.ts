// `findingmodel registry`: the registry maintainers' job on every commit, run as the pre-commit
// hook file says, on copies of the real registry (fixtures/registry: defs/, text/, index.md,
// ids.json). Checks what changes on disk, byte for byte, and what is reported.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateRegistry } from "../src/lib.js";
import { buildIfStale, parseJson, ROOT, runCli, type Run } from "./cli-run.js";
import { CONFLICTS, CORPUS, DEFS } from "./corpus.js";

interface RegistryJson {
  dir: string;
  check: boolean;
  files: number;
  valid: number;
  invalid: number;
  changed: number;
  changedFiles: string[];
  written: string[];
  unchanged: number;
  removed: string[];
  upToDate: boolean;
  errors: Array<{ file: string; path: string; message: string }>;
  conflicts: Array<{ kind: string; value: string; files: string[] }>;
  ms: number;
}

const temps: string[] = [];
beforeAll(buildIfStale, 120_000);
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
}, 60_000);

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "findingmodel-registry-"));
  temps.push(dir);
  return dir;
}

/** A copy of the registry as its repository lays it out: defs/, text/, index.md, ids.json. */
function registryCopy(): string {
  const dir = tempDir();
  for (const name of ["defs", "text", "index.md", "ids.json"]) cpSync(path.join(CORPUS, name), path.join(dir, name), { recursive: true });
  return dir;
}

/** Every file under `dir` (hidden ones too) with its bytes, by path relative to `dir`. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory());
  return new Map(files.map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), readFileSync(path.join(e.parentPath, e.name))]));
}

/** What differs between two snapshots: files added, removed and changed. */
function diff(before: Map<string, Buffer>, after: Map<string, Buffer>): { added: string[]; removed: string[]; changed: string[] } {
  return {
    added: [...after.keys()].filter((f) => !before.has(f)).sort(),
    removed: [...before.keys()].filter((f) => !after.has(f)).sort(),
    changed: [...after.keys()].filter((f) => before.has(f) && !before.get(f)!.equals(after.get(f)!)).sort(),
  };
}
const NO_CHANGE = { added: [], removed: [], changed: [] };

// The hook file, read as the small YAML it is: a list of `key: value` mappings.
function readHooks(): Array<Record<string, string>> {
  const hooks: Array<Record<string, string>> = [];
  for (const line of readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8").split("\n")) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^(- )?\s*([\w-]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`not a simple "key: value" line in .pre-commit-hooks.yaml: ${line}`);
    if (m[1]) hooks.push({});
    hooks.at(-1)![m[2]!] = m[3]!;
  }
  return hooks;
}

const hook = () => {
  const found = readHooks().find((h) => h.id === "findingmodel-registry");
  if (!found) throw new Error("no findingmodel-registry hook in .pre-commit-hooks.yaml");
  return found;
};

/** Run the hook's command as pre-commit would (in the repository's root, no file names), `findingmodel` being the compiled CLI. */
function runHook(repo: string, ...extra: string[]): Promise<Run> {
  const [program, ...args] = hook().entry!.split(/\s+/);
  expect(program).toBe("findingmodel");
  return runCli([...args, ...extra], repo);
}

/** The registry's index.md with the JSON links of its two broken rows leading to the real definition files. */
function workingIndex(): string {
  return readFileSync(path.join(CORPUS, "index.md"), "utf8")
    .replace("[JSON](defs/mammographic_malignancy_assessment.fm.json)", "[JSON](defs/breast_malignancy_risk.fm.json)")
    .replace("[JSON](defs/composite_metrics__hippocampal_occupancy_score_.fm.json)", "[JSON](defs/composite_metrics_hippocampal_occupancy_score.fm.json)");
}

/** A definition with every object's keys reversed and 4-space indents: valid, not canonical. */
function nonCanonical(bytes: Buffer): string {
  const reversed = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
  return JSON.stringify(reversed(JSON.parse(bytes.toString("utf8"))), null, 4) + "\n";
}

describe("the pre-commit hook `findingmodel registry`", () => {
  it("is declared for the pre-commit framework as a node hook that runs once per commit, without file names", () => {
    expect(hook()).toMatchObject({ id: "findingmodel-registry", language: "node", entry: "findingmodel registry", pass_filenames: "false", always_run: "true" });
  });

  it("brings a pristine copy of the registry up to date once (the two rows whose files are not named after the model), then finds it up to date", async () => {
    const repo = registryCopy();
    const before = snapshot(repo);

    // --check first: reports what it would do, changes nothing, exits 1.
    const check = await runHook(repo, "--check", "--json");
    expect(check.code).toBe(1);
    expect(parseJson<RegistryJson>(check)).toMatchObject({
      check: true, files: 2382, valid: 2382, invalid: 0, changed: 0, upToDate: false, errors: [], conflicts: [],
      written: [path.join(".", "index.md"), path.join("text", "mammographic_malignancy_assessment.md")],
      removed: [path.join("text", "breast_malignancy_risk.md")],
    });
    expect(diff(before, snapshot(repo))).toEqual(NO_CHANGE);

    const run = await runHook(repo);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2382 definitions checked, all valid: 0 rewritten in canonical form; 2 of 2384 outputs regenerated, 2382 up to date; 1 stale text file removed");
    const after = snapshot(repo);
    // Exactly the registry's two broken rows are changed: breast_malignancy_risk.fm.json's text file
    // is named after its model's name, and both rows' JSON links lead to the real definition files.
    expect(diff(before, after)).toEqual({ added: ["text/mammographic_malignancy_assessment.md"], removed: ["text/breast_malignancy_risk.md"], changed: ["index.md"] });
    expect(after.get("text/mammographic_malignancy_assessment.md")!.equals(before.get("text/breast_malignancy_risk.md")!)).toBe(true);
    const wanted = workingIndex();
    expect(after.get("index.md")!.toString("utf8")).toBe(wanted);
    const links = [...wanted.matchAll(/\[(?:JSON|Text)\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toHaveLength(2 * 2382);
    expect(links.filter((link) => !after.has(link))).toEqual([]);

    // Now up to date: the check passes, and a run writes nothing (no file's time moves).
    for (const file of after.keys()) utimesSync(path.join(repo, file), new Date(2001, 0, 1), new Date(2001, 0, 1));
    const times = () => [...after.keys()].filter((f) => statSync(path.join(repo, f)).mtimeMs !== new Date(2001, 0, 1).getTime());
    const [again, recheck] = [await runHook(repo), await runHook(repo, "--check")];
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^2382 definitions checked: all valid and canonical; 2384 outputs up to date \(\d+(\.\d)? m?s\)\n$/);
    expect(recheck.code).toBe(0);
    expect(recheck.stdout).toMatch(/all valid and canonical; 2384 outputs up to date/);
    expect(diff(after, snapshot(repo))).toEqual(NO_CHANGE);
    expect(times()).toEqual([]);
  }, 60_000);

  it("rewrites a definition that is not in canonical form and regenerates a deleted text file; --check fails before and passes after", async () => {
    const repo = registryCopy();
    await runHook(repo); // the pristine copy's two rows, as above
    const upToDate = snapshot(repo);
    const def = path.join("defs", "pneumothorax.fm.json");
    writeFileSync(path.join(repo, def), nonCanonical(upToDate.get(def)!));
    const text = path.join("text", "hydrocephalus.md");
    rmSync(path.join(repo, text));
    const edited = snapshot(repo);

    const check = await runHook(repo, "--check");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`~ ${def}\n`);
    expect(check.stdout).toContain(`~ ${text}\n`);
    expect(check.stdout).toContain("1 not in canonical form; 1 of 2384 outputs to regenerate; 0 stale text files to remove");
    expect(check.stdout).toContain("not up to date: run `findingmodel registry` to bring it up to date");
    expect(diff(edited, snapshot(repo))).toEqual(NO_CHANGE);

    const run = await runHook(repo, "--json");
    expect(run.code).toBe(0);
    expect(parseJson<RegistryJson>(run)).toMatchObject({ check: false, upToDate: false, changed: 1, changedFiles: [def], written: [text], unchanged: 2383, removed: [] });
    expect(diff(upToDate, snapshot(repo))).toEqual(NO_CHANGE);
    expect(readdirSync(path.join(repo, "defs")).filter((n) => n.startsWith("."))).toEqual([]);

    const after = await runHook(repo, "--check", "--json");
    expect(after.code).toBe(0);
    expect(parseJson<RegistryJson>(after)).toMatchObject({ check: true, upToDate: true, changed: 0, written: [], removed: [], unchanged: 2384 });
  }, 60_000);

  it("changes nothing and lists every problem when a definition is invalid", async () => {
    const repo = registryCopy();
    // Work it would otherwise do: a non-canonical definition and a missing text file.
    writeFileSync(path.join(repo, "defs", "pneumothorax.fm.json"), nonCanonical(readFileSync(path.join(DEFS, "pneumothorax.fm.json"))));
    rmSync(path.join(repo, "text", "hydrocephalus.md"));
    // Two invalid definitions: malformed JSON, and a model with two schema problems.
    writeFileSync(path.join(repo, "defs", "broken.fm.json"), '{"name": "broken model",');
    const bad = JSON.parse(readFileSync(path.join(DEFS, "abdominal_abscess.fm.json"), "utf8")) as Record<string, any>;
    bad.colour = "red";
    bad.attributes[0].type = "list";
    writeFileSync(path.join(repo, "defs", "abdominal_abscess.fm.json"), JSON.stringify(bad, null, 2));
    const before = snapshot(repo);

    const [json, human] = [await runHook(repo, "--json"), await runHook(repo)];
    expect(json.code).toBe(1);
    const report = parseJson<RegistryJson>(json);
    expect(report).toMatchObject({ files: 2383, valid: 2381, invalid: 2, written: [], removed: [], conflicts: [], upToDate: false });
    const abscess = path.join("defs", "abdominal_abscess.fm.json");
    const broken = path.join("defs", "broken.fm.json");
    expect(report.errors.map((e) => `${e.file} ${e.path}`).sort()).toEqual([`${abscess} $.attributes[0].type`, `${abscess} $.colour`, `${broken} line 1, column 25`]);
    expect(human.code).toBe(1);
    for (const line of [`✗ ${abscess}`, "    $.colour: unknown field", "    $.attributes[0].type:", `✗ ${broken}`, "    line 1, column 25: malformed JSON"]) expect(human.stdout).toContain(line);
    expect(human.stdout).toContain("2 invalid, 0 conflicts; nothing changed: fix 3 problems above first");
    expect(diff(before, snapshot(repo))).toEqual(NO_CHANGE);
    // --check says the same.
    const check = await runHook(repo, "--check");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("nothing changed: fix 3 problems above first");
  }, 60_000);

  it("changes nothing and lists every clash when definitions clash (the registry's own set-aside conflicts)", async () => {
    const repo = registryCopy();
    writeFileSync(path.join(repo, "defs", "pneumothorax.fm.json"), nonCanonical(readFileSync(path.join(DEFS, "pneumothorax.fm.json"))));
    const merged = path.join("defs", "pulmonary_embolism_msft.fm.json");
    copyFileSync(path.join(CONFLICTS, "merge_msft", "pulmonary_embolism.fm.json"), path.join(repo, merged));
    const brain = readdirSync(path.join(CONFLICTS, "brain_shared_ids"));
    for (const name of brain) copyFileSync(path.join(CONFLICTS, "brain_shared_ids", name), path.join(repo, "defs", name));
    const before = snapshot(repo);

    const [json, human] = [await runHook(repo, "--json"), await runHook(repo)];
    expect(json.code).toBe(1);
    const report = parseJson<RegistryJson>(json);
    expect(report).toMatchObject({ files: 2383 + brain.length, invalid: 0, errors: [], written: [], removed: [], changedFiles: [path.join("defs", "pneumothorax.fm.json")] });
    expect(report.conflicts).toContainEqual({ kind: "name", value: expect.stringMatching(/^pulmonary embolism$/i), files: [merged, path.join("defs", "pulmonary_embolism.fm.json")].sort() });
    expect(report.conflicts.some((c) => c.kind === "oifma_id" && c.files.every((f) => brain.includes(path.basename(f))))).toBe(true);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ duplicate name \(case-insensitive\) Pulmonary Embolism in 2 files/i);
    expect(human.stdout).toContain(`nothing changed: fix ${report.conflicts.length} problems above first`);
    expect(diff(before, snapshot(repo))).toEqual(NO_CHANGE);
  }, 60_000);

  it("exits 2 naming the folder it looked for when there is no defs/ (the current folder by default, or the one named)", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "index.md"), "not a registry");
    const here = await runCli(["registry"], dir);
    expect(here.code).toBe(2);
    expect(here.stdout).toBe("");
    expect(here.stderr).toBe(`findingmodel: ${path.join(".", "defs")} is not a directory: a registry keeps its definitions in defs/ (name the registry's folder: findingmodel registry <dir>)\n`);
    const named = await runCli(["registry", path.join(dir, "nowhere"), "--check", "--json"]);
    expect(named.code).toBe(2);
    // With --json the error is an object on stdout too.
    expect(JSON.parse(named.stdout)).toEqual({ error: { code: "usage", message: expect.stringContaining(`${path.join(dir, "nowhere", "defs")} is not a directory`) } });
    expect(named.stderr).toContain(`${path.join(dir, "nowhere", "defs")} is not a directory`);
    const usage = await runCli(["registry", dir, "--fix"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown option '--fix'/);
    expect(readdirSync(dir)).toEqual(["index.md"]);
  });
});

describe("updateRegistry (library)", () => {
  it("makes a new registry's outputs beside its defs/, creating nothing in check mode", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "defs"));
    for (const n of ["pneumothorax.fm.json", "hydrocephalus.fm.json"]) copyFileSync(path.join(DEFS, n), path.join(dir, "defs", n));
    const check = await updateRegistry(dir, { check: true });
    expect(check).toMatchObject({ check: true, upToDate: false, files: 2, valid: 2, changed: [], unchanged: 0, removed: [], errors: [], conflicts: [] });
    expect(check.written).toEqual(["ids.json", "index.md", "text/hydrocephalus.md", "text/pneumothorax.md"].map((f) => path.join(dir, f)));
    expect(readdirSync(dir)).toEqual(["defs"]);

    const run = await updateRegistry(dir);
    expect(run.written).toEqual(check.written);
    expect(readFileSync(path.join(dir, "text", "pneumothorax.md")).equals(readFileSync(path.join(CORPUS, "text", "pneumothorax.md")))).toBe(true);
    expect(readFileSync(path.join(dir, "index.md"), "utf8")).toContain("[Text](text/pneumothorax.md) [JSON](defs/pneumothorax.fm.json)");
    expect(await updateRegistry(dir, { check: true })).toMatchObject({ upToDate: true, written: [], unchanged: 4 });

    // An output that only starts with the right content is out of date (compared whole, byte for byte).
    const text = path.join(dir, "text", "pneumothorax.md");
    const right = readFileSync(text);
    writeFileSync(text, Buffer.concat([right, Buffer.from("\n")]));
    expect(await updateRegistry(dir, { check: true })).toMatchObject({ upToDate: false, written: [text], unchanged: 3 });
    writeFileSync(text, right.subarray(0, right.length - 1));
    expect(await updateRegistry(dir)).toMatchObject({ upToDate: false, written: [text], unchanged: 3 });
    expect(readFileSync(text).equals(right)).toBe(true);
  });
});

describe("findingmodel index export", () => {
  it("writes the index.md and ids.json of the synced registry, as `registry` writes them in the registry's folder", async () => {
    const dir = tempDir();
    const db = path.join(dir, "registry.db");
    expect((await runCli(["index", "sync", DEFS, "--db", db, "--json"])).code).toBe(0);
    const out = path.join(dir, "site");
    const run = await runCli(["index", "export", "--db", db, "--out", out, "--json"]);
    expect(run.code).toBe(0);
    expect(parseJson<{ written: string[] }>(run)).toEqual({ written: [path.join(out, "index.md"), path.join(out, "ids.json")] });
    expect(readdirSync(out).sort()).toEqual(["ids.json", "index.md"]);
    expect(readFileSync(path.join(out, "ids.json")).equals(readFileSync(path.join(CORPUS, "ids.json")))).toBe(true);
    expect(readFileSync(path.join(out, "index.md"), "utf8")).toBe(workingIndex());
    const human = await runCli(["index", "export", "--db", db, "--out", out]);
    expect(human.stdout).toBe(`wrote ${path.join(out, "index.md")} and ${path.join(out, "ids.json")}\n`);
  }, 60_000);
});
