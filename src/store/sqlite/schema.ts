// The SQLite schema of the index and how a file gets to it: an empty file is created, an older
// version is migrated step by step, a newer one or somebody else's database is refused untouched.
//
// A findingmodel database is recognized by PRAGMA application_id (a number SQLite keeps in the
// file header for exactly this) and versioned by PRAGMA user_version. Both are written inside the
// same transaction as the DDL, so a file is either untouched or has the whole schema.
import type Database from "better-sqlite3";
import { listed, needsSchema } from "../schema-check.js";

/** "OIFM" in ASCII: marks a file as a findingmodel index. */
export const APPLICATION_ID = 0x4f49464d;

/**
 * Page size of a new file. Most of the bytes are model JSON (kilobytes each), and a full sync
 * writes all of them: with 64 KiB pages that is a sixteenth of the page writes (to the WAL, then
 * to the file) of the default 4 KiB, which brings a sync close to the same work in memory
 * (docs/performance.md, "Figures behind the code"). Searches read the same few pages either way.
 * Only a new, empty file takes it.
 */
export const PAGE_SIZE = 65536;

/** The schema version this program reads and writes. */
export const SCHEMA_VERSION = 3;

/** Step `i` takes a database from version i to version i + 1 (step 0 creates the schema). */
export const MIGRATIONS: readonly string[] = [
  // 0 -> 1: the first schema.
  `
  CREATE TABLE models (
    -- An explicit integer key: the full-text table is keyed by it, and only an INTEGER PRIMARY KEY
    -- keeps its value through VACUUM.
    id            INTEGER PRIMARY KEY,
    oifm_id       TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- model/names.ts nameKey (JavaScript toLowerCase()): SQLite's NOCASE folds ASCII only.
    name_lower    TEXT NOT NULL UNIQUE,
    slug_name     TEXT NOT NULL,
    filename      TEXT NOT NULL UNIQUE,
    file_hash     TEXT NOT NULL,
    file_size     INTEGER NOT NULL,
    file_mtime_ms REAL NOT NULL,
    description   TEXT NOT NULL,
    -- JSON arrays, so that an entry is returned from its row without joins.
    synonyms      TEXT NOT NULL,
    tags          TEXT NOT NULL,
    contributors  TEXT NOT NULL,
    attributes    TEXT NOT NULL
  );
  CREATE INDEX models_slug_name ON models (slug_name);

  -- The canonical JSON of each model, apart from its entry: a model is kilobytes of JSON, and in
  -- the same row it would push the entry's columns onto overflow pages that every search result
  -- and list page would then have to follow.
  CREATE TABLE model_json (
    id   INTEGER PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    json TEXT NOT NULL
  );

  -- The rows hanging off a model refer to it by its integer key: smaller and faster to compare
  -- than its oifm_id, and the full-text search (keyed the same way) can filter on them directly.
  CREATE TABLE attributes (
    oifma_id TEXT PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL
  );
  CREATE INDEX attributes_model_id ON attributes (model_id);

  CREATE TABLE synonyms (
    model_id      INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    synonym_lower TEXT NOT NULL,
    PRIMARY KEY (model_id, synonym_lower)
  ) WITHOUT ROWID;
  CREATE INDEX synonyms_synonym_lower ON synonyms (synonym_lower);

  -- The primary key is the index of the tag filter (does model X carry tag Y?); counting tags
  -- reads the whole table either way, so there is no second index to keep up on every write.
  CREATE TABLE tags (
    model_id  INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    tag_lower TEXT NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (model_id, tag_lower)
  ) WITHOUT ROWID;

  CREATE TABLE people (
    github_username   TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    name              TEXT NOT NULL,
    organization_code TEXT NOT NULL,
    url               TEXT
  );

  CREATE TABLE organizations (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url  TEXT
  );

  -- Full text of each model, rowid = models.id. A plain FTS5 table (it keeps its own copy of the
  -- text, a few hundred kB): rows are deleted by rowid alone, which an external-content table
  -- cannot do safely (it needs the exact old values, and a mismatch silently corrupts the index).
  CREATE VIRTUAL TABLE fts USING fts5 (
    name, synonyms, description, tags, attributes,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  `,
  // 1 -> 2: facts about the index as a whole, by name; "synced_from" is the folder it was last
  // synced from (so a sync from another folder that would remove most of it can ask first).
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2 -> 3: a vector of each model per embeddings model (semantic search), with the hash of the
  // text it was made from. Keyed by oifm_id, not the model's row: a sync rewrites the rows of
  // changed models, and a vector whose text did not change is kept.
  `
  CREATE TABLE embeddings (
    model     TEXT NOT NULL,
    oifm_id   TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    -- float32, little-endian.
    vector    BLOB NOT NULL,
    PRIMARY KEY (model, oifm_id)
  ) WITHOUT ROWID;
  `,
];

export interface SchemaState {
  applicationId: number;
  version: number;
  /** Names of the tables, views, indexes and triggers in the file. */
  objects: string[];
}

export function readSchemaState(db: Database.Database): SchemaState {
  // One read transaction: read one by one, another program's schema creation could commit between
  // the reads (no application ID yet, then its tables), which looks like another program's file.
  return db.transaction(() => {
    const applicationId = db.pragma("application_id", { simple: true }) as number;
    const version = db.pragma("user_version", { simple: true }) as number;
    const objects = (db.prepare("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[]);
    return { applicationId, version, objects };
  })();
}

/**
 * Whether the file needs the schema created or migrated (true), is current (false), or cannot be
 * used (throws). Reads only; changes nothing.
 */
export function checkSchema(file: string, state: SchemaState): boolean {
  const found = {
    empty: state.applicationId === 0 && state.version === 0 && state.objects.length === 0,
    ours: state.applicationId === APPLICATION_ID,
    version: state.version,
  };
  return needsSchema(found, {
    where: file,
    foreign:
      `${file} is a SQLite database of another program (it holds ${listed(state.objects) || "no tables"}), not a findingmodel index; ` +
      "findingmodel leaves it untouched: point --db at another file",
    elsewhere: "point --db at another file",
  }, SCHEMA_VERSION);
}

/**
 * Create or migrate the schema of `file` to SCHEMA_VERSION, all steps in one transaction. The
 * state is read again once the write lock is held: another program that opened the file at the
 * same time may have created or migrated it while this one waited (then there is nothing to do).
 */
export function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    const state = readSchemaState(db);
    if (!checkSchema(file, state)) return;
    for (let v = state.version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v];
      if (step === undefined) throw new Error(`no migration from schema version ${v}`);
      db.exec(step);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
