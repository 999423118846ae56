// Store.readIntegrity on PostgreSQL, in one read-only repeatable-read transaction (one moment of
// the index): amcheck's b-tree checks where the extension is installed, the columns and rows
// derived from each model row (lower-cased synonyms and tags, the full-text document, attributes,
// JSON) against it, and rows that belong to no model.
import type pg from "pg";
import { toOrganization, toPerson, type OrganizationRow, type PersonRow } from "../rows.js";
import type { IndexEntry, IntegrityRead } from "../store.js";
import { attributeText, compareDerived, expectedAttributes, type DerivedRow } from "../integrity-rows.js";
import { uniqueSynonyms, uniqueTags } from "../rows.js";
import { words } from "./apply.js";
import { ident, textConfig } from "./schema.js";

type ModelRow = {
  id: string;
  oifm_id: string;
  name: string;
  slug_name: string;
  filename: string;
  file_hash: string;
  file_size: string;
  file_mtime_ms: number;
  description: string;
  synonyms: string[];
  tags: string[];
  contributors: IndexEntry["contributors"];
  attributes: IndexEntry["attributes"];
  synonyms_lower: string[];
  tags_lower: string[];
  tag_spellings: string[];
  json: string | null;
};

export async function readIntegrity(client: pg.ClientBase, schema: string): Promise<IntegrityRead> {
  const s = ident(schema);
  const problems: string[] = [];
  const skipped: string[] = [];
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    await checkBtrees(client, schema, problems, skipped);
    const { rows } = await client.query<ModelRow>(
      `SELECT m.id, m.oifm_id, m.name, m.slug_name, m.filename, m.file_hash, m.file_size, m.file_mtime_ms, m.description,
              m.synonyms, m.tags, m.contributors, m.attributes, m.synonyms_lower, m.tags_lower, m.tag_spellings, j.json
         FROM ${s}.models AS m LEFT JOIN ${s}.model_json AS j ON j.id = m.id ORDER BY m.filename`,
    );
    const idOf = new Map(rows.map((r) => [r.id, r.oifm_id]));
    const models: IntegrityRead["models"] = rows.map((r) => ({ entry: toEntry(r), json: r.json ?? undefined }));
    for (const r of rows) {
      if (r.json === null) problems.push(`model_json: model ${r.oifm_id} has no stored JSON`);
      const synonyms = uniqueSynonyms(r.synonyms).map((x) => x.key);
      if (JSON.stringify(r.synonyms_lower) !== JSON.stringify(synonyms)) {
        problems.push(`models: the lower-cased synonyms of model ${r.oifm_id} are ${JSON.stringify(r.synonyms_lower)} where its synonyms say ${JSON.stringify(synonyms)}`);
      }
      const tags = uniqueTags(r.tags);
      if (JSON.stringify([r.tags_lower, r.tag_spellings]) !== JSON.stringify([tags.map((t) => t.key), tags.map((t) => t.value)])) {
        problems.push(`models: the lower-cased tags of model ${r.oifm_id} are ${JSON.stringify(r.tags_lower)} (${JSON.stringify(r.tag_spellings)}) where its tags say ${JSON.stringify(tags.map((t) => t.value))}`);
      }
    }
    // The full-text document of each model, made again from its row as apply.ts makes it.
    const config = textConfig(schema);
    const entries = models.map((m) => m.entry);
    const stale = await client.query<{ oifm_id: string }>(
      `SELECT m.oifm_id FROM ${s}.models AS m
         JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS w(oifm_id, n, sy, d, t, a) ON w.oifm_id = m.oifm_id
        WHERE m.document IS DISTINCT FROM (setweight(to_tsvector(${config}, w.n), 'A') || setweight(to_tsvector(${config}, w.sy), 'B') ||
              setweight(to_tsvector(${config}, w.d), 'C') || setweight(to_tsvector(${config}, w.t), 'D') || setweight(to_tsvector(${config}, w.a), 'D'))`,
      [
        entries.map((e) => e.oifm_id),
        entries.map((e) => words(e.name)),
        entries.map((e) => words(e.synonyms.join(" "))),
        entries.map((e) => words(e.description)),
        entries.map((e) => words(e.tags.join(" "))),
        entries.map((e) => words(e.attributes.map((a) => a.name).join(" "))),
      ],
    );
    for (const r of stale.rows) problems.push(`models: the full-text document of model ${r.oifm_id} does not match its name, synonyms, description, tags and attributes`);

    const orphanJson = await client.query<{ id: string }>(`SELECT id FROM ${s}.model_json WHERE id NOT IN (SELECT id FROM ${s}.models)`);
    for (const o of orphanJson.rows) problems.push(`model_json: row ${o.id} belongs to no model`);
    const attributes = new Map<string, DerivedRow>();
    for (const a of (await client.query<{ oifma_id: string; model_id: string; name: string; type: string }>(`SELECT * FROM ${s}.attributes`)).rows) {
      attributes.set(a.oifma_id, { owner: idOf.get(a.model_id), value: attributeText(a.name, a.type) });
    }
    compareDerived("attributes", expectedAttributes(entries), attributes, problems);

    const people = (await client.query<PersonRow>(`SELECT github_username, email, name, organization_code, url FROM ${s}.people`)).rows.map(toPerson);
    const organizations = (await client.query<OrganizationRow>(`SELECT code, name, url FROM ${s}.organizations`)).rows.map(toOrganization);
    await client.query("COMMIT");
    return { problems, skipped, models, people, organizations };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/** amcheck's bt_index_check on each b-tree index of the schema, when the extension is installed. */
async function checkBtrees(client: pg.ClientBase, schema: string, problems: string[], skipped: string[]): Promise<void> {
  const ext = await client.query<{ schema: string }>("SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'amcheck'");
  const where = ext.rows[0]?.schema;
  if (where === undefined) {
    skipped.push("the b-tree indexes' own check needs the PostgreSQL extension amcheck (CREATE EXTENSION amcheck)");
    return;
  }
  const indexes = await client.query<{ name: string; oid: number }>(
    `SELECT c.relname AS name, c.oid::int AS oid FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace JOIN pg_am AS am ON am.oid = c.relam
      WHERE n.nspname = $1 AND c.relkind = 'i' AND am.amname = 'btree'`,
    [schema],
  );
  for (const i of indexes.rows) {
    // A failed statement spoils the transaction: each check in a savepoint, undone when it fails.
    await client.query("SAVEPOINT amcheck");
    try {
      await client.query(`SELECT ${where.startsWith('"') ? where : ident(where)}.bt_index_check($1::oid)`, [i.oid]);
      await client.query("RELEASE SAVEPOINT amcheck");
    } catch (e) {
      problems.push(`index ${i.name}: ${(e as Error).message}`);
      await client.query("ROLLBACK TO SAVEPOINT amcheck");
    }
  }
}

function toEntry(r: ModelRow): IndexEntry {
  return {
    oifm_id: r.oifm_id,
    name: r.name,
    slugName: r.slug_name,
    filename: r.filename,
    fileHash: r.file_hash,
    fileSize: Number(r.file_size),
    fileMtimeMs: r.file_mtime_ms,
    description: r.description,
    synonyms: r.synonyms,
    tags: r.tags,
    contributors: r.contributors,
    attributes: r.attributes,
  };
}
