// The PostgreSQL schema of the index and how a database gets to it: a schema (namespace) of its own,
// created on first open, migrated step by step when older, refused when newer or when it holds
// somebody else's tables. The version lives in a one-row table, `fm_meta`, written in the same
// transaction as the DDL, so a schema is either untouched or complete. Creation and migration run
// under an advisory lock, so that two programs opening a new index at once do not both create it.
import type pg from "pg";
import { listed, needsSchema } from "../schema-check.js";
import { StoreError } from "../store.js";
import { errorCode } from "./errors.js";
import { MIGRATION_LOCK_CLASS, schemaLockKey } from "./locks.js";

/** The schema version this program reads and writes. */
export const SCHEMA_VERSION = 3;
/** What `fm_meta.application` holds in a findingmodel schema. */
export const APPLICATION = "findingmodel";

/** `name` as a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The text search configuration of the index in `schema`, as a regconfig literal for SQL. */
export function textConfig(schema: string): string {
  return `'${ident(schema).replaceAll("'", "''")}.fm_text'::regconfig`;
}

/** What the DDL depends on in the server: where the extensions are (their schemas, quoted), and whether it has lz4. */
interface ServerFeatures {
  pg_trgm: string;
  unaccent: string;
  /** TOAST compression with lz4 (PostgreSQL 14+, when built with it). */
  lz4: boolean;
}

/** Step `i` takes a schema from version i to version i + 1 (step 0 creates it). */
export const MIGRATIONS: ReadonlyArray<(schema: string, ext: ServerFeatures) => string> = [
  // 0 -> 1: the first schema.
  (schema, ext) => {
    const s = ident(schema);
    return `
    CREATE SCHEMA IF NOT EXISTS ${s};

    CREATE TABLE ${s}.fm_meta (
      singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      application text NOT NULL,
      version     integer NOT NULL
    );

    -- Full text: words are stemmed like SQLite's (the original Porter stemmer, no stop words, so
    -- "no" and "not" stay searchable), accents are removed from words that have them; numbers and
    -- other tokens are kept as they are.
    CREATE TEXT SEARCH DICTIONARY ${s}.fm_porter (TEMPLATE = snowball, Language = porter);
    CREATE TEXT SEARCH CONFIGURATION ${s}.fm_text (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION ${s}.fm_text ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH ${s}.fm_porter;
    ALTER TEXT SEARCH CONFIGURATION ${s}.fm_text ALTER MAPPING FOR word, hword, hword_part WITH ${ext.unaccent}.unaccent, ${s}.fm_porter;

    -- One row per model, with what an entry shows (JSON arrays: an entry is read from its row
    -- alone) and what lookups and search need: lower-cased names, synonyms and tags (JavaScript's
    -- toLowerCase, done by the writer), and the weighted full-text document. Text compared or
    -- sorted is COLLATE "C": byte order, the same as SQLite and the same on every server.
    -- The integer key of a model, drawn by the sync that writes it (in batch order: ties in search
    -- go to the model written first).
    CREATE SEQUENCE ${s}.model_ids;
    CREATE TABLE ${s}.models (
      id             bigint PRIMARY KEY DEFAULT nextval('${s}.model_ids'),
      oifm_id        text COLLATE "C" NOT NULL UNIQUE,
      name           text NOT NULL,
      name_lower     text COLLATE "C" NOT NULL UNIQUE,
      slug_name      text COLLATE "C" NOT NULL,
      filename       text COLLATE "C" NOT NULL UNIQUE,
      file_hash      text NOT NULL,
      file_size      bigint NOT NULL,
      file_mtime_ms  double precision NOT NULL,
      description    text NOT NULL,
      synonyms       json NOT NULL,
      tags           json NOT NULL,
      contributors   json NOT NULL,
      attributes     json NOT NULL,
      -- Each lower-cased synonym and tag once; tag_spellings[i] is the model's first spelling of tags_lower[i].
      synonyms_lower text[] COLLATE "C" NOT NULL,
      tags_lower     text[] COLLATE "C" NOT NULL,
      tag_spellings  text[] COLLATE "C" NOT NULL,
      -- A name, B synonyms, C description, D tags and attribute names.
      document       tsvector NOT NULL
    );
    ALTER SEQUENCE ${s}.model_ids OWNED BY ${s}.models.id;
    -- Slugs: exact and prefix matches (a "C" b-tree serves LIKE 'x%'), and anywhere (trigrams).
    CREATE INDEX models_slug_name ON ${s}.models (slug_name);
    CREATE INDEX models_slug_trgm ON ${s}.models USING gin (slug_name ${ext.pg_trgm}.gin_trgm_ops);
    CREATE INDEX models_synonyms ON ${s}.models USING gin (synonyms_lower);
    CREATE INDEX models_tags ON ${s}.models USING gin (tags_lower);
    CREATE INDEX models_document ON ${s}.models USING gin (document);

    -- The canonical JSON of each model, apart from its entry: entries are read far more often.
    -- Kilobytes each, so compressed; lz4 where the server has it: it writes them faster than pglz
    -- (docs/performance.md, "Figures behind the code").
    CREATE TABLE ${s}.model_json (
      id   bigint PRIMARY KEY REFERENCES ${s}.models (id) ON DELETE CASCADE,
      json text ${ext.lz4 ? "COMPRESSION lz4 " : ""}NOT NULL
    );

    -- Attribute IDs are unique across models: a table of their own, so the database enforces it.
    CREATE TABLE ${s}.attributes (
      oifma_id text COLLATE "C" PRIMARY KEY,
      model_id bigint NOT NULL REFERENCES ${s}.models (id) ON DELETE CASCADE,
      name     text NOT NULL,
      type     text NOT NULL
    );
    CREATE INDEX attributes_model_id ON ${s}.attributes (model_id);

    CREATE TABLE ${s}.people (
      github_username   text COLLATE "C" PRIMARY KEY,
      email             text NOT NULL,
      name              text NOT NULL,
      organization_code text NOT NULL,
      url               text
    );

    CREATE TABLE ${s}.organizations (
      code text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      url  text
    );
    `;
  },
  // 1 -> 2: the folder the index was last synced from (so a sync from another folder that would
  // remove most of it can ask first).
  (schema) => `ALTER TABLE ${ident(schema)}.fm_meta ADD COLUMN synced_from text;`,
  // 2 -> 3: a vector of each model per embeddings model (semantic search), with the hash of the
  // text it was made from; keyed by oifm_id (a sync rewrites changed models' rows; an unchanged
  // text keeps its vector). float32, little-endian.
  (schema) => `
    CREATE TABLE ${ident(schema)}.embeddings (
      model     text COLLATE "C" NOT NULL,
      oifm_id   text COLLATE "C" NOT NULL,
      text_hash text NOT NULL,
      vector    bytea NOT NULL,
      PRIMARY KEY (model, oifm_id)
    );`,
];

export interface SchemaState {
  /** Whether the schema (namespace) exists. */
  exists: boolean;
  /** Its tables and views. */
  tables: string[];
  /** From fm_meta, when there is one. */
  application?: string;
  version: number;
}

/** Look at `schema` without changing anything. */
export async function readSchemaState(client: pg.ClientBase, schema: string): Promise<SchemaState> {
  const { rows } = await client.query<{ exists: boolean; tables: string[] }>(
    `SELECT n.oid IS NOT NULL AS exists,
            coalesce((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class AS c
                      WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')), '{}') AS tables
       FROM (SELECT $1::name AS nspname) AS q LEFT JOIN pg_namespace AS n ON n.nspname = q.nspname`,
    [schema],
  );
  const state: SchemaState = { exists: rows[0]?.exists ?? false, tables: rows[0]?.tables ?? [], version: 0 };
  if (state.tables.includes("fm_meta")) {
    const meta = await client.query<{ application: string; version: number }>(`SELECT application, version FROM ${ident(schema)}.fm_meta`);
    const row = meta.rows[0];
    if (row) {
      state.application = row.application;
      state.version = row.version;
    }
  }
  return state;
}

/**
 * Whether the schema needs creating or migrating (true), is current (false), or cannot be used
 * (throws). `where` names it in messages.
 */
export function checkSchema(where: string, state: SchemaState): boolean {
  const found = { empty: state.tables.length === 0, ours: state.application === APPLICATION, version: state.version };
  return needsSchema(found, {
    where,
    foreign:
      `${where} holds tables of another program (${listed(state.tables)}), not a findingmodel index; findingmodel leaves them untouched: ` +
      "name another schema in the URL (?schema=findingmodel)",
    elsewhere: "name another schema in the URL",
  }, SCHEMA_VERSION);
}

/** Errors of a race with another program creating the same catalog objects: worth one more try. */
const RACE_CODES = new Set(["23505", "42710", "42P06", "42P07"]);

/**
 * Create or migrate the schema to SCHEMA_VERSION: all steps in one transaction, under the
 * migration lock of this schema; a program that waited for the lock finds the work done.
 */
export async function migrate(client: pg.ClientBase, schema: string, where: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [MIGRATION_LOCK_CLASS, schemaLockKey(schema)]);
      const state = await readSchemaState(client, schema);
      if (checkSchema(where, state)) {
        const ext = await serverFeatures(client);
        for (let v = state.version; v < SCHEMA_VERSION; v++) {
          const step = MIGRATIONS[v];
          if (step === undefined) throw new Error(`no migration from schema version ${v}`);
          await client.query(step(schema, ext));
        }
        await client.query(
          `INSERT INTO ${ident(schema)}.fm_meta (singleton, application, version) VALUES (true, $1, $2)
           ON CONFLICT (singleton) DO UPDATE SET version = excluded.version`,
          [APPLICATION, SCHEMA_VERSION],
        );
      }
      await client.query("COMMIT");
      return;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (attempt < 3 && RACE_CODES.has(errorCode(e) ?? "")) continue;
      throw e;
    }
  }
}

/** pg_trgm and unaccent, created (database-wide, in schema public) when missing; their schemas; lz4. */
async function serverFeatures(client: pg.ClientBase): Promise<ServerFeatures> {
  const wanted = ["pg_trgm", "unaccent"] as const;
  const found = async () =>
    new Map(
      (await client.query<{ extname: string; schema: string }>("SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = ANY($1)", [wanted])).rows.map(
        (r) => [r.extname, r.schema],
      ),
    );
  let have = await found();
  for (const name of wanted) {
    if (have.has(name)) continue;
    try {
      // Not in the index's own schema: dropping that schema must not take the extension (which
      // other indexes in the database may use) with it.
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${name} WITH SCHEMA public`);
    } catch (e) {
      const code = errorCode(e);
      if (code === "42501") {
        throw new StoreError("readonly", `the index needs the PostgreSQL extension ${name}, and this user may not create it; ask an administrator to run: CREATE EXTENSION ${name};`);
      }
      if (code === "58P01" || code === "0A000" || code === "42704") {
        throw new StoreError("other", `the index needs the PostgreSQL extension ${name}, which this server does not have; install the server's contrib package (postgresql-contrib)`);
      }
      throw e;
    }
  }
  have = await found();
  const schemaOf = (name: string): string => {
    const s = have.get(name);
    if (s === undefined) throw new StoreError("other", `the PostgreSQL extension ${name} is missing after creating it`);
    return s.startsWith('"') ? s : ident(s);
  };
  const lz4 = await client.query<{ lz4: boolean }>("SELECT coalesce((SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'), false) AS lz4");
  return { pg_trgm: schemaOf("pg_trgm"), unaccent: schemaOf("unaccent"), lz4: lz4.rows[0]?.lz4 ?? false };
}
