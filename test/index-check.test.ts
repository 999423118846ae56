// `index check` on real registry models: a freshly synced index passes (SQLite and PostgreSQL);
// each way of breaking it by hand with SQL (the kind of damage a crash, a bug or a person can do)
// is reported; the index is compared with its folder file by file. Runs the compiled command.
import Database from "better-sqlite3";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import type { IndexCheckReport } from "../src/index/check-index.js";
import { firstReachable, localServerCandidates } from "../src/store/postgres/local-server.js";
import { buildIfStale, parseJson, runCli } from "./cli-run.js";
import { DEFS, defFileNames } from "./corpus.js";

buildIfStale();

const work = mkdtempSync(path.join(tmpdir(), "fm-index-check-"));
const folder = path.join(work, "defs");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 40 registry models, in a folder of their own (so the folder test may change it). */
beforeAll(() => {
  mkdirSync(folder);
  for (const name of defFileNames().slice(0, 40)) copyFileSync(path.join(DEFS, name), path.join(folder, name));
});

async function check(args: string[]): Promise<{ code: number | null; report: IndexCheckReport }> {
  const run = await runCli(["index", "check", ...args, "--json"]);
  return { code: run.code, report: parseJson<IndexCheckReport>(run) };
}

const messages = (r: IndexCheckReport) => r.problems.map((p) => `${p.kind}: ${p.message}`);

describe("index check on SQLite", () => {
  const db = path.join(work, "clean.db");
  beforeAll(async () => {
    const index = await openIndex({ db });
    expect((await index.sync(folder)).added).toBe(40);
    await index.close();
  });

  it("passes on a synced index and its folder (exit 0)", async () => {
    const { code, report } = await check(["--db", db, folder]);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, models: 40, files: 40 });
    expect(code).toBe(0);
  });

  it("reports each kind of damage made by hand, with the model it concerns (exit 1)", async () => {
    const broken = path.join(work, "broken.db");
    copyFileSync(db, broken);
    const conn = new Database(broken);
    conn.unsafeMode(true);
    conn.pragma("foreign_keys = OFF");
    const models = conn.prepare("SELECT id, oifm_id, tags, contributors, attributes FROM models ORDER BY id").all() as Array<{ id: number; oifm_id: string; tags: string; contributors: string; attributes: string }>;
    const withTags = models.filter((m) => JSON.parse(m.tags).length > 0);
    const [a, b, c, e, f] = models.filter((m) => !withTags.slice(0, 1).includes(m));
    const d = withTags[0]!;
    const attribute = (JSON.parse(c!.attributes) as Array<{ oifma_id: string }>)[0]!.oifma_id;
    const organization = conn.prepare("SELECT code FROM organizations ORDER BY code").pluck().get() as string;
    conn.prepare("UPDATE models SET name = 'Renamed by hand', name_lower = 'renamed by hand' WHERE id = ?").run(a!.id);
    conn.prepare("DELETE FROM fts WHERE rowid = ?").run(b!.id);
    conn.prepare("DELETE FROM attributes WHERE oifma_id = ?").run(attribute);
    conn.prepare("INSERT INTO synonyms (model_id, synonym_lower) VALUES (999999, 'ghost')").run();
    conn.prepare("UPDATE tags SET tag = 'CHANGED BY HAND' WHERE model_id = ?").run(d.id);
    conn.prepare("INSERT INTO people VALUES ('ghostuser', 'ghost@example.org', 'Ghost', 'XX', NULL)").run();
    conn.prepare("DELETE FROM model_json WHERE id = ?").run(e!.id);
    conn.prepare("UPDATE model_json SET json = json_set(json, '$.description', 'changed by hand') WHERE id = ?").run(f!.id);
    conn.prepare("DELETE FROM organizations WHERE code = ?").run(organization);
    // What every engine checks alike (store/integrity.ts): JSON without a model, an attribute row that differs.
    conn.prepare("INSERT INTO model_json (id, json) VALUES (999999, '{}')").run();
    const g = models.at(-1)!;
    const renamed = (JSON.parse(g.attributes) as Array<{ oifma_id: string }>)[0]!.oifma_id;
    conn.prepare("UPDATE attributes SET name = 'Renamed attribute' WHERE oifma_id = ?").run(renamed);
    conn.close();

    const { code, report } = await check(["--db", broken]);
    const found = messages(report);
    const expected = [
      new RegExp(`^entry: model ${a!.oifm_id} \\(file .*\\): its entry's name is "Renamed by hand" where its stored JSON says`),
      new RegExp(`^storage: full text \\(fts\\): row ${a!.id} of model ${a!.oifm_id} holds .*Renamed by hand`),
      new RegExp(`^storage: full text \\(fts\\): model ${b!.oifm_id} has no row ${b!.id}$`),
      new RegExp(`^storage: attributes: model ${c!.oifm_id} has no row ${attribute}$`),
      /^storage: synonyms: row #999999 "ghost" belongs to no model$/,
      /^storage: synonyms: row .* refers to a models row that does not exist$/,
      new RegExp(`^storage: tags: row ${d.oifm_id} ".*" of model ${d.oifm_id} holds "CHANGED BY HAND"`),
      /^contributors: people: person ghostuser is named by no indexed model$/,
      new RegExp(`^storage: model_json: model ${e!.oifm_id} has no stored JSON$`),
      new RegExp(`^entry: model ${f!.oifm_id} \\(file .*\\): its entry's description is .* where its stored JSON says "changed by hand"$`),
      new RegExp(`^contributors: organizations: organization ${organization}, named by model OIFM_\\w+, is not in the table$`),
      /^storage: model_json: row 999999 belongs to no model$/,
      new RegExp(`^storage: attributes: row ${renamed} of model ${g.oifm_id} holds "\\[\\\\"Renamed attribute\\\\",`),
    ];
    for (const pattern of expected) expect(found, String(pattern)).toContainEqual(expect.stringMatching(pattern));
    expect(report.ok).toBe(false);
    expect(code).toBe(1);
  });

  it("reports a full-text index whose own check fails", async () => {
    const broken = path.join(work, "fts.db");
    copyFileSync(db, broken);
    const conn = new Database(broken);
    conn.unsafeMode(true);
    conn.prepare("UPDATE fts_data SET block = zeroblob(length(block)) WHERE id = (SELECT max(id) FROM fts_data)").run();
    conn.close();
    const { code, report } = await check(["--db", broken]);
    expect(messages(report)).toContainEqual(expect.stringMatching(/^storage: full text \(fts\): its index does not match its text/));
    expect(code).toBe(1);
  });

  it("reports a damaged file as SQLite's integrity_check does", async () => {
    const broken = path.join(work, "pages.db");
    copyFileSync(db, broken);
    const conn = new Database(broken);
    conn.unsafeMode(true);
    // An index b-tree that lost its entries: the table still has them.
    conn.pragma("writable_schema = ON");
    const root = conn.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'models_slug_name'").pluck().get() as number;
    conn.close();
    const bytes = (await import("node:fs")).readFileSync(broken);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
    // A leaf index page with no cells: its header says so (type 10, 0 cells).
    const at = (root - 1) * pageSize;
    bytes[at] = 10;
    bytes.writeUInt16BE(0, at + 3);
    writeFileSync(broken, bytes);
    const { code, report } = await check(["--db", broken]);
    expect(messages(report)).toContainEqual(expect.stringMatching(/^storage: integrity_check: .*models_slug_name/));
    expect(code).toBe(1);
  });

  it("compares the index with its folder: files added, removed, changed", async () => {
    const names = defFileNames().slice(0, 40);
    const changed = path.join(folder, names[0]!);
    const original = (await import("node:fs")).readFileSync(changed);
    try {
      writeFileSync(changed, original.toString("utf8").replace(/\n$/, "") + " \n");
      unlinkSync(path.join(folder, names[1]!));
      copyFileSync(path.join(DEFS, defFileNames()[40]!), path.join(folder, defFileNames()[40]!));
      const { code, report } = await check(["--db", db, folder]);
      const found = messages(report);
      expect(found).toContainEqual(expect.stringMatching(new RegExp(`^folder: ${names[0]}: its bytes differ from what the index holds for model OIFM_\\w+ \\(sha256 [0-9a-f]{12}… in the folder, [0-9a-f]{12}… indexed\\)$`)));
      expect(found).toContainEqual(expect.stringMatching(new RegExp(`^folder: ${names[1]}: in the index \\(model OIFM_\\w+\\), not in the folder$`)));
      expect(found).toContainEqual(`folder: ${defFileNames()[40]}: in the folder, not in the index`);
      expect(found).toHaveLength(3);
      expect(code).toBe(1);
    } finally {
      writeFileSync(changed, original);
      copyFileSync(path.join(DEFS, names[1]!), path.join(folder, names[1]!));
      unlinkSync(path.join(folder, defFileNames()[40]!));
    }
  });
});


const BASE = await firstReachable(localServerCandidates());
describe.skipIf(!BASE)("index check on PostgreSQL", () => {
  const schema = `fm_check_${process.pid}`;
  const url = (() => {
    const u = new URL(BASE ?? "postgres://localhost/test");
    u.searchParams.set("schema", schema);
    return u.toString();
  })();
  const sql = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: BASE });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    const index = await openIndex({ postgres: url });
    expect((await index.sync(folder)).added).toBe(40);
    await index.close();
  });
  afterAll(async () => {
    await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it("passes on a synced index and its folder, then reports each kind of damage made by hand", async () => {
    const clean = await check(["--postgres", url, folder]);
    expect(clean.report.problems).toEqual([]);
    expect(clean.code).toBe(0);

    const s = `"${schema}"`;
    const models = (await sql(`SELECT id, oifm_id, attributes FROM ${s}.models ORDER BY id`)) as Array<{ id: string; oifm_id: string; attributes: Array<{ oifma_id: string }> }>;
    const [a, b, c, d, e, f] = models;
    await sql(`UPDATE ${s}.models SET name = 'Renamed by hand', name_lower = 'renamed by hand' WHERE id = $1`, [a!.id]);
    await sql(`UPDATE ${s}.models SET document = to_tsvector('simple', 'nothing') WHERE id = $1`, [b!.id]);
    await sql(`DELETE FROM ${s}.attributes WHERE oifma_id = $1`, [c!.attributes[0]!.oifma_id]);
    await sql(`UPDATE ${s}.models SET synonyms_lower = '{ghost}' WHERE id = $1`, [d!.id]);
    await sql(`INSERT INTO ${s}.people VALUES ('ghostuser', 'ghost@example.org', 'Ghost', 'XX', NULL)`);
    await sql(`DELETE FROM ${s}.model_json WHERE id = $1`, [e!.id]);
    await sql(`UPDATE ${s}.model_json SET json = jsonb_set(json::jsonb, '{description}', '"changed by hand"')::text WHERE id = $1`, [f!.id]);
    // What every engine checks alike (store/integrity.ts): JSON without a model, an attribute row that differs.
    await sql(`BEGIN; ALTER TABLE ${s}.model_json DISABLE TRIGGER ALL; INSERT INTO ${s}.model_json (id, json) VALUES (999999, '{}'); ALTER TABLE ${s}.model_json ENABLE TRIGGER ALL; COMMIT`);
    const g = models.at(-1)!;
    await sql(`UPDATE ${s}.attributes SET name = 'Renamed attribute' WHERE oifma_id = $1`, [g.attributes[0]!.oifma_id]);

    const { code, report } = await check(["--postgres", url]);
    const found = messages(report);
    const expected = [
      new RegExp(`^entry: model ${a!.oifm_id} \\(file .*\\): its entry's name is "Renamed by hand" where its stored JSON says`),
      new RegExp(`^storage: models: the full-text document of model ${a!.oifm_id} does not match`),
      new RegExp(`^storage: models: the full-text document of model ${b!.oifm_id} does not match`),
      new RegExp(`^storage: attributes: model ${c!.oifm_id} has no row ${c!.attributes[0]!.oifma_id}$`),
      new RegExp(`^storage: models: the lower-cased synonyms of model ${d!.oifm_id} are \\["ghost"\\]`),
      /^contributors: people: person ghostuser is named by no indexed model$/,
      new RegExp(`^storage: model_json: model ${e!.oifm_id} has no stored JSON$`),
      new RegExp(`^entry: model ${f!.oifm_id} \\(file .*\\): its entry's description is .* where its stored JSON says "changed by hand"$`),
      /^storage: model_json: row 999999 belongs to no model$/,
      new RegExp(`^storage: attributes: row ${g.attributes[0]!.oifma_id} of model ${g.oifm_id} holds "\\[\\\\"Renamed attribute\\\\",`),
    ];
    for (const pattern of expected) expect(found, String(pattern)).toContainEqual(expect.stringMatching(pattern));
    expect(code).toBe(1);
  });
});
