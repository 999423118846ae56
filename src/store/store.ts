// What the index needs from a database. One implementation per engine (sqlite/, postgres/); SQL
// lives in those folders and nowhere else. Every method is async so that a server engine fits
// the same shape; the embedded engine answers synchronously inside.
//
// Names: `oifm_id`, `oifma_id` as in model files; everything else camelCase.

import { CodedError, type ErrorCode } from "../model/errors.js";
import type { Organization, Person } from "../model/types.js";

/** A contributor as an index entry lists it: a person by GitHub user name, an organization by code. */
export interface ContributorRef {
  kind: "person" | "organization";
  /** github_username of a person, code of an organization. */
  key: string;
  name: string;
}

export interface AttributeRef {
  oifma_id: string;
  name: string;
  type: "choice" | "numeric";
}

/** One model as the index keeps it (everything but the whole model JSON). */
export interface IndexEntry {
  oifm_id: string;
  name: string;
  /** slugOf(name): the registry's file-name form of the name. */
  slugName: string;
  /** Path of the model file relative to the synced folder, with "/" separators. */
  filename: string;
  /** sha256 of the file's bytes, hex. */
  fileHash: string;
  fileSize: number;
  fileMtimeMs: number;
  description: string;
  synonyms: string[];
  tags: string[];
  contributors: ContributorRef[];
  attributes: AttributeRef[];
}

/** An entry to write: the entry and the model as JSON (toCompactJson: keys in canonical order, numbers as read; what getFull returns, parsed). */
export interface EntryRecord extends IndexEntry {
  modelJson: string;
}

/** What change detection needs to know about each indexed file. */
export interface FileState {
  filename: string;
  oifm_id: string;
  fileHash: string;
  fileSize: number;
  fileMtimeMs: number;
}

/**
 * What a batch of models can clash with, by the batch's own keys: the index's models that hold one
 * of its IDs, names or synonyms (as names or synonyms) or attribute IDs; and for each contributor
 * it names, its details and one model that names it too, other than those of the files the batch
 * writes or removes (so the checks know whether the index still names it).
 */
export interface SnapshotScope {
  oifmIds: string[];
  /** Names and synonyms, lower-cased. */
  terms: string[];
  attributeIds: string[];
  /** Files the batch writes or removes. */
  filenames: string[];
  /** GitHub user names of people, and codes of organizations. */
  people: string[];
  organizations: string[];
}

/** Everything the cross-file checks of a sync need, in one bulk read. */
export interface ValidationSnapshot {
  models: Array<{ oifm_id: string; name: string; filename: string; synonyms: string[]; attributeIds: string[]; contributors: ContributorRef[] }>;
  people: Person[];
  organizations: Organization[];
}

/** One sync's writes, applied in one transaction: all or nothing. */
export interface SyncChanges {
  /** New or changed models (matched on oifm_id; a model whose file was renamed keeps its ID). */
  upserts: EntryRecord[];
  /** oifm_ids of models to remove. */
  deletes: string[];
  /** Contributors to insert or update. */
  people: Person[];
  organizations: Organization[];
  /** File states to refresh without rewriting the entry (content unchanged, mtime moved). */
  touched?: Array<Pick<FileState, "oifm_id" | "fileSize" | "fileMtimeMs">>;
  /** The folder (absolute path) this change syncs the index from, recorded with it (see Store.syncedFrom). */
  syncedFrom?: string;
  /**
   * statesFingerprint of the file states this change was planned from. Once the write lock is held,
   * the engine compares it with the index's states and, if another sync wrote in between (the plan
   * is stale: applied, it would leave a mix of both syncs), applies nothing and throws a StoreError
   * "changed" (changedError).
   */
  basis?: string;
}

/**
 * One change given in parts, each worked out as it is taken: a sync of many new models writes
 * each part as soon as its files are checked instead of holding them all. The parts are applied in
 * order, in one transaction; an error thrown while taking one rolls the whole change back.
 */
export interface ChangeParts {
  /** Each applied as a change of its own would be (its removals, then its inserts). */
  parts: Iterable<SyncChanges>;
  /** How many models the parts write or remove, at most (a server engine sizes its time limits by it). */
  models: number;
  /**
   * The parts are for an empty index (a first sync): nothing is removed to make room for their
   * models. If the index holds a model once the transaction has begun (another sync filled it
   * since this one looked), nothing is applied and a StoreError "changed" is thrown.
   */
  allNew?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export type SlugMatch = "exact" | "prefix" | "contains";

export interface TextSearchOptions {
  limit: number;
  /** Only entries that carry every one of these tags (case-insensitive). */
  tags?: string[];
  /** Leave these models out (already found by exact match). */
  exclude?: string[];
  /** textSearch: only entries with every term, no any-term fill (a second look that only needs the best match). */
  everyTerm?: boolean;
}

/** A model's vector as the index keeps it (see index/embeddings/embed-index.ts). */
export interface StoredVector {
  oifm_id: string;
  /** Hash of the text the vector was made from: a vector whose model's text changed is not used. */
  textHash: string;
  vector: Float32Array;
}

export interface StoreStats {
  engine: "sqlite" | "postgres";
  schemaVersion: number;
  /** Database size in bytes (file size for SQLite). */
  sizeBytes: number;
  /** Where it is: file path or connection target (no password). */
  location: string;
}

/**
 * What the index check (index/check-index.ts) reads, in one read transaction: the engine's own
 * findings about its storage, and every model's entry and stored JSON with the contributors, for the
 * checks every engine shares.
 */
export interface IntegrityRead {
  /**
   * What is wrong below the entries, each in a sentence: the database's own checks (SQLite
   * integrity_check, foreign keys, FTS5 integrity-check; PostgreSQL amcheck where installed), rows
   * derived from a model row (full text, attributes, synonyms, tags) that disagree with it, and rows
   * that belong to no model.
   */
  problems: string[];
  /** Checks the engine could not run here, and why (not a fault of the index). */
  skipped: string[];
  models: Array<{ entry: IndexEntry; json: string | undefined }>;
  people: Person[];
  organizations: Organization[];
}

export interface Store {
  readonly engine: "sqlite" | "postgres";
  /**
   * Models a part of ChangeParts should hold: few where a part costs nothing but memory (models
   * held across garbage collections are kept longer), more where each part costs round trips.
   */
  readonly modelsPerPart: number;
  /**
   * How another thread opens this same index, to sync it there while this connection keeps
   * answering reads (index/sync-on-thread.ts): SQLite's file and busy timeout, or PostgreSQL's URL
   * and pool options. Absent where it cannot (an in-memory or read-only index, a store tuned for
   * measuring).
   */
  readonly openElsewhere?: OpenElsewhere;

  // --- sync ---
  fileStates(): Promise<FileState[]>;
  /**
   * What the cross-file checks need, in one read: of the whole index, or (with `scope`) only of
   * what a batch can clash with, which is what a sync of a few files reads.
   */
  validationSnapshot(scope?: SnapshotScope): Promise<ValidationSnapshot>;
  /** Apply all changes in one transaction; on any error nothing changes and the error is thrown. */
  apply(changes: SyncChanges | ChangeParts): Promise<void>;
  /**
   * The folder the index was last synced from (the last change that recorded one, see
   * SyncChanges.syncedFrom); undefined when none did (an index written before it was recorded).
   */
  syncedFrom(): Promise<string | undefined>;

  // --- lookups ---
  /** By oifm_id (exact), or name or synonym (case-insensitive). */
  getEntry(idOrNameOrSynonym: string): Promise<IndexEntry | undefined>;
  getEntries(oifmIds: readonly string[]): Promise<IndexEntry[]>;
  /** The model's JSON, as written by sync (compact; an index written before may hold it indented). */
  getModelJson(oifmId: string): Promise<string | undefined>;
  /** The JSON of many models in one query; missing IDs are absent from the map. */
  getModelJsonBatch(oifmIds: readonly string[]): Promise<Map<string, string>>;
  count(): Promise<number>;
  countPeople(): Promise<number>;
  countOrganizations(): Promise<number>;
  getPerson(githubUsername: string): Promise<Person | undefined>;
  getOrganization(code: string): Promise<Organization | undefined>;
  /** Every person, by GitHub user name ignoring case (ASCII letters). */
  people(): Promise<Person[]>;
  /** Every organization, by code ignoring case. */
  organizations(): Promise<Organization[]>;
  /** Entries ordered by name (case-insensitive). */
  list(limit: number, offset: number): Promise<Page<IndexEntry>>;
  /** Every entry, ordered by filename (for exports). */
  allEntries(): Promise<IndexEntry[]>;
  /** Tags with the number of models carrying each, most used first, then by tag. */
  tags(): Promise<Array<{ tag: string; count: number }>>;
  /** Entries whose slugName matches `slug` exactly, as a prefix or anywhere; ordered by slugName. */
  searchBySlug(slug: string, match: SlugMatch, limit: number, offset: number): Promise<Page<IndexEntry>>;

  // --- search ---
  /** Entries whose ID equals `query`, or whose name or a synonym equals it case-insensitively. */
  exactMatches(query: string, options: TextSearchOptions): Promise<IndexEntry[]>;
  /** exactMatches of many queries in one call (one statement on a server), in the order given. */
  exactMatchesMany(queries: readonly string[], options: TextSearchOptions): Promise<IndexEntry[][]>;
  /**
   * Full-text search for entries containing all of `terms` (already lower-cased words without
   * punctuation; the engine stems them), ranked best first; then, if that leaves room and there is
   * more than one term, entries with any term in the name, synonyms or description. Fields weigh
   * name first, then synonyms, description, and tags and attribute names least (each engine's
   * weights.ts).
   */
  textSearch(terms: readonly string[], options: TextSearchOptions): Promise<IndexEntry[]>;
  /** Many text searches in one call, cheaper than calling textSearch for each. */
  textSearchMany(queries: ReadonlyArray<readonly string[]>, options: TextSearchOptions): Promise<IndexEntry[][]>;

  // --- vectors (semantic search) ---
  /** The vectors made by the embeddings model `model` of the models the index holds. */
  embeddings(model: string): Promise<StoredVector[]>;
  /** Store vectors made by `model`, replacing those it made for the same models before; one transaction. */
  putEmbeddings(model: string, vectors: readonly StoredVector[]): Promise<void>;
  /** Remove the vectors of other embeddings models and of models no longer indexed; returns how many. */
  pruneEmbeddings(model: string): Promise<number>;

  stats(): Promise<StoreStats>;
  /** Everything the index check needs, read at one moment (see IntegrityRead). */
  readIntegrity(): Promise<IntegrityRead>;
  close(): Promise<void>;

  // --- freshness ---
  /**
   * A value that changes whenever a change to the index is committed by another connection (another
   * process included): a reader that caches answers compares it with the last one it saw, and drops
   * its cache when it differs. It may also change on this connection's own commits. Cheap (SQLite:
   * no I/O; PostgreSQL: one round trip), but not free: look at most every `changeMarkEveryMs`.
   */
  changeMark(): Promise<string>;
  /** How long a reader may go without looking at changeMark: the bound on how stale a cached answer gets. */
  readonly changeMarkEveryMs: number;

  /**
   * Statements sent to a database server so far (each one network round trip), for engines that
   * talk to one; a sync reports how many it took. Optional: an embedded engine has no round trips
   * to count, and leaves it out.
   */
  roundTrips?(): number;
}

/** How another thread opens the same index (Store.openElsewhere): plain data, to cross to it. */
export type OpenElsewhere =
  | { sqlite: string; busyTimeoutMs: number; writerThread: boolean }
  | { postgres: string; poolOptions: { schema?: string; poolMax?: number; poolMin?: number; idleTimeoutMs?: number; connectTimeoutMs?: number; statementTimeoutMs?: number } };

/** The codes of database problems (each defined in the error registry, model/errors.ts). */
export type StoreErrorCode = Extract<ErrorCode, "building" | "locked" | "readonly" | "corrupt" | "too-new" | "unreachable" | "auth" | "timeout" | "constraint" | "changed" | "other">;

/** A database problem in words a user can act on; `code` for programs. */
export class StoreError extends CodedError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string) {
    super(code, message);
  }
}

/** Whether `changes` are parts for an empty index (ChangeParts.allNew). */
export function isAllNew(changes: SyncChanges | ChangeParts): changes is ChangeParts {
  return "parts" in changes && changes.allNew === true;
}

/** The parts of a change, one when it is given whole. */
export function partsOf(changes: SyncChanges | ChangeParts): Iterable<SyncChanges> {
  return "parts" in changes ? changes.parts : [changes];
}

/**
 * The models a change removes before it inserts: those it deletes and, unless they are all new
 * (`allNew`: a first sync), every one it writes, so that its rows are written whole.
 */
export function removedIds(changes: SyncChanges, allNew: boolean): string[] {
  return allNew ? changes.deletes : [...changes.deletes, ...changes.upserts.map((r) => r.oifm_id)];
}

/** The StoreError of a change whose SyncChanges.basis is not the index's file states any more. */
export function changedError(location: string): StoreError {
  return new StoreError("changed", `the index at ${location} changed during this sync (another sync wrote to it after this one read it); nothing was written: run it again`);
}

/** The StoreError of ChangeParts.allNew given to an index that holds models. */
export function notEmptyError(location: string): StoreError {
  return new StoreError("changed", `the index at ${location} was filled by another sync while this one started; nothing was written: run it again`);
}
