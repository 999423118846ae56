#!/usr/bin/env node
// Refresh fixtures/registry from a checkout of the registry (openimagingdata/findingmodels):
// defs/, text/, index.md, ids.json, LICENSE and (when the checkout has it) schema/. conflicts/ is
// the project's own and is kept. The new snapshot is assembled beside the old one and swapped in
// with renames, so a bad checkout or a failure half-way leaves the fixtures as they were.
//
//   npm run fixtures:update -- <path to a registry checkout>
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// FINDINGMODEL_FIXTURES points elsewhere (the script's own test refreshes a copy).
const fixtures = path.resolve(process.env.FINDINGMODEL_FIXTURES ?? fileURLToPath(new URL("../fixtures/registry", import.meta.url)));

function fail(message) {
  process.stderr.write(`fixtures:update: ${message}\n`);
  process.exit(2);
}

const source = process.argv[2];
if (!source || process.argv.length > 3) fail("usage: npm run fixtures:update -- <path to a registry checkout>");
const repo = path.resolve(source);
const isDir = (p) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p) => existsSync(p) && statSync(p).isFile();
if (!isDir(repo)) fail(`${repo} is not a folder`);

// A registry checkout holds its definitions and the files generated from them.
const missing = [];
if (!isDir(path.join(repo, "defs"))) missing.push("defs/");
else if (!readdirSync(path.join(repo, "defs")).some((f) => f.endsWith(".fm.json"))) missing.push("defs/*.fm.json");
if (!isDir(path.join(repo, "text"))) missing.push("text/");
for (const f of ["index.md", "ids.json", "LICENSE"]) if (!isFile(path.join(repo, f))) missing.push(f);
if (missing.length > 0) {
  fail(`${repo} is not a checkout of the registry: it has no ${missing.join(", ")}. Nothing was changed.`);
}
try {
  JSON.parse(readFileSync(path.join(repo, "ids.json"), "utf8"));
} catch (e) {
  fail(`${path.join(repo, "ids.json")} is not JSON (${e.message}). Nothing was changed.`);
}

let commit = "unknown";
let date = "unknown";
try {
  commit = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  date = execFileSync("git", ["-C", repo, "log", "-1", "--format=%cs"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
} catch {
  process.stderr.write(`fixtures:update: ${repo} is not a git checkout; the README will name no commit\n`);
}

const next = `${fixtures}.new`;
const old = `${fixtures}.old`;
rmSync(next, { recursive: true, force: true });
rmSync(old, { recursive: true, force: true });
try {
  const copyFile = (name) => cpSync(path.join(repo, name), path.join(next, name));
  const copyTree = (name, filter) => cpSync(path.join(repo, name), path.join(next, name), { recursive: true, filter });
  copyTree("defs", (src) => isDir(src) || src.endsWith(".fm.json"));
  copyTree("text", (src) => isDir(src) || src.endsWith(".md"));
  for (const f of ["index.md", "ids.json", "LICENSE"]) copyFile(f);
  if (isDir(path.join(repo, "schema"))) copyTree("schema");
  else cpSync(path.join(fixtures, "schema"), path.join(next, "schema"), { recursive: true });
  cpSync(path.join(fixtures, "conflicts"), path.join(next, "conflicts"), { recursive: true });
  const readme = readFileSync(path.join(fixtures, "README.md"), "utf8").replace(
    /commit\n?\s*`[^`]*` \([^)]*\)/,
    `commit\n\`${commit}\` (${date})`,
  );
  writeFileSync(path.join(next, "README.md"), readme);
  renameSync(fixtures, old);
  renameSync(next, fixtures);
  rmSync(old, { recursive: true, force: true });
} catch (e) {
  rmSync(next, { recursive: true, force: true });
  if (!existsSync(fixtures) && existsSync(old)) renameSync(old, fixtures);
  fail(`could not refresh the snapshot (${e.message}); the fixtures are unchanged`);
}
const count = readdirSync(path.join(fixtures, "defs")).filter((f) => f.endsWith(".fm.json")).length;
process.stdout.write(`fixtures/registry: ${count} definitions from ${repo} (commit ${commit}). Run npm test to see what changed.\n`);
