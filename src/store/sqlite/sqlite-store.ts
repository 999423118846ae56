// The Store on one SQLite file (better-sqlite3). better-sqlite3 is synchronous; the methods are
// async only to fit the Store shape, and each answers in one go inside.
import { nameKey } from "../../model/names.js";
import { tagKey } from "../../model/tags.js";
import { statSync } from "node:fs";
import { toOrganization, toPerson } from "../rows.js";
import Database from "better-sqlite3";
import type { Organization, Person } from "../../model/types.js";
import type {
  FileState,
  IndexEntry,
  Page,
  SlugMatch,
  SnapshotScope,
  Store,
  StoreStats,
  StoredVector,
  SyncChanges,
  ChangeParts,
  TextSearchOptions,
  ValidationSnapshot,
  IntegrityRead,
} from "../store.js";
import { isAllNew, StoreError } from "../store.js";
import { makeApply, type WriteMode } from "./apply.js";
import { writeOnThread, writerThreadPays } from "./write-on-thread.js";
import { buildingError, onRollbackJournal, toStoreError, type ErrorContext } from "./errors.js";
import { readIntegrity } from "./integrity.js";
import { matchExpression, textColumns, usableTerms } from "./fts-query.js";
import { SqliteEmbeddings } from "./embeddings.js";
import { filterKind, prepareStatements, type EntryRow, type SnapshotRow, type Statements } from "./statements.js";

export interface SqliteStoreContext extends ErrorContext {
  /** Absolute path of the file, or ":memory:". */
  location: string;
}

export class SqliteStore implements Store {
  readonly engine = "sqlite" as const;
  /**
   * A part costs one statement call per table here, so parts are small: larger parts live long
   * enough to be promoted to V8's old generation and stay there as garbage; parts of 100 die
   * young, in the same time (docs/performance.md, "Memory").
   */
  readonly modelsPerPart = 100;
  private readonly s: Statements;
  private readonly vectors: SqliteEmbeddings;
  private readonly write: (changes: SyncChanges | ChangeParts) => void;
  /** A new file still on its rollback journal, to turn to WAL after its first write (see open.ts). */
  private walPending: boolean;
  /** Whether a first sync may write on a thread of its own (open.ts decides; see write-on-thread.ts). */
  private readonly writerThread: boolean;
  readonly openElsewhere: Store["openElsewhere"];

  /**
   * The file is still on its rollback journal: it has not been through its first sync (see
   * open.ts). While one writes it, readers cannot read it at all; so on this connection nothing
   * waits for a lock but a write: a read finds the file locked at once and says the index is being
   * built (StoreError "building"), instead of stalling for the busy timeout.
   */
  private rollbackJournal: boolean;

  constructor(
    private readonly db: Database.Database,
    private readonly ctx: SqliteStoreContext,
    options: { writeMode?: WriteMode; walPending?: boolean; writerThread?: boolean; rollbackJournal?: boolean; openElsewhere?: boolean } = {},
  ) {
    if (options.openElsewhere) this.openElsewhere = { sqlite: ctx.location, busyTimeoutMs: ctx.busyTimeoutMs, writerThread: options.writerThread ?? false };
    this.s = prepareStatements(db);
    this.vectors = new SqliteEmbeddings(db);
    // Once a write holds the lock, it waits for readers as usual (see withoutWaiting).
    this.write = makeApply(db, this.s, ctx.location, options.writeMode ?? "batched", () => this.waitForReaders && this.db.pragma(`busy_timeout = ${this.ctx.busyTimeoutMs}`));
    this.walPending = options.walPending ?? false;
    this.writerThread = options.writerThread ?? false;
    this.rollbackJournal = false;
    if (options.rollbackJournal) this.setRollbackJournal(true);
  }

  /** Whether reads wait for locks (WAL: seldom needed, and short) or fail at once (rollback journal). */
  private setRollbackJournal(on: boolean): void {
    if (this.rollbackJournal === on) return;
    this.rollbackJournal = on;
    this.db.pragma(`busy_timeout = ${on ? 0 : this.ctx.busyTimeoutMs}`);
  }

  /** `write`, waiting for the write lock as long as the busy timeout allows (as every write does). */
  private waitingForLocks<T>(write: () => T): T {
    if (!this.rollbackJournal) return write();
    this.db.pragma(`busy_timeout = ${this.ctx.busyTimeoutMs}`);
    try {
      return write();
    } finally {
      if (this.rollbackJournal) this.db.pragma("busy_timeout = 0");
    }
  }

  /** Set while withoutWaiting runs a write: once it holds the lock, it waits for readers. */
  private waitForReaders = false;

  /**
   * `write`, failing at once (SQLITE_BUSY) when another connection holds the write lock; once it
   * holds it, waiting as usual for readers (a reader's lock, before the page cache spills).
   */
  private withoutWaiting<T>(write: () => T): T {
    this.db.pragma("busy_timeout = 0");
    this.waitForReaders = true;
    try {
      return write();
    } finally {
      this.waitForReaders = false;
      this.db.pragma(`busy_timeout = ${this.rollbackJournal ? 0 : this.ctx.busyTimeoutMs}`);
    }
  }

  /**
   * `e` as a StoreError. A lock found on a file still on its rollback journal is a first sync at
   * work ("building"), even if it has just finished and turned the file to WAL (from then on,
   * reads wait for locks as usual, see run).
   */
  private storeError(e: unknown): unknown {
    if (this.rollbackJournal && e instanceof Database.SqliteError && e.code.startsWith("SQLITE_BUSY")) {
      if (!onRollbackJournal(this.ctx.location)) this.setRollbackJournal(false);
      return buildingError(this.ctx.file);
    }
    return toStoreError(e, this.ctx);
  }

  /** WAL from now on: readers then never wait for a writer. */
  private enterWal(): void {
    if (!this.walPending) return;
    this.walPending = false;
    try {
      this.db.pragma("journal_mode = WAL");
      this.setRollbackJournal(false);
    } catch {
      // Another connection has the file open: the next one to open it for writing turns it to WAL.
    }
  }

  /** Run `fn`, turning SQLite's errors into StoreErrors. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      const wasRollbackJournal = this.rollbackJournal;
      const error = this.storeError(e);
      // The file turned to WAL since this connection looked: once more, waiting as usual.
      if (wasRollbackJournal && !this.rollbackJournal) {
        try {
          return Promise.resolve(fn());
        } catch (again) {
          return Promise.reject(toStoreError(again, this.ctx));
        }
      }
      return Promise.reject(error);
    }
  }

  // --- sync ---

  fileStates(): Promise<FileState[]> {
    return this.run(() =>
      this.s.fileStates.all().map((r) => ({ filename: r.filename, oifm_id: r.oifm_id, fileHash: r.file_hash, fileSize: r.file_size, fileMtimeMs: r.file_mtime_ms })),
    );
  }

  syncedFrom(): Promise<string | undefined> {
    return this.run(() => this.s.syncedFrom.get());
  }

  validationSnapshot(scope?: SnapshotScope): Promise<ValidationSnapshot> {
    // One read transaction, so that the reads see the same moment.
    return this.run(this.db.transaction(() => (scope ? this.scopedSnapshot(scope) : this.wholeSnapshot())));
  }

  private wholeSnapshot(): ValidationSnapshot {
    return {
      models: this.s.snapshotModels.all().map(snapshotModel),
      people: this.s.people.all().map(toPerson),
      organizations: this.s.organizations.all().map(toOrganization),
    };
  }

  private scopedSnapshot(scope: SnapshotScope): ValidationSnapshot {
    const json = JSON.stringify;
    const contributors = json([...scope.people.map((k) => ["person", k]), ...scope.organizations.map((k) => ["organization", k])]);
    const rows = this.s.snapshotScoped.all({ ids: json(scope.oifmIds), terms: json(scope.terms), attributeIds: json(scope.attributeIds), files: json(scope.filenames), contributors });
    return {
      models: rows.map(snapshotModel),
      people: this.s.peopleByKeys.all(json(scope.people)).map(toPerson),
      organizations: this.s.organizationsByKeys.all(json(scope.organizations)).map(toOrganization),
    };
  }

  /** SQLite's data_version: it changes when another connection commits; reading it does no I/O. */
  changeMark(): Promise<string> {
    return this.run(() => String(this.s.dataVersion.get()));
  }

  /** Looking costs microseconds; a few milliseconds keeps it out of every request. */
  readonly changeMarkEveryMs = 5;

  apply(changes: SyncChanges | ChangeParts): Promise<void> {
    // A first sync (all new models) does not wait for another writer: one that holds the lock is
    // another sync filling the same index, which may take minutes. It fails at once with
    // "building", and the sync waits for the other without holding the event loop, then plans
    // afresh (see syncFiles).
    if (isAllNew(changes)) {
      const busyIsBuilding = (e: unknown) => (e instanceof Database.SqliteError && e.code.startsWith("SQLITE_BUSY") ? buildingError(this.ctx.file) : this.storeError(e));
      if (this.writerThread && writerThreadPays(changes.models)) {
        return writeOnThread(changes, this.ctx.location, this.ctx.busyTimeoutMs, false).then(
          () => this.enterWal(),
          (e: unknown) => {
            throw busyIsBuilding(e);
          },
        );
      }
      try {
        this.withoutWaiting(() => this.write(changes));
        this.enterWal();
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(busyIsBuilding(e));
      }
    }
    return this.run(() => {
      this.waitingForLocks(() => this.write(changes));
      this.enterWal();
    });
  }

  // --- lookups ---

  getEntry(idOrNameOrSynonym: string): Promise<IndexEntry | undefined> {
    return this.run(() => {
      const row = this.s.exact[0].get({ id: idOrNameOrSynonym, lower: nameKey(idOrNameOrSynonym) });
      return row && toEntry(row);
    });
  }

  getEntries(oifmIds: readonly string[]): Promise<IndexEntry[]> {
    return this.run(() => {
      if (oifmIds.length === 0) return [];
      const byId = new Map(this.s.entriesByIds.all(JSON.stringify(oifmIds)).map((r) => [r[0], r]));
      // In the order asked for, each once.
      const out: IndexEntry[] = [];
      for (const id of new Set(oifmIds)) {
        const row = byId.get(id);
        if (row) out.push(toEntry(row));
      }
      return out;
    });
  }

  getModelJson(oifmId: string): Promise<string | undefined> {
    return this.run(() => this.s.modelJson.get(oifmId));
  }

  getModelJsonBatch(oifmIds: readonly string[]): Promise<Map<string, string>> {
    return this.run(() => {
      if (oifmIds.length === 0) return new Map<string, string>();
      return new Map(this.s.modelJsonBatch.all(JSON.stringify(oifmIds)).map((r) => [r.oifm_id, r.json]));
    });
  }

  count(): Promise<number> {
    return this.run(() => this.s.count.get() ?? 0);
  }

  countPeople(): Promise<number> {
    return this.run(() => this.s.countPeople.get() ?? 0);
  }

  countOrganizations(): Promise<number> {
    return this.run(() => this.s.countOrganizations.get() ?? 0);
  }

  getPerson(githubUsername: string): Promise<Person | undefined> {
    return this.run(() => {
      const row = this.s.person.get(githubUsername);
      return row && toPerson(row);
    });
  }

  getOrganization(code: string): Promise<Organization | undefined> {
    return this.run(() => {
      const row = this.s.organization.get(code);
      return row && toOrganization(row);
    });
  }

  people(): Promise<Person[]> {
    return this.run(() => this.s.people.all().map(toPerson));
  }

  organizations(): Promise<Organization[]> {
    return this.run(() => this.s.organizations.all().map(toOrganization));
  }

  list(limit: number, offset: number): Promise<Page<IndexEntry>> {
    return this.run(() => ({ items: this.s.list.all(limit, offset).map(toEntry), total: this.s.count.get() ?? 0 }));
  }

  allEntries(): Promise<IndexEntry[]> {
    return this.run(() => this.s.allEntries.all().map(toEntry));
  }

  tags(): Promise<Array<{ tag: string; count: number }>> {
    return this.run(() => this.s.tags.all());
  }

  searchBySlug(slug: string, match: SlugMatch, limit: number, offset: number): Promise<Page<IndexEntry>> {
    return this.run(() => {
      // Slugs are lower-case ASCII; SQLite's LIKE folds ASCII case, so "=" must see the same.
      const lower = slug.toLowerCase();
      if (match === "exact") {
        return { items: this.s.slugExact.all(lower, limit, offset).map(toEntry), total: this.s.slugExactCount.get(lower) ?? 0 };
      }
      // LIKE reads its pattern only up to a NUL ("%\0%" would match every slug); no slug holds one.
      if (lower.includes("\0")) return { items: [], total: 0 };
      const escaped = lower.replace(/[\\%_]/g, (c) => "\\" + c);
      const pattern = match === "prefix" ? `${escaped}%` : `%${escaped}%`;
      return { items: this.s.slugLike.all(pattern, limit, offset).map(toEntry), total: this.s.slugLikeCount.get(pattern) ?? 0 };
    });
  }

  // --- search ---

  exactMatches(query: string, options: TextSearchOptions): Promise<IndexEntry[]> {
    return this.run(() => this.exact(query, options));
  }

  exactMatchesMany(queries: readonly string[], options: TextSearchOptions): Promise<IndexEntry[][]> {
    // One read transaction for them all, as textSearchMany.
    return this.run(this.db.transaction(() => queries.map((q) => this.exact(q, options))));
  }

  private exact(query: string, options: TextSearchOptions): IndexEntry[] {
    const tags = tagsParam(options);
    const key = { id: query, lower: nameKey(query) };
    const rows = tags === undefined ? this.s.exact[0].all(key) : this.s.exact[1].all({ ...key, tags });
    // Each model once, at its best place; the excluded ones not at all.
    const seen = new Set<string>(options.exclude);
    const out: IndexEntry[] = [];
    for (const row of rows) {
      if (out.length >= options.limit) break;
      if (seen.has(row[0])) continue;
      seen.add(row[0]);
      out.push(toEntry(row));
    }
    return out;
  }

  textSearch(terms: readonly string[], options: TextSearchOptions): Promise<IndexEntry[]> {
    return this.run(() => this.search(terms, options));
  }

  textSearchMany(queries: ReadonlyArray<readonly string[]>, options: TextSearchOptions): Promise<IndexEntry[][]> {
    // One read transaction for them all: one snapshot of the index, taken once.
    return this.run(this.db.transaction(() => queries.map((terms) => this.search(terms, options))));
  }

  /**
   * All terms first, best first; then, if that leaves room, entries with any term in the name,
   * synonyms or description (not tags or attribute names: nearly every model has the attributes
   * "presence" and "change from prior", so a fill over them matched every model, slowly).
   */
  private search(rawTerms: readonly string[], options: TextSearchOptions): IndexEntry[] {
    const terms = usableTerms(rawTerms);
    if (terms.length === 0 || options.limit <= 0) return [];
    const tags = tagsParam(options);
    const excluded = options.exclude ?? [];
    // A long exclusion list goes to SQL; a short one is skipped over here.
    const sqlExclude = excluded.length > JS_EXCLUDE_MAX ? JSON.stringify(excluded) : undefined;
    const skip = new Set(sqlExclude === undefined ? excluded : []);
    const rows = this.ranked(matchExpression(terms, "AND"), options.limit, tags, sqlExclude, skip);
    if (rows.length < options.limit && terms.length > 1 && !options.everyTerm) {
      for (const r of rows) skip.add(r[0]);
      rows.push(...this.ranked(textColumns(matchExpression(terms, "OR")), options.limit - rows.length, tags, sqlExclude, skip));
    }
    return rows.map(toEntry);
  }

  /** The best `limit` matches of `match` that are not in `skip`. */
  private ranked(match: string, limit: number, tags: string | undefined, exclude: string | undefined, skip: ReadonlySet<string>): EntryRow[] {
    const params = { match, limit: limit + skip.size, ...(tags === undefined ? {} : { tags }), ...(exclude === undefined ? {} : { exclude }) };
    const rows = this.s.text[filterKind(tags !== undefined, exclude !== undefined)].all(params);
    if (skip.size === 0) return rows;
    const out: EntryRow[] = [];
    for (const r of rows) {
      if (skip.has(r[0])) continue;
      out.push(r);
      if (out.length === limit) break;
    }
    return out;
  }

  // --- vectors ---

  embeddings(model: string): Promise<StoredVector[]> {
    return this.run(() => this.vectors.all(model));
  }

  putEmbeddings(model: string, vectors: readonly StoredVector[]): Promise<void> {
    return this.run(() => this.vectors.putAll(model, vectors));
  }

  pruneEmbeddings(model: string): Promise<number> {
    return this.run(() => this.vectors.pruned(model));
  }

  stats(): Promise<StoreStats> {
    return this.run(() => ({
      engine: "sqlite" as const,
      schemaVersion: this.s.schemaVersion.get() ?? 0,
      sizeBytes: this.ctx.location === ":memory:" ? (this.s.pageBytes.get() ?? 0) : fileSize(this.ctx.location) + fileSize(this.ctx.location + "-wal"),
      location: this.ctx.location,
    }));
  }

  readIntegrity(): Promise<IntegrityRead> {
    return this.run(() => readIntegrity(this.db, this.ctx.location, this.ctx.busyTimeoutMs));
  }

  close(): Promise<void> {
    return this.run(() => {
      if (!this.db.open) return;
      this.enterWal();
      this.db.close();
    });
  }
}

function snapshotModel(r: SnapshotRow): ValidationSnapshot["models"][number] {
  return {
    oifm_id: r.oifm_id,
    name: r.name,
    filename: r.filename,
    synonyms: JSON.parse(r.synonyms) as string[],
    attributeIds: (JSON.parse(r.attributes) as Array<{ oifma_id: string }>).map((a) => a.oifma_id),
    contributors: JSON.parse(r.contributors) as IndexEntry["contributors"],
  };
}

/** Exclusion lists up to this long are applied in JavaScript, longer ones in SQL. */
const JS_EXCLUDE_MAX = 50;

/** The tags filter as a statement parameter: a JSON array of lower-cased tags, or none. */
function tagsParam(options: TextSearchOptions): string | undefined {
  return options.tags && options.tags.length > 0 ? JSON.stringify(options.tags.map(tagKey)) : undefined;
}

function toEntry(r: EntryRow): IndexEntry {
  const entry = {
    oifm_id: r[0],
    name: r[1],
    slugName: r[2],
    filename: r[3],
    fileHash: r[4],
    fileSize: r[5],
    fileMtimeMs: r[6],
    description: r[7],
    synonyms: JSON.parse(r[8]) as IndexEntry["synonyms"],
    tags: JSON.parse(r[9]) as IndexEntry["tags"],
  };
  defineLazyJson(entry, "contributors", r[10]);
  defineLazyJson(entry, "attributes", r[11]);
  return entry as IndexEntry;
}

/**
 * `target[key] = JSON.parse(text)`, parsed when first read: a search reads a dozen entries or more
 * and most callers look at few of their attributes (the largest column, with every value's index
 * codes), so parsing them all was a third of a search's time. An ordinary enumerable property once
 * read or set; JSON, spreading and comparison read it, and so see the parsed value.
 */
function defineLazyJson(target: object, key: string, text: string): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value: unknown = JSON.parse(text);
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
    set(value: unknown) {
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    },
  });
}



function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
