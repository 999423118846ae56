// The SQL of the PostgreSQL store (reads and writes), built once per store for its schema.
// Every value goes in as a parameter; only the schema name (checked: lower-case letters, digits,
// "_") is part of the text.
import type { EntryColumns } from "../rows.js";
import { ident, textConfig } from "./schema.js";
import { weightedDocument } from "./weights.js";
import { searchStatement, type SearchFilter } from "./search.js";

/** An entry's columns as pg returns them (json columns parsed, file_size as a number). */
export type EntryRow = EntryColumns;

/** The columns of an EntryRow, from models AS m. */
export const ENTRY_COLUMNS =
  "m.oifm_id, m.name, m.slug_name, m.filename, m.file_hash, m.file_size::float8 AS file_size, m.file_mtime_ms, m.description," +
  " m.synonyms, m.tags, m.contributors, m.attributes";

export function statements(schema: string) {
  const s = ident(schema);
  const config = textConfig(schema);
  /** Entries of `where`, in `order`, a page ($n limit, $n+1 offset), each row with the total of all matches (one row of nulls and the total when the page is empty). */
  const page = (where: string, order: string, limitParam: number) =>
    `SELECT t.total, p.* FROM (SELECT count(*)::int AS total FROM ${s}.models AS m WHERE ${where}) AS t
       LEFT JOIN LATERAL (SELECT ${ENTRY_COLUMNS} FROM ${s}.models AS m WHERE ${where} ORDER BY ${order} LIMIT $${limitParam} OFFSET $${limitParam + 1}) AS p ON true`;
  const searches = new Map<string, string>();
  return {
    // --- writes (see apply.ts) ---
    /** $1: oifm_ids. Attributes and model JSON go with the model (ON DELETE CASCADE). */
    deleteModels: `DELETE FROM ${s}.models WHERE oifm_id = ANY($1::text[]) RETURNING contributors`,
    /** Whether the index holds a model (sent with the BEGIN of a first sync; no parameters). */
    anyModel: `SELECT EXISTS (SELECT 1 FROM ${s}.models) AS filled`,
    /**
     * All new models in one statement: the rows (parallel arrays $1..$21, one element per model, in
     * batch order), their JSON ($22 byte offsets and $23 byte lengths into $24, the JSON of all
     * models as one UTF-8 byte string, sent in binary: no array literal to escape and parse for the
     * bulk of the data), and their attributes ($25..$28, one element per attribute, $25 being the
     * model's place in the batch). Each model's key is drawn here, in batch order, so the JSON and
     * attribute rows are written from the input without a join back to the inserted rows. The
     * full-text document is built here too, each field with its weight.
     */
    insertModels: `
      WITH input AS MATERIALIZED (
        SELECT nextval('${s}.model_ids') AS id, t.*
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[],
                      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
                      $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::int[], $23::int[])
          WITH ORDINALITY AS t(oifm_id, name, name_lower, slug_name, filename, file_hash, file_size, file_mtime_ms,
                               description, synonyms, tags, contributors, attributes, synonyms_lower, tags_lower, tag_spellings,
                               fts_name, fts_synonyms, fts_description, fts_tags, fts_attributes, json_from, json_length, ord)
      ),
      model_rows AS (
        INSERT INTO ${s}.models (id, oifm_id, name, name_lower, slug_name, filename, file_hash, file_size, file_mtime_ms, description,
                                 synonyms, tags, contributors, attributes, synonyms_lower, tags_lower, tag_spellings, document)
        SELECT id, oifm_id, name, name_lower, slug_name, filename, file_hash, file_size::bigint, file_mtime_ms, description,
               synonyms::json, tags::json, contributors::json, attributes::json,
               ARRAY(SELECT json_array_elements_text(synonyms_lower::json)),
               ARRAY(SELECT json_array_elements_text(tags_lower::json)),
               ARRAY(SELECT json_array_elements_text(tag_spellings::json)),
               ${weightedDocument(config)}
          FROM input
      ),
      json_rows AS (
        INSERT INTO ${s}.model_json (id, json)
        SELECT id, convert_from(substring($24::bytea FROM json_from FOR json_length), 'UTF8') FROM input
      )
      INSERT INTO ${s}.attributes (oifma_id, model_id, name, type)
      SELECT a.oifma_id, i.id, a.name, a.type
        FROM unnest($25::int[], $26::text[], $27::text[], $28::text[]) AS a(ord, oifma_id, name, type)
        JOIN input AS i ON i.ord = a.ord`,
    /** People ($1..$5), organizations ($6..$8) upserted, file states ($9..$11) refreshed: one statement. */
    upsertContributorsAndTouch: `
      WITH people AS (
        INSERT INTO ${s}.people (github_username, email, name, organization_code, url)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        ON CONFLICT (github_username) DO UPDATE SET email = excluded.email, name = excluded.name,
          organization_code = excluded.organization_code, url = excluded.url
      ),
      organizations AS (
        INSERT INTO ${s}.organizations (code, name, url)
        SELECT * FROM unnest($6::text[], $7::text[], $8::text[])
        ON CONFLICT (code) DO UPDATE SET name = excluded.name, url = excluded.url
      )
      UPDATE ${s}.models AS m SET file_size = t.file_size::bigint, file_mtime_ms = t.file_mtime_ms
        FROM unnest($9::text[], $10::float8[], $11::float8[]) AS t(oifm_id, file_size, file_mtime_ms)
       WHERE m.oifm_id = t.oifm_id`,

    /**
     * Ends a sync that inserted models: first moves the new entries of the GIN indexes from their
     * pending lists (where PostgreSQL parks inserts to make them cheap) into the indexes proper,
     * then commits, in one round trip. A search scans a pending list entry by entry: after a full
     * sync of the registry, left to autovacuum, that made every search many times slower
     * (docs/performance.md, "Figures behind the code"). Only indexes this user owns are cleaned
     * (the function needs it).
     */
    /**
     * Sent with the COMMIT of a change that removed or rewrote models (no parameters: the literals,
     * JSON arrays of [key, key as JSON] from RemovedContributors, are escaped by the caller): the
     * people and organizations those models named that no model names any more go. A model's
     * contributors text is parsed only when it holds the key.
     */
    pruneContributors: (people: string, organizations: string) =>
      ["person", "organization"]
        .map((kind) => {
          const [table, column, literal] = kind === "person" ? ["people", "github_username", people] : ["organizations", "code", organizations];
          return (
            `DELETE FROM ${s}.${table} WHERE ${column} IN (SELECT k ->> 0 FROM json_array_elements(${literal}::json) AS k WHERE NOT EXISTS` +
            ` (SELECT 1 FROM ${s}.models AS m, json_array_elements(m.contributors) AS c WHERE strpos(m.contributors::text, k ->> 1) > 0` +
            ` AND c ->> 'kind' = '${kind}' AND c ->> 'key' = k ->> 0)); `
          );
        })
        .join(""),

    cleanAndCommit:
      `SELECT gin_clean_pending_list(c.oid) FROM pg_class AS c WHERE c.relnamespace = '${s}'::regnamespace` +
      " AND c.relname IN ('models_document', 'models_synonyms', 'models_tags', 'models_slug_trgm') AND pg_has_role(c.relowner, 'USAGE'); COMMIT",

    // --- owners of unique values, to say what a change clashed with (after it was rolled back) ---
    ownerOfName: `SELECT oifm_id, filename, name FROM ${s}.models WHERE name_lower = $1`,
    ownerOfFilename: `SELECT oifm_id, filename, name FROM ${s}.models WHERE filename = $1`,
    ownerOfAttribute: `SELECT m.oifm_id, m.filename, m.name FROM ${s}.attributes AS a JOIN ${s}.models AS m ON m.id = a.model_id WHERE a.oifma_id = $1`,

    // --- reads ---
    syncedFrom: `SELECT synced_from FROM ${s}.fm_meta`,
    /** Sent with the COMMIT of a change that records its folder (no parameters: `literal` is escaped by the caller). */
    setSyncedFrom: (literal: string) => `UPDATE ${s}.fm_meta SET synced_from = ${literal}; `,
    /**
     * Sent with the COMMIT of every change that records no folder: rewriting the one fm_meta row
     * gives it the change's transaction ID (xmin), which is what changeMark reads. So every commit
     * of a change, by any program, gives the row a new xmin, with no column to add.
     */
    bumpChangeMark: `UPDATE ${s}.fm_meta SET synced_from = synced_from; `,
    /** The transaction ID of the last change (see bumpChangeMark). */
    changeMark: `SELECT xmin::text AS mark FROM ${s}.fm_meta`,
    fileStates: `SELECT filename, oifm_id, file_hash, file_size::float8 AS file_size, file_mtime_ms FROM ${s}.models`,
    /**
     * The validation snapshot: three statements in one round trip (the simple protocol takes
     * several), in one read-only transaction so all three see the same moment.
     */
    snapshot:
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" +
      ` SELECT oifm_id, name, filename, synonyms, attributes, contributors FROM ${s}.models;` +
      ` SELECT github_username, email, name, organization_code, url FROM ${s}.people ORDER BY github_username;` +
      ` SELECT code, name, url FROM ${s}.organizations ORDER BY code;` +
      " COMMIT",
    /**
     * The snapshot of a scope (store.ts SnapshotScope) in one statement (so one moment): IDs $1,
     * terms $2, attribute IDs $3, files $4, contributors as kinds $5 and keys $6, people $7,
     * organizations $8. Each key is looked up by its index; a contributor's model is found by a
     * substring test on the stored list before the exact one.
     */
    snapshotScoped: `
      WITH hit AS (
        SELECT id FROM ${s}.models WHERE oifm_id = ANY($1::text[])
        UNION SELECT id FROM ${s}.models WHERE name_lower = ANY($2::text[])
        UNION SELECT id FROM ${s}.models WHERE synonyms_lower && $2::text[]
        UNION SELECT model_id FROM ${s}.attributes WHERE oifma_id = ANY($3::text[])
        UNION SELECT (
          SELECT m.id FROM ${s}.models AS m
           WHERE m.contributors::text LIKE '%' || to_json(k.key)::text || '%'
             AND m.filename <> ALL($4::text[])
             AND m.contributors::jsonb @> jsonb_build_array(jsonb_build_object('kind', k.kind, 'key', k.key))
           LIMIT 1)
          FROM unnest($5::text[], $6::text[]) AS k(kind, key)
      )
      SELECT
        (SELECT coalesce(json_agg(json_build_object('oifm_id', m.oifm_id, 'name', m.name, 'filename', m.filename,
                                                    'synonyms', m.synonyms, 'attributes', m.attributes, 'contributors', m.contributors)), '[]')
           FROM ${s}.models AS m WHERE m.id IN (SELECT id FROM hit)) AS models,
        (SELECT coalesce(json_agg(json_build_object('github_username', github_username, 'email', email, 'name', name,
                                                    'organization_code', organization_code, 'url', url)), '[]')
           FROM ${s}.people WHERE github_username = ANY($7::text[])) AS people,
        (SELECT coalesce(json_agg(json_build_object('code', code, 'name', name, 'url', url)), '[]')
           FROM ${s}.organizations WHERE code = ANY($8::text[])) AS organizations`,
    entriesByIds: `SELECT ${ENTRY_COLUMNS} FROM ${s}.models AS m WHERE m.oifm_id = ANY($1::text[])`,
    modelJson: `SELECT j.json FROM ${s}.models AS m JOIN ${s}.model_json AS j ON j.id = m.id WHERE m.oifm_id = $1`,
    modelJsonBatch: `SELECT m.oifm_id, j.json FROM ${s}.models AS m JOIN ${s}.model_json AS j ON j.id = m.id WHERE m.oifm_id = ANY($1::text[])`,
    count: `SELECT count(*)::int AS n FROM ${s}.models`,
    countPeople: `SELECT count(*)::int AS n FROM ${s}.people`,
    countOrganizations: `SELECT count(*)::int AS n FROM ${s}.organizations`,
    person: `SELECT github_username, email, name, organization_code, url FROM ${s}.people WHERE github_username = $1`,
    organization: `SELECT code, name, url FROM ${s}.organizations WHERE code = $1`,
    people: `SELECT github_username, email, name, organization_code, url FROM ${s}.people ORDER BY lower(github_username), github_username`,
    organizations: `SELECT code, name, url FROM ${s}.organizations ORDER BY lower(code), code`,
    list: page("true", "m.name_lower, m.oifm_id", 1),
    allEntries: `SELECT ${ENTRY_COLUMNS} FROM ${s}.models AS m ORDER BY m.filename`,
    /** A tag is shown in its alphabetically first spelling among the models carrying it. */
    tags: `SELECT min(t.tag) AS tag, count(*)::int AS count
             FROM ${s}.models AS m CROSS JOIN LATERAL unnest(m.tags_lower, m.tag_spellings) AS t(tag_lower, tag)
            GROUP BY t.tag_lower ORDER BY count DESC, t.tag_lower, min(t.tag)`,
    slugExact: page("m.slug_name = $1", "m.slug_name, m.oifm_id", 2),
    /** $1 is a LIKE pattern with "\" escaping (a "C" b-tree serves prefixes, trigrams the rest). */
    slugLike: page("m.slug_name LIKE $1", "m.slug_name, m.oifm_id", 2),
    stats: `SELECT (SELECT version FROM ${s}.fm_meta) AS version,
                   (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 FROM pg_class AS c
                     WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'm')) AS size`,

    // --- search ---
    /** ID, name and synonym matches, in that order (k); one model may appear more than once. $3: tags, when `tags`. */
    exact: (tags: boolean) =>
      `SELECT x.k, ${ENTRY_COLUMNS} FROM (
              SELECT 0 AS k, id FROM ${s}.models WHERE oifm_id = $1
    UNION ALL SELECT 1, id FROM ${s}.models WHERE name_lower = $2
    UNION ALL SELECT 2, id FROM ${s}.models WHERE synonyms_lower @> ARRAY[$2::text]
       ) AS x JOIN ${s}.models AS m ON m.id = x.id${tags ? " WHERE m.tags_lower @> $3::text[]" : ""}
       ORDER BY x.k, m.name_lower, m.id`,
    /** `exact` for many queries: IDs $1 and lower-cased queries $2 (one element per query), rows tagged with the query's place (i, from 1). $3: tags. */
    exactMany: (tags: boolean) =>
      `SELECT q.i, x.k, ${ENTRY_COLUMNS}
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(id, lower, i)
         CROSS JOIN LATERAL (
              SELECT 0 AS k, id FROM ${s}.models WHERE oifm_id = q.id
    UNION ALL SELECT 1, id FROM ${s}.models WHERE name_lower = q.lower
    UNION ALL SELECT 2, id FROM ${s}.models WHERE synonyms_lower @> ARRAY[q.lower]
       ) AS x JOIN ${s}.models AS m ON m.id = x.id${tags ? " WHERE m.tags_lower @> $3::text[]" : ""}
       ORDER BY q.i, x.k, m.name_lower, m.id`,
    search: (filter: SearchFilter): string => {
      const key = `${filter.tags}/${filter.exclude}`;
      let sql = searches.get(key);
      if (sql === undefined) {
        sql = searchStatement(schema, ENTRY_COLUMNS, config, filter);
        searches.set(key, sql);
      }
      return sql;
    },
  };
}

export type Statements = ReturnType<typeof statements>;

export type { OrganizationRow, PersonRow } from "../rows.js";
