// The `findingmodel` command as a user runs it: `node dist/cli/main.js` in a child process, on
// temporary folders holding copies of real registry definitions and hand-made bad files.
// Checks exit codes (0 ok, 1 invalid data or conflicts, 2 usage or environment), the --json
// report shapes and counts, messages naming each bad file, and the files written (or not).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIfStale, CLI, parseJson, ROOT, runCli, type Run } from "./cli-run.js";
import { runUnprivileged, sharedTempDir } from "./unprivileged.js";
import { CONFLICTS, CORPUS, DEFS } from "./corpus.js";

const TEXT = path.join(CORPUS, "text");

// ---------------------------------------------------------------------------------------------
// Running the command

/** Run the command from the project root; resolves with its exit code and output, whatever the code. */
const cli = (...args: string[]): Promise<Run> => runCli(args);
const json = parseJson;

interface FileError {
  file: string;
  path: string;
  message: string;
}
interface Conflict {
  kind: "oifm_id" | "oifma_id" | "name";
  value: string;
  files: string[];
}
interface ValidateReport {
  files: number;
  valid: number;
  invalid: number;
  changed: number;
  changedFiles: string[];
  errors: FileError[];
  conflicts: Conflict[];
}
interface ExportReport {
  files: number;
  valid: number;
  invalid: number;
  written: string[];
  unchanged: number;
  errors: FileError[];
  conflicts: Conflict[];
}

// ---------------------------------------------------------------------------------------------
// Temporary folders and files

const temps: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "findingmodel-cli-"));
  temps.push(dir);
  return dir;
}

beforeAll(buildIfStale, 120_000);

afterAll(() => {
  for (const dir of temps) {
    // A test may have left an unreadable file behind if it failed half-way.
    try {
      chmodSync(path.join(dir, "locked.fm.json"), 0o644);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
});

function def(name: string): Buffer {
  return readFileSync(path.join(DEFS, name));
}

function copyDef(name: string, to: string): string {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(path.join(DEFS, name), to);
  return to;
}

function parseDef(name: string): Record<string, any> {
  return JSON.parse(def(name).toString("utf8")) as Record<string, any>;
}

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

/** Every name in a folder, hidden ones too (so a left-over temporary file shows). */
function listAll(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The *.fm.json files below `dir`, recursively, as absolute paths. */
function modelFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".fm.json"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const OLD = new Date("2001-01-01T00:00:00Z");

function errorsOf(report: { errors: FileError[] }, file: string): FileError[] {
  return report.errors.filter((e) => e.file === file);
}

// ---------------------------------------------------------------------------------------------
// Hand-made bad files, each with what the report must say about it.

interface BadFile {
  name: string;
  /** The JSON path (or line and column) of the first error. */
  path: string | RegExp;
  message: RegExp;
}

/** Write every kind of bad input into `dir` beside two valid copies; returns what to expect. */
function writeBadFiles(dir: string): { valid: string[]; bad: BadFile[] } {
  const valid = [copyDef("pneumothorax.fm.json", path.join(dir, "pneumothorax.fm.json")), copyDef("abdominal_abscess.fm.json", path.join(dir, "nested", "deeper", "abdominal_abscess.fm.json"))];
  const w = (name: string, content: string | Buffer) => writeFileSync(path.join(dir, name), content);
  // A real U+FFFD (valid UTF-8) is not mistaken for a bad byte.
  const replacement = parseDef("hydrocephalus.fm.json");
  replacement.description += " (\ufffd)";
  w("replacement-character.fm.json", JSON.stringify(replacement, null, 2));
  valid.push(path.join(dir, "replacement-character.fm.json"));

  w("malformed.fm.json", '{\n  "name": "broken model",\n  "description": "missing comma"\n  "attributes": []\n}\n');
  w("trailing-comma.fm.json", '{\n  "name": "trailing comma model",\n}');
  w("empty.fm.json", "");
  w("blank.fm.json", "  \n\n");
  w("latin1.fm.json", Buffer.concat([Buffer.from('{"name": "caf\u00e9 ok",\n "x": "'), Buffer.from([0xe9]), Buffer.from('"}')]));
  mkdirSync(path.join(dir, "folder.fm.json"));
  writeFileSync(path.join(dir, "folder.fm.json", "not-a-model.txt"), "x");
  symlinkSync("loop.fm.json", path.join(dir, "loop.fm.json"));
  symlinkSync("no-such-target.fm.json", path.join(dir, "dangling.fm.json"));
  w("huge.fm.json", Buffer.alloc(50 * 1024 * 1024, 0x20));
  // Not files at all: a named pipe (reading it would wait for a writer forever) and an endless device.
  expect(spawnSync("mkfifo", [path.join(dir, "pipe.fm.json")]).status).toBe(0);
  symlinkSync("/dev/zero", path.join(dir, "device.fm.json"));
  w("array.fm.json", "[]");
  w("string.fm.json", '"a finding model"');
  w("empty-object.fm.json", "{}");

  const typo = parseDef("hydrocephalus.fm.json");
  typo.synonym = typo.synonyms;
  delete typo.synonyms;
  typo.attributes[0].desription = typo.attributes[0].description;
  w("typo.fm.json", JSON.stringify(typo, null, 2));

  const multi = parseDef("pneumomediastinum.fm.json");
  multi.name = "abc";
  multi.attributes[0].oifma_id = "OIFMA_X_1";
  multi.attributes[1].type = "list";
  w("multi.fm.json", JSON.stringify(multi, null, 2));

  // Non-model files are not looked at.
  w("README.md", "# not a model");
  w("notes.json", "{ not json");

  const bad: BadFile[] = [
    { name: "malformed.fm.json", path: "line 4, column 3", message: /malformed JSON.*Expected ',' or '}'/ },
    { name: "trailing-comma.fm.json", path: "line 3, column 1", message: /malformed JSON/ },
    { name: "empty.fm.json", path: "$", message: /empty/ },
    { name: "blank.fm.json", path: "$", message: /empty/ },
    { name: "latin1.fm.json", path: "line 2, column 8", message: /not valid UTF-8.*0xe9/ },
    { name: "folder.fm.json", path: "$", message: /is a directory/ },
    { name: "loop.fm.json", path: "$", message: /symbolic link that loops/ },
    { name: "dangling.fm.json", path: "$", message: /symbolic link to a file that does not exist/ },
    { name: "huge.fm.json", path: "$", message: /50\.0 MB.*at most 10\.0 MB/ },
    { name: "pipe.fm.json", path: "$", message: /is not a regular file/ },
    { name: "device.fm.json", path: "$", message: /is not a regular file/ },
    { name: "array.fm.json", path: "$", message: /expected a finding model object, got a list/ },
    { name: "string.fm.json", path: "$", message: /expected a finding model object, got the string/ },
    { name: "empty-object.fm.json", path: "$.oifm_id", message: /oifm_id is required/ },
    { name: "typo.fm.json", path: "$.synonym", message: /unknown field "synonym" \(did you mean "synonyms"\?\)/ },
    { name: "multi.fm.json", path: "$.name", message: /at least 5 characters/ },
  ];
  return { valid, bad };
}

// =============================================================================================

describe("findingmodel validate", () => {
  it("accepts valid real definitions found recursively: exit 0, full JSON report", async () => {
    const dir = tempDir();
    const files = [
      copyDef("pneumothorax.fm.json", path.join(dir, "pneumothorax.fm.json")),
      copyDef("breast_density.fm.json", path.join(dir, "a", "breast_density.fm.json")),
      copyDef("cloverleaf_skull_deformity.fm.json", path.join(dir, "a", "b", "cloverleaf_skull_deformity.fm.json")),
    ];
    writeFileSync(path.join(dir, "a", "README.md"), "not a model");

    const [run, human, some] = await Promise.all([cli("validate", dir, "--json"), cli("validate", dir), cli("validate", files[0]!, files[2]!, "--json")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(json<ValidateReport>(run)).toEqual({ files: 3, valid: 3, invalid: 0, changed: 0, changedFiles: [], errors: [], conflicts: [], notes: [] });

    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/3 files: 3 valid, 0 invalid, 0 conflicts/);
    expect(human.stdout).not.toMatch(/✗/);

    // Files named one by one work too.
    expect(some.code).toBe(0);
    expect(json<ValidateReport>(some)).toMatchObject({ files: 2, valid: 2, invalid: 0, changed: 0, errors: [] });
  });

  it("reports every bad file with its path and a helpful message, and still checks and counts the valid ones", async () => {
    const dir = tempDir();
    const { valid, bad } = writeBadFiles(dir);

    const [run, human] = await Promise.all([cli("validate", dir, "--json"), cli("validate", dir)]);
    expect(run.code).toBe(1);
    const report = json<ValidateReport>(run);
    expect(report.files).toBe(valid.length + bad.length);
    expect(report.valid).toBe(valid.length);
    expect(report.invalid).toBe(bad.length);
    expect(report.changed).toBe(0);
    expect(report.changedFiles).toEqual([]);
    expect(report.conflicts).toEqual([]);
    for (const e of report.errors) {
      expect(Object.keys(e).sort()).toEqual(["file", "message", "path"]);
      expect(typeof e.path).toBe("string");
      expect(e.message.length).toBeGreaterThan(5);
    }
    // Valid files have no errors; non-model files are not looked at.
    for (const file of valid) expect(errorsOf(report, file)).toEqual([]);
    expect(report.errors.some((e) => /README\.md|notes\.json|not-a-model\.txt/.test(e.file))).toBe(false);
    // Each bad file is named, with the expected path and message for its first problem.
    for (const b of bad) {
      const errors = errorsOf(report, path.join(dir, b.name));
      expect(errors.length, b.name).toBeGreaterThan(0);
      expect(errors[0]!.path, b.name).toEqual(b.path);
      expect(errors[0]!.message, b.name).toMatch(b.message);
    }
    // No file outside the list was reported.
    const reported = new Set(report.errors.map((e) => path.basename(e.file)));
    expect([...reported].sort()).toEqual(bad.map((b) => b.name).sort());

    // Every problem of a file, not just the first.
    expect(errorsOf(report, path.join(dir, "empty-object.fm.json")).map((e) => e.path)).toEqual(["$.oifm_id", "$.name", "$.description", "$.attributes"]);
    expect(errorsOf(report, path.join(dir, "multi.fm.json")).map((e) => e.path)).toEqual(
      expect.arrayContaining(["$.name", "$.attributes[0].oifma_id", "$.attributes[1].type"]),
    );
    const typo = errorsOf(report, path.join(dir, "typo.fm.json"));
    expect(typo.map((e) => e.path)).toEqual(["$.synonym", "$.attributes[0].desription"]);
    expect(typo[1]!.message).toMatch(/did you mean "description"\?/);

    // The human report names each bad file with its problems, and sums up.
    expect(human.code).toBe(1);
    for (const b of bad) expect(human.stdout).toContain(`✗ ${path.join(dir, b.name)}\n`);
    expect(human.stdout).toContain("line 4, column 3: malformed JSON");
    expect(human.stdout).toContain(`${valid.length + bad.length} files: ${valid.length} valid, ${bad.length} invalid`);
  }, 20_000);

  // Run as an ordinary user (root reads any file): see unprivileged.ts.
  it("reports a file it may not read (chmod 000) and checks the rest", async () => {
    const dir = sharedTempDir("findingmodel-cli-");
    temps.push(dir);
    copyDef("pneumothorax.fm.json", path.join(dir, "pneumothorax.fm.json"));
    const locked = copyDef("hydrocephalus.fm.json", path.join(dir, "locked.fm.json"));
    chmodSync(path.join(dir, "pneumothorax.fm.json"), 0o644);
    chmodSync(locked, 0o000);
    try {
      const run = await runUnprivileged([process.execPath, CLI, "validate", dir, "--json"], { cwd: dir });
      expect(run.code).toBe(1);
      const report = json<ValidateReport>(run);
      expect(report).toMatchObject({ files: 2, valid: 1, invalid: 1 });
      expect(errorsOf(report, locked)).toEqual([{ file: locked, path: "$", message: expect.stringMatching(/permission denied/) }]);
    } finally {
      chmodSync(locked, 0o644);
    }
  });

  it("checks a file named twice (spelt differently) once, so it does not clash with itself", async () => {
    const dir = tempDir();
    const file = copyDef("pneumothorax.fm.json", path.join(dir, "defs", "pneumothorax.fm.json"));
    copyDef("hydrocephalus.fm.json", path.join(dir, "defs", "hydrocephalus.fm.json"));
    const run = await cli("validate", path.join(dir, "defs"), file, path.join(dir, "defs", ".", "pneumothorax.fm.json"), `${dir}/defs//pneumothorax.fm.json`, "--json");
    expect(run.code).toBe(0);
    expect(json<ValidateReport>(run)).toMatchObject({ files: 2, valid: 2, invalid: 0, conflicts: [] });
  });

  it("reports duplicate model IDs, attribute IDs across files and names equal but for case", async () => {
    const dir = tempDir();
    const original = copyDef("abdominal_abscess.fm.json", path.join(dir, "abdominal_abscess.fm.json"));
    // Same model ID and attribute IDs under another name.
    const copy = parseDef("abdominal_abscess.fm.json");
    copy.name = "abdominal abscess copy";
    const copyFile = path.join(dir, "sub", "abdominal_abscess_copy.fm.json");
    mkdirSync(path.dirname(copyFile));
    writeFileSync(copyFile, JSON.stringify(copy, null, 2));
    // Same name, other case, fresh IDs.
    const pneumothorax = copyDef("pneumothorax.fm.json", path.join(dir, "pneumothorax.fm.json"));
    const shouting = JSON.parse(def("pneumothorax.fm.json").toString().replace(/OIFM(A?)_GMTS_/g, "OIFM$1_TEST_")) as Record<string, any>;
    shouting.name = "PNEUMOTHORAX";
    const shoutingFile = path.join(dir, "PNEUMOTHORAX.fm.json");
    writeFileSync(shoutingFile, JSON.stringify(shouting, null, 2));

    const [run, human] = await Promise.all([cli("validate", dir, "--json"), cli("validate", dir)]);
    expect(run.code).toBe(1);
    const report = json<ValidateReport>(run);
    // Each file is valid on its own: the clashes are conflicts, not errors.
    expect(report).toMatchObject({ files: 4, valid: 4, invalid: 0, errors: [] });
    const attributeIds = (copy.attributes as Array<{ oifma_id: string }>).map((a) => a.oifma_id);
    const sortFiles = (c: Conflict) => ({ ...c, files: [...c.files].sort() });
    expect(report.conflicts.map(sortFiles)).toEqual(
      [
        { kind: "oifm_id", value: copy.oifm_id, files: [original, copyFile] },
        ...attributeIds.map((id) => ({ kind: "oifma_id", value: id, files: [original, copyFile] })),
        { kind: "name", value: expect.stringMatching(/^pneumothorax$/i), files: [shoutingFile, pneumothorax] },
      ].map((c) => ({ ...c, files: c.files.sort() })),
    );

    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`duplicate model ID ${copy.oifm_id} in 2 files`);
    expect(human.stdout).toContain(`duplicate attribute ID ${attributeIds[0]} in 2 files`);
    expect(human.stdout).toMatch(/duplicate name \(case-insensitive\) pneumothorax in 2 files/i);
  });

  it("finds the registry's defs/ all valid and canonical, and reports the real conflicts with conflicts/", async () => {
    const run = await cli("validate", DEFS, CONFLICTS, "--json");
    expect(run.code).toBe(1);
    const report = json<ValidateReport>(run);
    const conflictFiles = modelFilesUnder(CONFLICTS);
    const total = 2382 + conflictFiles.length;
    expect(report).toMatchObject({ files: total, valid: total, invalid: 0, changed: 0, changedFiles: [], errors: [] });

    // The expected conflicts, worked out here from the files themselves.
    const rel = (f: string) => path.relative(CORPUS, f);
    const byKey = new Map<string, Set<string>>();
    const add = (key: string, file: string) => (byKey.get(key) ?? byKey.set(key, new Set()).get(key)!).add(rel(file));
    const models = new Map<string, Record<string, any>>();
    for (const file of [...modelFilesUnder(DEFS), ...conflictFiles]) {
      const m = JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
      models.set(rel(file), m);
      add(`oifm_id ${m.oifm_id}`, file);
      for (const a of m.attributes as Array<{ oifma_id: string }>) add(`oifma_id ${a.oifma_id}`, file);
      add(`name ${(m.name as string).toLowerCase()}`, file);
    }
    const expected = [...byKey].filter(([, files]) => files.size > 1).map(([key, files]) => `${key}: ${[...files].sort().join(" ")}`);
    const got = report.conflicts.map((c) => `${c.kind} ${c.kind === "name" ? c.value.toLowerCase() : c.value}: ${c.files.map(rel).sort().join(" ")}`);
    expect(got.sort()).toEqual(expected.sort());
    // defs/ alone is clean: every conflict involves a definition set aside in conflicts/, and each of those clashes.
    const involved = new Set(report.conflicts.flatMap((c) => c.files.map(rel)));
    for (const c of report.conflicts) expect(c.files.some((f) => rel(f).startsWith("conflicts/")), c.value).toBe(true);
    for (const f of conflictFiles) expect(involved.has(rel(f)), rel(f)).toBe(true);

    // A couple of them by hand: the merged models duplicate a name in defs/ ...
    for (const name of readdirSync(path.join(CONFLICTS, "merge_msft"))) {
      const setAside = models.get(`conflicts/merge_msft/${name}`)!;
      expect(models.get(`defs/${name}`)!.name.toLowerCase()).toBe(setAside.name.toLowerCase());
      const clash = report.conflicts.find((c) => c.kind === "name" && c.value.toLowerCase() === setAside.name.toLowerCase());
      expect(clash?.files.map(rel).sort()).toEqual([`conflicts/merge_msft/${name}`, `defs/${name}`]);
    }
    // ... and the brain models share attribute IDs among themselves.
    const brain = readdirSync(path.join(CONFLICTS, "brain_shared_ids")).map((n) => `conflicts/brain_shared_ids/${n}`);
    const owners = new Map<string, string[]>();
    for (const f of brain) for (const a of models.get(f)!.attributes as Array<{ oifma_id: string }>) owners.set(a.oifma_id, [...(owners.get(a.oifma_id) ?? []), f]);
    const shared = [...owners].filter(([, files]) => files.length > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const [id, files] of shared) {
      const clash = report.conflicts.find((c) => c.kind === "oifma_id" && c.value === id);
      expect(clash?.files.map(rel).sort(), id).toEqual(files.sort());
    }
  }, 30_000);

  it("--reformat rewrites valid non-canonical files into the registry's bytes, never touches invalid ones, leaves no temporary files", async () => {
    const dir = tempDir();
    const f = (name: string) => path.join(dir, name);
    const canonical = copyDef("hydrocephalus.fm.json", f("hydrocephalus.fm.json"));
    // Re-indented with 4 spaces and every object's keys reversed.
    writeFileSync(f("pneumothorax.fm.json"), JSON.stringify(reversedKeys(parseDef("pneumothorax.fm.json")), null, 4) + "\n");
    // The same, with non-ASCII characters written as \u escapes.
    writeFileSync(
      f("cloverleaf_skull_deformity.fm.json"),
      JSON.stringify(reversedKeys(parseDef("cloverleaf_skull_deformity.fm.json")), null, 4).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")),
    );
    // Re-indented as text, so that `"minimum": 1.0` stays as written, with CRLF line ends.
    writeFileSync(f("breast_density.fm.json"), def("breast_density.fm.json").toString("utf8").split("\n").map((line) => line.replace(/^ +/, (s) => s + s)).join("\r\n"));
    // Canonical but for a byte order mark.
    writeFileSync(f("pneumomediastinum.fm.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), def("pneumomediastinum.fm.json")]));
    // Invalid and not canonical: must stay exactly as they are.
    const broken = parseDef("abdominal_abscess.fm.json");
    broken.name = "abdominal abscess (broken)";
    broken.colour = "red";
    writeFileSync(f("broken.fm.json"), JSON.stringify(reversedKeys(broken), null, 4));
    writeFileSync(f("malformed.fm.json"), '{\n    "name": "malformed",,\n}');

    const reformatted = ["breast_density.fm.json", "cloverleaf_skull_deformity.fm.json", "pneumomediastinum.fm.json", "pneumothorax.fm.json"];
    const invalid = ["broken.fm.json", "malformed.fm.json"];
    const names = listAll(dir);
    const before = new Map(names.map((n) => [n, readFileSync(f(n))]));
    for (const n of names) utimesSync(f(n), OLD, OLD);

    // Without --reformat: reported, nothing written.
    const [check, checkHuman] = await Promise.all([cli("validate", dir, "--json"), cli("validate", dir)]);
    expect(check.code).toBe(1);
    expect(json<ValidateReport>(check)).toMatchObject({ files: 7, valid: 5, invalid: 2, changed: 4, changedFiles: reformatted.map(f), conflicts: [] });
    for (const n of names) expect(readFileSync(f(n)).equals(before.get(n)!), n).toBe(true);
    for (const n of reformatted) expect(checkHuman.stdout).toContain(`~ ${f(n)}\n`);
    expect(checkHuman.stdout).toContain("4 not in canonical form (use --reformat)");

    // With --reformat: the four become the registry's bytes.
    const run = await cli("validate", dir, "--reformat", "--json");
    expect(run.code).toBe(1); // the invalid files are still invalid
    const report = json<ValidateReport>(run);
    expect(report).toMatchObject({ files: 7, valid: 5, invalid: 2, changed: 4, changedFiles: reformatted.map(f), conflicts: [] });
    expect(new Set(report.errors.map((e) => e.file))).toEqual(new Set(invalid.map(f)));
    for (const n of reformatted) expect(readFileSync(f(n)).equals(def(n)), n).toBe(true);
    for (const n of [...invalid, path.basename(canonical)]) {
      expect(readFileSync(f(n)).equals(before.get(n)!), n).toBe(true);
      expect(statSync(f(n)).mtimeMs, n).toBe(OLD.getTime());
    }
    expect(listAll(dir)).toEqual(names);

    // A second run finds nothing left to do.
    const again = await cli("validate", dir, "--reformat");
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("7 files: 5 valid, 2 invalid, 0 conflicts; 0 rewritten in canonical form");
    expect(listAll(dir)).toEqual(names);

    // With the invalid files gone, the folder passes.
    for (const n of invalid) rmSync(f(n));
    const clean = await cli("validate", dir, "--json");
    expect(clean.code).toBe(0);
    expect(json<ValidateReport>(clean)).toEqual({ files: 5, valid: 5, invalid: 0, changed: 0, changedFiles: [], errors: [], conflicts: [], notes: [] });
  }, 20_000);

  it("does not crash with a stack trace when its reader stops early (| head)", () => {
    const dir = tempDir();
    for (let i = 0; i < 50; i++) writeFileSync(path.join(dir, `bad-${i}.fm.json`), "[]");
    const r = spawnSync("bash", ["-c", `"$0" "$1" validate "$2" | head -c 1 >/dev/null; exit "\${PIPESTATUS[0]}"`, process.execPath, CLI, dir], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
  });
});

// =============================================================================================

describe("findingmodel export", () => {
  it("writes the registry's text/, index.md and ids.json for the whole registry, and a second run rewrites nothing", async () => {
    const out = path.join(tempDir(), "site");
    const run = await cli("export", DEFS, "--out", out, "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = json<ExportReport>(run);
    expect(report).toMatchObject({ files: 2382, valid: 2382, invalid: 0, unchanged: 0, errors: [], conflicts: [] });
    expect(report.written).toHaveLength(2382 + 2);
    expect(report.written).toContain(path.join(out, "index.md"));
    expect(report.written).toContain(path.join(out, "ids.json"));

    // text/: the registry's files, byte for byte; the registry named one after its file instead of its model's name.
    const renamed = (n: string) => (n === "breast_malignancy_risk.md" ? "mammographic_malignancy_assessment.md" : n);
    const registryText = readdirSync(TEXT).sort();
    const ours = readdirSync(path.join(out, "text")).sort();
    expect(ours).toEqual(registryText.map(renamed).sort());
    const different = registryText.filter((n) => !readFileSync(path.join(TEXT, n)).equals(readFileSync(path.join(out, "text", renamed(n)))));
    expect(different).toEqual([]);

    // ids.json: byte for byte.
    expect(readFileSync(path.join(out, "ids.json")).equals(readFileSync(path.join(CORPUS, "ids.json")))).toBe(true);

    // index.md: the registry's, but the JSON links lead from the output folder to the real defs files.
    const defsLink = path.relative(out, DEFS).split(path.sep).join("/");
    const wanted = readFileSync(path.join(CORPUS, "index.md"), "utf8")
      .replaceAll("[JSON](defs/", `[JSON](${defsLink}/`)
      .replace(`[JSON](${defsLink}/mammographic_malignancy_assessment.fm.json)`, `[JSON](${defsLink}/breast_malignancy_risk.fm.json)`)
      .replace(`[JSON](${defsLink}/composite_metrics__hippocampal_occupancy_score_.fm.json)`, `[JSON](${defsLink}/composite_metrics_hippocampal_occupancy_score.fm.json)`)
      .split("\n");
    const index = readFileSync(path.join(out, "index.md"), "utf8").split("\n");
    expect(index.length).toBe(wanted.length);
    expect(index.flatMap((line, i) => (line === wanted[i] ? [] : [{ line: i + 1, got: line, want: wanted[i] }]))).toEqual([]);
    const broken = [...index.join("\n").matchAll(/\[(?:JSON|Text)\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((link) => !existsSync(path.resolve(out, link)));
    expect(broken).toEqual([]);
    expect(index.join("\n")).toContain(`[JSON](${defsLink}/breast_malignancy_risk.fm.json)`);

    // No temporary files left.
    expect(listAll(out)).toEqual(["ids.json", "index.md", "text"]);
    expect(ours.filter((n) => !n.endsWith(".md") || n.startsWith("."))).toEqual([]);

    // Second run: nothing written, no file touched (every mtime set far back first, so any write shows).
    const outputs = [path.join(out, "index.md"), path.join(out, "ids.json"), ...ours.map((n) => path.join(out, "text", n))];
    for (const file of outputs) utimesSync(file, OLD, OLD);
    const second = await cli("export", DEFS, "--out", out, "--json");
    expect(second.code).toBe(0);
    expect(json<ExportReport>(second)).toMatchObject({ files: 2382, written: [], unchanged: 2384, errors: [], conflicts: [] });
    expect(outputs.filter((file) => statSync(file).mtimeMs !== OLD.getTime())).toEqual([]);
    expect(listAll(out)).toEqual(["ids.json", "index.md", "text"]);
  }, 40_000);

  it("for a small folder: links from the output folder to the definitions; rewrites only changed or missing files", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    for (const n of ["pneumothorax.fm.json", "breast_malignancy_risk.fm.json", "hydrocephalus.fm.json"]) copyDef(n, path.join(defs, n));
    const out = path.join(dir, "public", "site");
    const run = await cli("export", defs, "--out", out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("3 models: 5 written, 0 unchanged");
    const index = readFileSync(path.join(out, "index.md"), "utf8");
    expect(index).toContain("3 entries");
    expect(index).toContain("[Text](text/mammographic_malignancy_assessment.md) [JSON](../../defs/breast_malignancy_risk.fm.json)");
    expect(index).toContain("[Text](text/pneumothorax.md) [JSON](../../defs/pneumothorax.fm.json)");
    expect(readFileSync(path.join(out, "text", "mammographic_malignancy_assessment.md")).equals(readFileSync(path.join(TEXT, "breast_malignancy_risk.md")))).toBe(true);

    // A changed and a missing output file are written again; nothing else is.
    const outputs = ["index.md", "ids.json", "text/mammographic_malignancy_assessment.md", "text/pneumothorax.md", "text/hydrocephalus.md"].map((n) => path.join(out, n));
    for (const file of outputs) utimesSync(file, OLD, OLD);
    const edited = path.join(out, "text", "pneumothorax.md");
    writeFileSync(edited, "edited by hand");
    utimesSync(edited, OLD, OLD);
    const idsBefore = readFileSync(path.join(out, "ids.json"));
    rmSync(path.join(out, "ids.json"));
    const again = await cli("export", defs, "--out", out, "--json");
    expect(again.code).toBe(0);
    expect(json<ExportReport>(again)).toMatchObject({ files: 3, written: [path.join(out, "ids.json"), edited], unchanged: 3 });
    expect(readFileSync(edited).equals(readFileSync(path.join(TEXT, "pneumothorax.md")))).toBe(true);
    expect(readFileSync(path.join(out, "ids.json")).equals(idsBefore)).toBe(true);
    expect(outputs.filter((file) => file !== edited && !file.endsWith("ids.json") && statSync(file).mtimeMs !== OLD.getTime())).toEqual([]);
    expect(listAll(path.join(out, "text"))).toEqual(["hydrocephalus.md", "mammographic_malignancy_assessment.md", "pneumothorax.md"]);
  });

  it("writes nothing and exits 1 when definitions clash", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    copyDef("pneumothorax.fm.json", path.join(defs, "pneumothorax.fm.json"));
    const original = copyDef("pulmonary_embolism.fm.json", path.join(defs, "pulmonary_embolism.fm.json"));
    const merged = path.join(defs, "incoming", "pulmonary_embolism.fm.json");
    mkdirSync(path.dirname(merged));
    copyFileSync(path.join(CONFLICTS, "merge_msft", "pulmonary_embolism.fm.json"), merged);
    const out = path.join(dir, "out");
    mkdirSync(out);
    writeFileSync(path.join(out, "index.md"), "old index");

    const [run, human] = await Promise.all([cli("export", defs, "--out", out, "--json"), cli("export", defs, "--out", out)]);
    expect(run.code).toBe(1);
    const report = json<ExportReport>(run);
    expect(report).toMatchObject({ files: 3, valid: 3, invalid: 0, written: [], unchanged: 0, errors: [] });
    expect(report.conflicts).toContainEqual({ kind: "name", value: expect.stringMatching(/^pulmonary embolism$/i), files: [original, merged].sort() });

    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/duplicate name Pulmonary Embolism/i);
    expect(human.stdout).toContain("nothing exported");
    expect(listAll(out)).toEqual(["index.md"]);
    expect(readFileSync(path.join(out, "index.md"), "utf8")).toBe("old index");
  });

  it("writes nothing and exits 1 when a definition is invalid", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    copyDef("pneumothorax.fm.json", path.join(defs, "pneumothorax.fm.json"));
    const broken = path.join(defs, "broken.fm.json");
    writeFileSync(broken, '{"name": "broken model",');
    mkdirSync(path.join(defs, "folder.fm.json"));
    const out = path.join(dir, "out");

    const run = await cli("export", defs, "--out", out, "--json");
    expect(run.code).toBe(1);
    const report = json<ExportReport>(run);
    expect(report).toMatchObject({ files: 3, valid: 1, invalid: 2, written: [], conflicts: [] });
    expect(report.errors).toEqual(
      expect.arrayContaining([
        { file: broken, path: expect.stringMatching(/^line 1, column \d+$/), message: expect.stringMatching(/malformed JSON/) },
        { file: path.join(defs, "folder.fm.json"), path: "$", message: expect.stringMatching(/is a directory/) },
      ]),
    );
    expect(existsSync(out)).toBe(false);
  });
});

// =============================================================================================

describe("findingmodel fm-to-markdown", () => {
  it("prints, writes and reports the registry's Markdown of a definition", async () => {
    const file = path.join(DEFS, "breast_density.fm.json");
    const text = readFileSync(path.join(TEXT, "breast_density.md"), "utf8");
    const out = path.join(tempDir(), "breast_density.md");
    const [run, written, asJson] = await Promise.all([cli("fm-to-markdown", file), cli("fm-to-markdown", file, "-o", out), cli("fm-to-markdown", file, "--json")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(text.endsWith("\n") ? text : text + "\n");
    expect(written.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(text);
    expect(listAll(path.dirname(out))).toEqual(["breast_density.md"]);
    expect(asJson.code).toBe(0);
    expect(json<{ file: string; markdown: string }>(asJson)).toEqual({ file, markdown: text });
  });

  it("exits 1 naming the file and its problems for an invalid model", async () => {
    const dir = tempDir();
    const bad = path.join(dir, "bad.fm.json");
    const m = parseDef("pneumothorax.fm.json");
    delete m.description;
    m.attributes[0].tpye = "choice";
    writeFileSync(bad, JSON.stringify(m));
    const [run, asJson] = await Promise.all([cli("fm-to-markdown", bad), cli("fm-to-markdown", bad, "--json")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${bad}: $.description: description is required`);
    expect(run.stderr).toMatch(/\$\.attributes\[0\]\.tpye: unknown field "tpye" \(did you mean "type"\?\)/);

    expect(asJson.code).toBe(1);
    const report = json<{ file: string; errors: FileError[] }>(asJson);
    expect(report.file).toBe(bad);
    expect(report.errors.map((e) => e.path)).toEqual(["$.description", "$.attributes[0].tpye"]);
  });
});

// =============================================================================================

describe("findingmodel stub", () => {
  interface Model {
    oifm_id: string;
    name: string;
    description: string;
    synonyms?: string[];
    tags?: string[];
    attributes: Array<{ oifma_id: string; name: string; type: string; values?: Array<{ value_code: string; name: string }> }>;
  }
  const idsOf = (m: Model) => [m.oifm_id, ...m.attributes.map((a) => a.oifma_id)];

  it("writes a valid, canonical model with the standard attributes whose IDs clash with nothing in --defs", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    for (const n of ["pneumothorax.fm.json", "hydrocephalus.fm.json", "abdominal_abscess.fm.json"]) copyDef(n, path.join(defs, n));
    const file = path.join(dir, "thoracic_widget.fm.json");
    const run = await cli("stub", "thoracic widget", "--source", "GMTS", "--description", "A made-up finding used by a test.", "--synonym", "widget", "--synonym", "chest widget", "--tag", "chest", "--tag", "CT", "--defs", defs, "-o", file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(file);

    const model = JSON.parse(readFileSync(file, "utf8")) as Model;
    expect(model).toMatchObject({ name: "thoracic widget", description: "A made-up finding used by a test.", synonyms: ["widget", "chest widget"], tags: ["chest", "CT"] });
    expect(model.oifm_id).toMatch(/^OIFM_GMTS_\d{6}$/);
    expect(model.attributes.map((a) => [a.name, a.type])).toEqual([
      ["presence", "choice"],
      ["change from prior", "choice"],
    ]);
    for (const a of model.attributes) {
      expect(a.oifma_id).toMatch(/^OIFMA_GMTS_\d{6}$/);
      expect(a.values!.map((v) => v.value_code)).toEqual(a.values!.map((_, i) => `${a.oifma_id}.${i}`));
    }
    expect(model.attributes[0]!.values!.map((v) => v.name)).toEqual(expect.arrayContaining(["absent", "present"]));
    const taken = new Set(modelFilesUnder(defs).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/OIFMA?_[A-Z]{3,4}_\d{6}/g)].map((m) => m[0])));
    for (const id of idsOf(model)) expect(taken.has(id), id).toBe(false);
    expect(listAll(dir)).toEqual(["defs", "thoracic_widget.fm.json"]);

    // The validate command accepts it beside the definitions: valid, canonical, no clash.
    const check = await cli("validate", defs, file, "--json");
    expect(check.code).toBe(0);
    expect(json<ValidateReport>(check)).toEqual({ files: 4, valid: 4, invalid: 0, changed: 0, changedFiles: [], errors: [], conflicts: [], notes: [] });
  });

  it("picks only IDs not used in --defs, even when nearly all are taken (files that do not validate count too)", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    mkdirSync(defs);
    // Nine in ten attribute IDs of source TSTX are taken, in a file that is no model: the free ones
    // end in 0. (Model IDs come from the same reservation; reserving them too doubles the cost.)
    const taken: string[] = [];
    for (let i = 0; i < 1_000_000; i++) if (i % 10 !== 0) taken.push(`OIFMA_TSTX_${String(i).padStart(6, "0")}`);
    writeFileSync(path.join(defs, "reserved.fm.json"), taken.join(" "));
    const run = await cli("stub", "dense widget", "--source", "TSTX", "--defs", defs, "--json");
    expect(run.code).toBe(0);
    const { model } = json<{ model: Model }>(run);
    expect(model.oifm_id).toMatch(/^OIFM_TSTX_\d{6}$/);
    const attributeIds = model.attributes.map((a) => a.oifma_id);
    expect(attributeIds).toHaveLength(2);
    for (const id of attributeIds) expect(id, id).toMatch(/^OIFMA_TSTX_\d{5}0$/);
    expect(new Set(attributeIds).size).toBe(2);
    expect(run.stderr).toMatch(/no --description/);
  }, 30_000);

  it("prints the model as canonical JSON on stdout without -o, and as {model} with --json", async () => {
    const [plain, asJson] = await Promise.all([cli("stub", "renal widget", "--source", "TEST", "--description", "A made-up renal finding."), cli("stub", "renal widget", "--source", "TEST", "--json")]);
    expect(plain.code).toBe(0);
    const model = JSON.parse(plain.stdout) as Model;
    expect(model.name).toBe("renal widget");
    const file = path.join(tempDir(), "renal_widget.fm.json");
    writeFileSync(file, plain.stdout.replace(/\n$/, ""));
    const check = await cli("validate", file, "--json");
    expect(check.code).toBe(0);
    expect(json<ValidateReport>(check)).toMatchObject({ valid: 1, changed: 0 });

    expect(asJson.code).toBe(0);
    expect(json<{ model: Model }>(asJson).model.name).toBe("renal widget");
  });

  it("refuses a name already in --defs (any case) with exit 1, and an existing -o file with exit 2", async () => {
    const dir = tempDir();
    const defs = path.join(dir, "defs");
    const existing = copyDef("pneumothorax.fm.json", path.join(defs, "pneumothorax.fm.json"));
    const file = path.join(dir, "new.fm.json");

    const clash = await cli("stub", "PNEUMOTHORAX", "--source", "TEST", "--defs", defs, "-o", file);
    expect(clash.code).toBe(1);
    expect(clash.stdout).toBe("");
    expect(clash.stderr).toContain(existing);
    expect(clash.stderr).toMatch(/already exists/);
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, "keep me");
    const exists = await cli("stub", "new widget", "--source", "TEST", "--defs", defs, "-o", file);
    expect(exists.code).toBe(2);
    expect(exists.stdout).toBe("");
    expect(exists.stderr).toMatch(/already exists/);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect(listAll(dir)).toEqual(["defs", "new.fm.json"]);
  });
});

// =============================================================================================

describe.concurrent("usage and environment errors exit 2 with a message on stderr (and with --json, an error object on stdout)", () => {
  const dir = path.join(os.tmpdir(), "findingmodel-cli-no-such-dir-" + process.pid);
  const cases: Array<[string, string[], RegExp]> = [
    ["validate: missing directory", ["validate", dir, "--json"], /no such file or directory.*no-such-dir/],
    ["validate: unknown option", ["validate", "--bogus", DEFS], /unknown option '--bogus'/],
    ["export: unknown option", ["export", DEFS, "--out", path.join(dir, "out"), "--force"], /unknown option '--force'/],
    ["validate: no path", ["validate", "--json"], /missing required argument/],
    ["export: missing directory", ["export", dir, "--out", path.join(dir, "out"), "--json"], /is not a directory/],
    ["export: no --out", ["export", DEFS, "--json"], /--out/],
    ["stub: no --source", ["stub", "pulmonary widget"], /--source/],
    ["stub: bad --source", ["stub", "pulmonary widget", "--source", "msft", "--json"], /--source must be 3 or 4 capital letters.*got "msft"/],
    ["stub: missing --defs", ["stub", "pulmonary widget", "--source", "MSFT", "--defs", dir], /does not exist/],
    ["stub: name too short", ["stub", "abc", "--source", "MSFT"], /at least 5 characters/],
    ["fm-to-markdown: missing file", ["fm-to-markdown", path.join(dir, "x.fm.json"), "--json"], /does not exist/],
    ["fm-to-markdown: a directory", ["fm-to-markdown", DEFS], /is a directory/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
  ];
  it.each(cases)("%s", async (_, args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^findingmodel: /);
    if (args.includes("--json")) {
      const { error } = json<{ error: { code: string; message: string } }>(run);
      expect(error.code).toBe("usage");
      expect(run.stderr).toBe(`findingmodel: ${error.message}\n`);
    } else {
      expect(run.stdout).toBe("");
    }
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(dir)).toBe(false);
  });
});
