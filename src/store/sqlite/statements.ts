// Every SQL statement the SQLite store runs, prepared once when the store opens.
import { BM25_RANK } from "./weights.js";
import type Database from "better-sqlite3";
import type { OrganizationRow, PersonRow } from "../rows.js";

/**
 * A models row as read for an entry, as an array in ENTRY_COLUMNS order (better-sqlite3's raw
 * mode: building an object per row costs more than the query): oifm_id, name, slug_name,
 * filename, file_hash, file_size, file_mtime_ms, description, then the JSON texts of synonyms,
 * tags, contributors, attributes.
 */
export type EntryRow = [string, string, string, string, string, number, number, string, string, string, string, string];

/** A model row of a validation snapshot (whole or scoped); the lists as their JSON text. */
export type SnapshotRow = { oifm_id: string; name: string; filename: string; synonyms: string; attributes: string; contributors: string };



/** Parameters of a filtered search: JSON arrays of lower-cased tags and of oifm_ids to leave out. */
export interface FilterParams {
  tags: string;
  exclude: string;
}

/** The part of a better-sqlite3 statement the store uses (named here, so declarations can name it). */
export interface Stmt<P extends unknown[], R = unknown> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

const ENTRY_COLUMNS =
  "m.oifm_id, m.name, m.slug_name, m.filename, m.file_hash, m.file_size, m.file_mtime_ms, m.description, m.synonyms, m.tags, m.contributors, m.attributes";

/**
 * Full-text statements come in four forms, so that a search without filters pays nothing for
 * them. (Short exclusion lists are better applied in JavaScript: even an empty `NOT IN` list
 * costs more than skipping a few rows.)
 */
export type FilterKind = 0 | 1 | 2 | 3;
const HAS_TAGS = 1;
const HAS_EXCLUDE = 2;

export function filterKind(hasTags: boolean, hasExclude: boolean): FilterKind {
  return ((hasTags ? HAS_TAGS : 0) | (hasExclude ? HAS_EXCLUDE : 0)) as FilterKind;
}

/** The tag filter: the model with integer key `id` carries every tag of `@tags`. */
function tagFilter(id: string): string {
  return (
    ` AND NOT EXISTS (SELECT 1 FROM json_each(@tags) AS w` +
    ` WHERE NOT EXISTS (SELECT 1 FROM tags AS t WHERE t.model_id = ${id} AND t.tag_lower = w.value))`
  );
}

const KINDS: readonly FilterKind[] = [0, 1, 2, 3];

/** Rowids and scores of the best `@limit` matches of `@match`, filtered; from the full-text index alone. */
function bestMatches(kind: FilterKind): string {
  let where = "fts MATCH @match";
  if (kind & HAS_EXCLUDE) where += " AND fts.rowid NOT IN (SELECT id FROM models WHERE oifm_id IN (SELECT value FROM json_each(@exclude)))";
  if (kind & HAS_TAGS) where += tagFilter("fts.rowid");
  return `SELECT fts.rowid AS id, ${BM25_RANK} AS score FROM fts WHERE ${where} ORDER BY score, fts.rowid LIMIT @limit`;
}

export function prepareStatements(db: Database.Database) {
  const prep = <P extends unknown[], R = unknown>(sql: string): Stmt<P, R> => db.prepare<P, R>(sql);
  /** A statement returning the first column of each row. */
  const prepPluck = <P extends unknown[], R>(sql: string): Stmt<P, R> => db.prepare<P, R>(sql).pluck();
  /** A statement returning entry rows as arrays. */
  const prepEntries = <P extends unknown[]>(sql: string): Stmt<P, EntryRow> => db.prepare<P, EntryRow>(sql).raw();
  const byKind = <T>(make: (kind: FilterKind) => T): readonly [T, T, T, T] => KINDS.map(make) as unknown as [T, T, T, T];
  return {
    // --- writes ---
    /** `?`: a JSON array of oifm_ids. Attributes, synonyms and tags go with the model (ON DELETE CASCADE). */
    deleteFts: prep<[string]>("DELETE FROM fts WHERE rowid IN (SELECT id FROM models WHERE oifm_id IN (SELECT value FROM json_each(?)))"),
    deleteModels: prep<[string]>("DELETE FROM models WHERE oifm_id IN (SELECT value FROM json_each(?))"),
    maxModelId: prepPluck<[], number>("SELECT max(id) FROM models"),
    anyModel: prepPluck<[], number>("SELECT EXISTS (SELECT 1 FROM models)"),
    /** Merge the full-text index into one segment (FTS5's 'optimize'). */
    optimizeFts: prep<[]>("INSERT INTO fts (fts) VALUES ('optimize')"),
    insertModel: prep<[number, string, string, string, string, string, string, number, number, string, string, string, string, string]>(
      "INSERT INTO models (id, oifm_id, name, name_lower, slug_name, filename, file_hash, file_size, file_mtime_ms, description," +
        " synonyms, tags, contributors, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertModelJson: prep<[number, string]>("INSERT INTO model_json (id, json) VALUES (?, ?)"),
    // Bulk inserts; `?` is a JSON array of rows, each an array of the columns in order.
    insertAttributes: prep<[string]>(
      "INSERT INTO attributes (oifma_id, model_id, name, type) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)",
    ),
    insertSynonyms: prep<[string]>("INSERT INTO synonyms (model_id, synonym_lower) SELECT value ->> 0, value ->> 1 FROM json_each(?)"),
    insertTags: prep<[string]>("INSERT INTO tags (model_id, tag_lower, tag) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)"),
    insertFts: prep<[string]>(
      "INSERT INTO fts (rowid, name, synonyms, description, tags, attributes)" +
        " SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)",
    ),
    // One row per call: only for the "per-row" write mode (see apply.ts).
    deleteFtsOne: prep<[string]>("DELETE FROM fts WHERE rowid = (SELECT id FROM models WHERE oifm_id = ?)"),
    deleteModelOne: prep<[string]>("DELETE FROM models WHERE oifm_id = ?"),
    insertAttribute: prep<[string, number, string, string]>("INSERT INTO attributes (oifma_id, model_id, name, type) VALUES (?, ?, ?, ?)"),
    insertSynonym: prep<[number, string]>("INSERT INTO synonyms (model_id, synonym_lower) VALUES (?, ?)"),
    insertTag: prep<[number, string, string]>("INSERT INTO tags (model_id, tag_lower, tag) VALUES (?, ?, ?)"),
    insertFtsRow: prep<[number, string, string, string, string, string]>(
      "INSERT INTO fts (rowid, name, synonyms, description, tags, attributes) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    touch: prep<[number, number, string]>("UPDATE models SET file_size = ?, file_mtime_ms = ? WHERE oifm_id = ?"),
    setSyncedFrom: prep<[string]>("INSERT INTO meta (key, value) VALUES ('synced_from', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    upsertPerson: prep<[string, string, string, string, string | null]>(
      "INSERT INTO people (github_username, email, name, organization_code, url) VALUES (?, ?, ?, ?, ?)" +
        " ON CONFLICT (github_username) DO UPDATE SET email = excluded.email, name = excluded.name," +
        " organization_code = excluded.organization_code, url = excluded.url",
    ),
    // Contributors of models about to be removed (see RemovedContributors in ../rows.ts), and
    // those of them that no model names any more after the change (?: [[key, key as JSON], ...]).
    contributorsOfModels: prepPluck<[string], string>("SELECT contributors FROM models WHERE oifm_id IN (SELECT value FROM json_each(?))"),
    prunePeople: prep<[string]>(
      "DELETE FROM people WHERE github_username IN (SELECT k.value ->> 0 FROM json_each(?) AS k WHERE NOT EXISTS" +
        " (SELECT 1 FROM models AS m, json_each(m.contributors) AS c WHERE instr(m.contributors, k.value ->> 1) > 0" +
        " AND c.value ->> 'kind' = 'person' AND c.value ->> 'key' = k.value ->> 0))",
    ),
    pruneOrganizations: prep<[string]>(
      "DELETE FROM organizations WHERE code IN (SELECT k.value ->> 0 FROM json_each(?) AS k WHERE NOT EXISTS" +
        " (SELECT 1 FROM models AS m, json_each(m.contributors) AS c WHERE instr(m.contributors, k.value ->> 1) > 0" +
        " AND c.value ->> 'kind' = 'organization' AND c.value ->> 'key' = k.value ->> 0))",
    ),
    upsertOrganization: prep<[string, string, string | null]>(
      "INSERT INTO organizations (code, name, url) VALUES (?, ?, ?)" +
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, url = excluded.url",
    ),

    // --- owners of unique values, to say what a change clashes with ---
    ownerOfName: prep<[string], { oifm_id: string; filename: string; name: string }>(
      "SELECT oifm_id, filename, name FROM models WHERE name_lower = ?",
    ),
    ownerOfFilename: prep<[string], { oifm_id: string; filename: string }>("SELECT oifm_id, filename FROM models WHERE filename = ?"),
    ownerOfAttribute: prep<[string], { oifm_id: string; filename: string }>(
      "SELECT m.oifm_id, m.filename FROM attributes AS a JOIN models AS m ON m.id = a.model_id WHERE a.oifma_id = ?",
    ),

    // --- reads ---
    syncedFrom: prepPluck<[], string>("SELECT value FROM meta WHERE key = 'synced_from'"),
    dataVersion: prepPluck<[], number>("PRAGMA data_version"),
    fileStates: prep<[], { filename: string; oifm_id: string; file_hash: string; file_size: number; file_mtime_ms: number }>(
      "SELECT filename, oifm_id, file_hash, file_size, file_mtime_ms FROM models",
    ),
    snapshotModels: prep<[], SnapshotRow>(
      "SELECT oifm_id, name, filename, synonyms, attributes, contributors FROM models",
    ),
    /**
     * The snapshot of a scope (store.ts SnapshotScope), each parameter a JSON array; contributors
     * as [kind, key] pairs. Each key is looked up by its index; a contributor's model is found by
     * a substring test on the stored list before the exact one, so the scan it needs stays cheap.
     */
    snapshotScoped: prep<[{ ids: string; terms: string; attributeIds: string; files: string; contributors: string }], SnapshotRow>(
      `SELECT oifm_id, name, filename, synonyms, attributes, contributors FROM models WHERE id IN (
         SELECT id FROM models WHERE oifm_id IN (SELECT value FROM json_each(@ids))
         UNION SELECT id FROM models WHERE name_lower IN (SELECT value FROM json_each(@terms))
         UNION SELECT model_id FROM synonyms WHERE synonym_lower IN (SELECT value FROM json_each(@terms))
         UNION SELECT model_id FROM attributes WHERE oifma_id IN (SELECT value FROM json_each(@attributeIds))
         UNION SELECT (
           SELECT m.id FROM models AS m
            WHERE m.contributors LIKE '%' || json_quote(k.value ->> 1) || '%'
              AND m.filename NOT IN (SELECT value FROM json_each(@files))
              AND EXISTS (SELECT 1 FROM json_each(m.contributors) AS c WHERE c.value ->> 'kind' = k.value ->> 0 AND c.value ->> 'key' = k.value ->> 1)
            LIMIT 1)
           FROM json_each(@contributors) AS k
       )`,
    ),
    peopleByKeys: prep<[string], PersonRow>("SELECT github_username, email, name, organization_code, url FROM people WHERE github_username IN (SELECT value FROM json_each(?))"),
    organizationsByKeys: prep<[string], OrganizationRow>("SELECT code, name, url FROM organizations WHERE code IN (SELECT value FROM json_each(?))"),
    entriesByIds: prepEntries<[string]>(`SELECT ${ENTRY_COLUMNS} FROM models AS m WHERE m.oifm_id IN (SELECT value FROM json_each(?))`),
    modelJson: prepPluck<[string], string>("SELECT j.json FROM models AS m JOIN model_json AS j ON j.id = m.id WHERE m.oifm_id = ?"),
    modelJsonBatch: prep<[string], { oifm_id: string; json: string }>(
      "SELECT m.oifm_id, j.json FROM models AS m JOIN model_json AS j ON j.id = m.id WHERE m.oifm_id IN (SELECT value FROM json_each(?))",
    ),
    count: prepPluck<[], number>("SELECT count(*) FROM models"),
    countPeople: prepPluck<[], number>("SELECT count(*) FROM people"),
    countOrganizations: prepPluck<[], number>("SELECT count(*) FROM organizations"),
    person: prep<[string], PersonRow>("SELECT github_username, email, name, organization_code, url FROM people WHERE github_username = ?"),
    organization: prep<[string], OrganizationRow>("SELECT code, name, url FROM organizations WHERE code = ?"),
    people: prep<[], PersonRow>("SELECT github_username, email, name, organization_code, url FROM people ORDER BY lower(github_username), github_username"),
    organizations: prep<[], OrganizationRow>("SELECT code, name, url FROM organizations ORDER BY lower(code), code"),
    list: prepEntries<[number, number]>(`SELECT ${ENTRY_COLUMNS} FROM models AS m ORDER BY m.name_lower, m.oifm_id LIMIT ? OFFSET ?`),
    allEntries: prepEntries<[]>(`SELECT ${ENTRY_COLUMNS} FROM models AS m ORDER BY m.filename`),
    /** A tag is shown in its alphabetically first spelling among the models carrying it. */
    tags: prep<[], { tag: string; count: number }>(
      "SELECT min(tag) AS tag, count(*) AS count FROM tags GROUP BY tag_lower ORDER BY count DESC, tag_lower, min(tag)",
    ),
    slugExact: prepEntries<[string, number, number]>(
      `SELECT ${ENTRY_COLUMNS} FROM models AS m WHERE m.slug_name = ? ORDER BY m.slug_name, m.oifm_id LIMIT ? OFFSET ?`,
    ),
    slugExactCount: prepPluck<[string], number>("SELECT count(*) FROM models WHERE slug_name = ?"),
    /** `?` is a LIKE pattern with `\` escaping. */
    slugLike: prepEntries<[string, number, number]>(
      `SELECT ${ENTRY_COLUMNS} FROM models AS m WHERE m.slug_name LIKE ? ESCAPE '\\' ORDER BY m.slug_name, m.oifm_id LIMIT ? OFFSET ?`,
    ),
    slugLikeCount: prepPluck<[string], number>("SELECT count(*) FROM models WHERE slug_name LIKE ? ESCAPE '\\'"),
    schemaVersion: prepPluck<[], number>("PRAGMA user_version"),
    pageBytes: prepPluck<[], number>("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"),

    // --- search ---
    /** ID, name and synonym matches, in that order (k); one model may appear more than once. */
    exact: [false, true].map((tags) =>
      prepEntries<[{ id: string; lower: string; tags?: string }]>(
        `SELECT ${ENTRY_COLUMNS} FROM (` +
          " SELECT 0 AS k, id FROM models WHERE oifm_id = @id" +
          " UNION ALL SELECT 1, id FROM models WHERE name_lower = @lower" +
          " UNION ALL SELECT 2, model_id FROM synonyms WHERE synonym_lower = @lower" +
          `) AS x JOIN models AS m ON m.id = x.id WHERE 1${tags ? tagFilter("m.id") : ""} ORDER BY x.k, m.name_lower`,
      ),
    ) as [Stmt<[{ id: string; lower: string }], EntryRow>, Stmt<[{ id: string; lower: string; tags: string }], EntryRow>],
    /** Full-text matches, best first. Weights: name 10, synonyms 8, description 3, tags 1, attribute names 0.5. */
    text: byKind((kind) =>
      prepEntries<[{ match: string; limit: number } & Partial<FilterParams>]>(
        // The best `limit` rows first, from the full-text index (and the tags) alone, ties in rowid
        // order; only then the entries' columns, for those rows only.
        `SELECT ${ENTRY_COLUMNS} FROM (${bestMatches(kind)}) AS best JOIN models AS m ON m.id = best.id ORDER BY best.score, best.id`,
      ),
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

export type { OrganizationRow, PersonRow } from "../rows.js";
