// Store.readIntegrity on PostgreSQL, in one read-only repeatable-read transaction (one moment of
// the index): amcheck's b-tree checks where the extension is installed and the columns PostgreSQL
// derives from each model row (lower-cased synonyms and tags, the full-text document) against it,
// then the checks every engine shares (store/integrity.ts).
import type pg from "pg";
import { entryOf, uniqueSynonyms, uniqueTags, type OrganizationRow, type PersonRow } from "../rows.js";
import type { IntegrityRead } from "../store.js";
import { integrityRead } from "../integrity.js";
import { ENTRY_COLUMNS, type EntryRow } from "./statements.js";
import { words } from "./apply.js";
import { ident, textConfig } from "./schema.js";

type ModelRow = EntryRow & {
  id: string;
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
      `SELECT m.id, ${ENTRY_COLUMNS}, m.synonyms_lower, m.tags_lower, m.tag_spellings, j.json
         FROM ${s}.models AS m LEFT JOIN ${s}.model_json AS j ON j.id = m.id ORDER BY m.filename`,
    );
    const idOf = new Map(rows.map((r) => [r.id, r.oifm_id]));
    const models = rows.map((r) => ({ oifmId: r.oifm_id, entry: entryOf(r), json: r.json }));
    for (const r of rows) {
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
    const attributes = await client.query<{ oifma_id: string; model_id: string; name: string; type: string }>(`SELECT * FROM ${s}.attributes`);
    const people = await client.query<PersonRow>(`SELECT github_username, email, name, organization_code, url FROM ${s}.people`);
    const organizations = await client.query<OrganizationRow>(`SELECT code, name, url FROM ${s}.organizations`);
    await client.query("COMMIT");
    return integrityRead(
      {
        models,
        orphanJson: orphanJson.rows.map((o) => o.id),
        attributes: attributes.rows.map((a) => ({ oifmaId: a.oifma_id, owner: idOf.get(a.model_id), name: a.name, type: a.type })),
        people: people.rows,
        organizations: organizations.rows,
      },
      problems,
      skipped,
    );
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
