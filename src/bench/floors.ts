// Floors: the least the same work can cost. The commands run as whole processes beside small plain
// Node programs doing only the unavoidable part (each passed to `node --input-type=module -e`), and
// search beside the raw SQLite full-text query it rests on, for the same queries.
import { BM25_RANK } from "../store/sqlite/weights.js";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { openIndex } from "../index/open-index.js";
import { searchTerms } from "../index/search/terms.js";
import { nameKey } from "../model/names.js";
import { tagKey } from "../model/tags.js";
import { matchExpression, usableTerms } from "../store/sqlite/fts-query.js";
import { CACHE_KIB } from "../store/sqlite/settings.js";
import { MIGRATIONS, PAGE_SIZE } from "../store/sqlite/schema.js";
import type { Bench } from "./context.js";
import { median, perCall, percentile, timeProcessPair, type ProcessTiming } from "./measure.js";

/** Read, hash (sha256) and JSON.parse every *.fm.json under a folder. */
export const READ_HASH_PARSE = `
import { readdirSync, readFileSync } from "node:fs";
import { hash } from "node:crypto";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (!f.endsWith(".fm.json")) continue;
  const bytes = readFileSync(path.join(dir, f));
  hash("sha256", bytes, "hex");
  JSON.parse(bytes.toString("utf8"));
}`;

/** Read and JSON.parse every *.fm.json under a folder. */
export const READ_PARSE = `
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".fm.json")) JSON.parse(readFileSync(path.join(dir, f), "utf8"));
}`;

/** Read and JSON.parse every *.fm.json under a folder, and write a file of its size atomically (temp + rename) into a new folder (argv[2]). */
export const READ_PARSE_WRITE = `
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
const [dir, out] = [process.argv[1], process.argv[2]];
mkdirSync(out, { recursive: true });
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (!f.endsWith(".fm.json")) continue;
  const text = readFileSync(path.join(dir, f), "utf8");
  JSON.parse(text);
  const target = path.join(out, path.basename(f, ".fm.json") + ".md");
  writeFileSync(target + ".tmp", text.slice(0, text.length >> 1), { flag: "wx" });
  renameSync(target + ".tmp", target);
}`;

/**
 * Read, hash and JSON.parse every *.fm.json under a folder (argv[1]), and write the rows a sync
 * writes for it into a new SQLite file (argv[2]) with the index's schema and settings: the model
 * row, its JSON, attributes, synonyms, tags and full text, by plain prepared statements in one
 * transaction, the full-text index merged, then WAL. No checks, no canonical order, no cross-file
 * checks: the least a cold sync's reading and writing can cost. argv[3]: the project, whose
 * better-sqlite3 it loads.
 */
export function readHashParseWriteRows(): string {
  return `
import { readdirSync, readFileSync } from "node:fs";
import { hash } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
const [dir, file, project] = [process.argv[1], process.argv[2], process.argv[3]];
const Database = createRequire(path.join(project, "package.json"))("better-sqlite3");
${nameKey.toString()}
${tagKey.toString()}
const db = new Database(file);
db.pragma("page_size = ${PAGE_SIZE}");
db.pragma("synchronous = NORMAL");
db.pragma("cache_size = -${CACHE_KIB}");
db.exec(${JSON.stringify(MIGRATIONS[0])});
const model = db.prepare("INSERT INTO models (id, oifm_id, name, name_lower, slug_name, filename, file_hash, file_size, file_mtime_ms, description, synonyms, tags, contributors, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
const json = db.prepare("INSERT INTO model_json (id, json) VALUES (?, ?)");
const attribute = db.prepare("INSERT INTO attributes (oifma_id, model_id, name, type) VALUES (?, ?, ?, ?)");
const synonym = db.prepare("INSERT OR IGNORE INTO synonyms (model_id, synonym_lower) VALUES (?, ?)");
const tag = db.prepare("INSERT OR IGNORE INTO tags (model_id, tag_lower, tag) VALUES (?, ?, ?)");
const fts = db.prepare("INSERT INTO fts (rowid, name, synonyms, description, tags, attributes) VALUES (?, ?, ?, ?, ?, ?)");
db.transaction(() => {
  let id = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".fm.json")) continue;
    const bytes = readFileSync(path.join(dir, f));
    const fileHash = hash("sha256", bytes, "hex");
    const m = JSON.parse(bytes.toString("utf8"));
    const synonyms = m.synonyms ?? [];
    const tags = m.tags ?? [];
    const attributes = m.attributes.map((a) => ({ oifma_id: a.oifma_id, name: a.name, type: a.type }));
    id++;
    model.run(id, m.oifm_id, m.name, nameKey(m.name), m.name, f, fileHash, bytes.length, 0, m.description, JSON.stringify(synonyms), JSON.stringify(tags), JSON.stringify(m.contributors ?? []), JSON.stringify(attributes));
    json.run(id, JSON.stringify(m));
    for (const a of attributes) attribute.run(a.oifma_id, id, a.name, a.type);
    for (const s of synonyms) synonym.run(id, nameKey(s));
    for (const t of tags) tag.run(id, tagKey(t), t);
    fts.run(id, m.name, synonyms.join("\\n"), m.description, tags.join("\\n"), attributes.map((a) => a.name).join("\\n"));
  }
  db.exec("INSERT INTO fts (fts) VALUES ('optimize')");
})();
db.pragma("journal_mode = WAL");
db.close();`;
}

/** List and stat every *.fm.json under a folder. */
export const LIST_STAT = `
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
const dir = process.argv[1];
for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".fm.json")) statSync(path.join(dir, f));
}`;

export function floorArgs(program: string, ...args: string[]): string[] {
  return ["--input-type=module", "-e", program, ...args];
}

/** A sync of `dir` into `db` by the CLI, as a whole process. */
export function syncArgs(b: Bench, dir: string, db: string): string[] {
  return [b.cli, "index", "sync", dir, "--db", db, "--json"];
}

export function removeDb(db: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(db + suffix, { force: true });
}

/** Make a one-line change to a model file; each call a different one. Returns a function that puts it back. */
export function fileChanger(file: string): { change: () => void; restore: () => void } {
  const original = readFileSync(file, "utf8");
  let n = 0;
  return {
    change: () => writeFileSync(file, original.replace(/"description": "/, `"description": "(${++n}) `)),
    restore: () => writeFileSync(file, original),
  };
}

/** Per-call times of the raw full-text query (all terms, top 10 ids) for the same queries: the floor of search. */
export function rawFtsTimes(db: string, queries: readonly string[], rounds: number): number[] {
  const raw = new Database(db, { readonly: true });
  const fts = raw.prepare(`SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY ${BM25_RANK} LIMIT 10`).pluck();
  const matches = queries.map((q) => usableTerms(searchTerms(q))).filter((t) => t.length > 0).map((t) => matchExpression(t, "AND"));
  for (const m of matches) fts.all(m);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const m of matches) {
      const t = performance.now();
      fts.all(m);
      times.push(performance.now() - t);
    }
  }
  raw.close();
  return times;
}

export async function floorsSection(b: Bench): Promise<void> {
  const { report, copy, cli } = b;
  // Whole processes of a few hundred milliseconds: more runs than elsewhere, each beside a run of its floor.
  const runs = Math.max(b.processRuns, 9);
  report.heading("floors", `The commands beside their floors (whole processes on the ${b.registryCount.toLocaleString("en-US")} registry files, each run in turn with its floor; medians of ${runs})`);
  const vsFloor = (name: string, pair: { ours: ProcessTiming; floor: ProcessTiming }, floorName: string, maxRatio: number) =>
    report.versus(name, pair.ours.ms, "floor", { name: floorName, value: pair.floor.ms }, "ms", { maxRatio });
  const floorOf = (program: string) => ({ args: () => floorArgs(program, copy) });
  const command = (...args: string[]) => ({ args: () => [cli, ...args] });

  // Model core (issue 2): validate --reformat and export.
  vsFloor("validate --reformat", timeProcessPair(runs, command("validate", "--reformat", "--json", copy), floorOf(READ_PARSE)), "read + parse", 2);
  const out = path.join(b.work, "out");
  const floorOut = path.join(b.work, "floor-out");
  const firstExport = timeProcessPair(
    runs,
    { ...command("export", copy, "--out", out), before: () => rmSync(out, { recursive: true, force: true }) },
    { args: () => floorArgs(READ_PARSE_WRITE, copy, floorOut), before: () => rmSync(floorOut, { recursive: true, force: true }) },
  );
  vsFloor("export, first run (writes every file)", firstExport, "read + parse + write", 3);
  vsFloor("export, nothing changed", timeProcessPair(runs, command("export", copy, "--out", out), floorOf(READ_PARSE)), "read + parse", 3);

  // The registry's job (issue 12): validate + reformat + export in one read of each file, in a
  // registry's layout (defs/ beside text/, index.md, ids.json), brought up to date first.
  const repo = path.join(b.work, "registry");
  cpSync(copy, path.join(repo, "defs"), { recursive: true });
  const registry = (...args: string[]) => command("registry", repo, ...args);
  const clearOutputs = () => {
    for (const name of ["text", "index.md", "ids.json"]) rmSync(path.join(repo, name), { recursive: true, force: true });
  };
  const fullRegistry = timeProcessPair(
    runs,
    { ...registry(), before: clearOutputs },
    { args: () => floorArgs(READ_PARSE_WRITE, copy, floorOut), before: () => rmSync(floorOut, { recursive: true, force: true }) },
  );
  vsFloor("registry, full regeneration (writes every output)", fullRegistry, "read + parse + write", 3);
  const fullVsReadParse = timeProcessPair(runs, { ...registry(), before: clearOutputs }, floorOf(READ_PARSE));
  report.versus("registry, full regeneration (writes every output)", fullVsReadParse.ours.ms, "floor", { name: "read + parse", value: fullVsReadParse.floor.ms }, "ms", undefined, "no target: the floor writes nothing, and writing 2,384 files (temp + rename) is most of it");
  vsFloor("registry --check, up to date", timeProcessPair(runs, registry("--check"), floorOf(READ_PARSE)), "read + parse", 3);
  vsFloor("registry, nothing to change", timeProcessPair(runs, registry(), floorOf(READ_PARSE)), "read + parse", 3);

  // Sync (issue 3).
  const db = path.join(b.work, "floors.db");
  const sync = { args: () => syncArgs(b, copy, db) };
  const cold = timeProcessPair(runs, { ...sync, before: () => removeDb(db) }, floorOf(READ_HASH_PARSE));
  vsFloor("cold sync (new database)", cold, "read + hash + parse", 1.5);
  // Beside the least the same reading and writing cost: what the checks and the program add.
  const rowsDb = path.join(b.work, "floor-rows.db");
  const withRows = timeProcessPair(
    runs,
    { ...sync, before: () => removeDb(db) },
    { args: () => floorArgs(readHashParseWriteRows(), copy, rowsDb, b.root), before: () => removeDb(rowsDb) },
  );
  report.versus("cold sync (new database)", withRows.ours.ms, "floor", { name: "read + hash + parse + the same rows written to SQLite", value: withRows.floor.ms }, "ms", undefined, "no target: what the checks, the canonical JSON and the program's modules add to the least the same reading and writing cost");
  removeDb(rowsDb);
  vsFloor("sync, nothing changed", timeProcessPair(runs, sync, floorOf(LIST_STAT)), "list + stat", 2);
  const changer = fileChanger(path.join(copy, "abdominal_abscess.fm.json"));
  const oneFile = timeProcessPair(runs, { ...sync, before: changer.change }, floorOf(LIST_STAT));
  changer.restore();
  vsFloor("sync, one file changed", oneFile, "list + stat", 2);
  report.add({ name: "cold sync: peak memory", value: cold.ours.peakMb, unit: "MB" });
  removeDb(db);

  // Search: our search (cache off) beside the raw full-text query it rests on, for the same queries.
  const index = await openIndex({ db: b.registryDb, cache: false, readonly: true });
  const rounds = Math.max(3, b.runs);
  const ours = await perCall(b.queries, rounds, (q) => index.search(q));
  const floor = rawFtsTimes(b.registryDb, b.queries, rounds);
  await index.close();
  const n = b.queries.length;
  const p50 = median(ours);
  const p99 = percentile(ours, 99);
  report.versus(`search, ${n} queries: p50`, p50, "floor", { name: "raw FTS5 MATCH, all terms, top 10 ids", value: median(floor) }, "ms", { text: "under 1 ms", met: p50 < 1 });
  report.versus(`search, ${n} queries: p99`, p99, "floor", { name: "raw FTS5 MATCH", value: percentile(floor, 99) }, "ms", { text: "under 5 ms", met: p99 < 5 });
}
