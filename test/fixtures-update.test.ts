// `npm run fixtures:update -- <registry checkout>` (scripts/update-fixtures.mjs), run on a copy
// of the snapshot (FINDINGMODEL_FIXTURES) so the project's own fixtures are never touched.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CORPUS, defFileNames } from "./corpus.js";

const SCRIPT = fileURLToPath(new URL("../scripts/update-fixtures.mjs", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "fm-fixtures-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function update(fixtures: string, checkout: string) {
  return spawnSync(process.execPath, [SCRIPT, checkout], {
    encoding: "utf8",
    env: { ...process.env, FINDINGMODEL_FIXTURES: fixtures },
  });
}

/** A small snapshot: the real conflicts/, schema/ and README, and the first few definitions. */
function smallSnapshot(dir: string, defs = 20): void {
  for (const part of ["conflicts", "schema", "README.md", "LICENSE", "index.md", "ids.json"]) {
    cpSync(path.join(CORPUS, part), path.join(dir, part), { recursive: true });
  }
  for (const f of defFileNames().slice(0, defs)) {
    cpSync(path.join(CORPUS, "defs", f), path.join(dir, "defs", f));
    const text = f.replace(/\.fm\.json$/, ".md");
    if (existsSync(path.join(CORPUS, "text", text))) cpSync(path.join(CORPUS, "text", text), path.join(dir, "text", text));
  }
}

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) {
      const full = path.join(f.parentPath, f.name);
      out.set(path.relative(dir, full), readFileSync(full, "latin1"));
    }
  }
  return out;
}

describe("fixtures:update", () => {
  it("refreshes the snapshot from a registry checkout, keeps conflicts/ and names the commit", () => {
    const fixtures = path.join(work, "fx-good");
    smallSnapshot(fixtures, 20);
    // A newer registry: more definitions, one text changed, a git commit of its own.
    const checkout = path.join(work, "registry");
    smallSnapshot(checkout, 30);
    rmSync(path.join(checkout, "conflicts"), { recursive: true });
    const [first] = defFileNames();
    const firstText = first!.replace(/\.fm\.json$/, ".md");
    writeFileSync(path.join(checkout, "text", firstText), "changed\n");
    const git = (...args: string[]) =>
      spawnSync("git", ["-C", checkout, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args], { encoding: "utf8" });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "newer registry");
    const commit = git("rev-parse", "HEAD").stdout.trim();

    const run = update(fixtures, checkout);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(fixtures, "defs")).sort()).toEqual(defFileNames().slice(0, 30));
    expect(readFileSync(path.join(fixtures, "text", firstText), "utf8")).toBe("changed\n");
    expect(tree(path.join(fixtures, "conflicts"))).toEqual(tree(path.join(CORPUS, "conflicts")));
    expect(readFileSync(path.join(fixtures, "README.md"), "utf8")).toContain(commit);
    expect(readdirSync(work).filter((f) => f.endsWith(".new") || f.endsWith(".old"))).toEqual([]);
  });

  it("refuses a folder that is not a registry checkout, naming what is missing, and changes nothing", () => {
    const fixtures = path.join(work, "fx-bad");
    smallSnapshot(fixtures);
    const before = tree(fixtures);
    const notRegistry = path.join(work, "not-registry");
    cpSync(path.join(CORPUS, "defs"), path.join(notRegistry, "defs"), { recursive: true });
    const run = update(fixtures, notRegistry);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is not a checkout of the registry");
    expect(run.stderr).toContain("index.md");
    expect(tree(fixtures)).toEqual(before);

    const none = update(fixtures, path.join(work, "no-such-folder"));
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("no-such-folder");
    expect(tree(fixtures)).toEqual(before);
  });
});
