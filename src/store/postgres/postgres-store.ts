// The Store on a PostgreSQL server (pg, with a Pool shared by every store on the same URL).
//
// Every method is one round trip (one statement, or several sent together), except apply (at most
// five for up to 1,000 models, one more per 1,000 more, one less for a first sync; see apply.ts). `roundTrips()` counts them, so a sync can
// report how many it took. Reads that fail because the connection was lost (the server restarted,
// an administrator ended it) are retried on a fresh connection; writes are not: a lost write was
// rolled back by the server, and is reported.
import { nameKey } from "../../model/names.js";
import { tagKey } from "../../model/tags.js";
import { createHash } from "node:crypto";
import { entryOf, RemovedContributors, statesFingerprint, toOrganization, toPerson } from "../rows.js";
import type pg from "pg";
import type { Organization, Person } from "../../model/types.js";
import type { ChangeParts, FileState, IndexEntry, IntegrityRead, OpenElsewhere, Page, SlugMatch, SnapshotScope, Store, StoreStats, StoredVector, SyncChanges, TextSearchOptions, ValidationSnapshot } from "../store.js";
import { changedError, isAllNew, notEmptyError, partsOf, StoreError } from "../store.js";
import { beginAndLock, describeClash, MODELS_PER_INSERT, writeChanges, type PostgresWriteMode } from "./apply.js";
import type { PostgresConfig } from "./config.js";
import { errorCode, isConnectionLost, toStoreError } from "./errors.js";
import { schemaLockKey } from "./locks.js";
import { holdClient, releasePool } from "./pool.js";
import { readIntegrity } from "./integrity.js";
import { searchQueries, type SearchQueries } from "./search.js";
import { embeddingStatements, type EmbeddingStatements } from "./embeddings.js";
import { bytesToVector, vectorToBytes } from "../vector-bytes.js";
import { statements, type EntryRow, type OrganizationRow, type PersonRow, type Statements } from "./statements.js";

export class PostgresStore implements Store {
  readonly engine = "postgres" as const;
  /** Each part is an insert statement, one round trip. */
  readonly modelsPerPart = MODELS_PER_INSERT;
  private readonly s: Statements;
  private readonly e: EmbeddingStatements;
  private trips = 0;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: PostgresConfig,
    private readonly readonly: boolean,
    private readonly writeMode: PostgresWriteMode = "batched",
    /** The URL and options it was opened with, for a sync on another thread (absent: read-only, or tuned for measuring). */
    readonly openElsewhere?: OpenElsewhere,
  ) {
    this.s = statements(config.schema);
    this.e = embeddingStatements(config.schema);
  }

  /** Statements sent to the server so far (each one network round trip; connecting is not counted). */
  roundTrips(): number {
    return this.trips;
  }

  /**
   * One read statement on any pooled connection; retried on a new connection if the connection was
   * lost. Statements are prepared (named) once per connection: a search statement takes longer to
   * plan than to run for most queries, and its plan does not depend on the values.
   */
  private async read<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]> {
    this.checkOpen();
    const query = { name: statementName(sql), text: sql, values: params };
    for (let attempt = 0; ; attempt++) {
      try {
        this.trips++;
        return (await this.pool.query<R>(query)).rows;
      } catch (e) {
        // After a server restart every idle connection in the pool may be dead, and each failed
        // one is discarded: one more try than the pool holds always reaches a fresh connection.
        if (attempt < this.config.poolMax + 1 && isConnectionLost(e)) continue;
        throw toStoreError(e, this.config);
      }
    }
  }

  /** `work` on one connection of its own; a connection that failed is closed rather than reused. */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw toStoreError(e, this.config);
    }
    const release = holdClient(client);
    let failed = false;
    try {
      return await work(client);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      // After an error the connection may be mid-transaction or broken: close it, the pool opens another.
      release(failed);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError("other", `the index at ${this.config.location} was closed`);
  }

  // --- sync ---

  async fileStates(): Promise<FileState[]> {
    const rows = await this.read<{ filename: string; oifm_id: string; file_hash: string; file_size: number; file_mtime_ms: number }>(this.s.fileStates);
    return rows.map((r) => ({ filename: r.filename, oifm_id: r.oifm_id, fileHash: r.file_hash, fileSize: r.file_size, fileMtimeMs: r.file_mtime_ms }));
  }

  async syncedFrom(): Promise<string | undefined> {
    const [row] = await this.read<{ synced_from: string | null }>(this.s.syncedFrom);
    return row?.synced_from ?? undefined;
  }

  async validationSnapshot(scope?: SnapshotScope): Promise<ValidationSnapshot> {
    if (scope) return this.scopedSnapshot(scope);
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await this.withClient(async (client) => {
          this.trips++;
          return (await client.query(this.s.snapshot)) as unknown as pg.QueryResult[];
        });
        const [models, people, organizations] = [results[1]!.rows, results[2]!.rows, results[3]!.rows] as [SnapshotRow[], PersonRow[], OrganizationRow[]];
        return { models: models.map(snapshotModel), people: people.map(toPerson), organizations: organizations.map(toOrganization) };
      } catch (e) {
        // After a server restart every idle connection in the pool may be dead, and each failed
        // one is discarded: one more try than the pool holds always reaches a fresh connection.
        if (attempt < this.config.poolMax + 1 && isConnectionLost(e)) continue;
        throw toStoreError(e, this.config);
      }
    }
  }

  private async scopedSnapshot(scope: SnapshotScope): Promise<ValidationSnapshot> {
    type Row = { models: SnapshotRow[]; people: PersonRow[]; organizations: OrganizationRow[] };
    const kinds = [...scope.people.map(() => "person"), ...scope.organizations.map(() => "organization")];
    const [row] = await this.read<Row>(this.s.snapshotScoped, [
      scope.oifmIds,
      scope.terms,
      scope.attributeIds,
      scope.filenames,
      kinds,
      [...scope.people, ...scope.organizations],
      scope.people,
      scope.organizations,
    ]);
    return { models: row!.models.map(snapshotModel), people: row!.people.map(toPerson), organizations: row!.organizations.map(toOrganization) };
  }

  async apply(changes: SyncChanges | ChangeParts): Promise<void> {
    if (this.readonly) {
      throw new StoreError("readonly", `the index at ${this.config.location} was opened for reading only; open it for writing to change it`);
    }
    for (let attempt = 0; ; attempt++) {
      // (A retry takes no part twice: only a failure to begin, before any part is taken, is retried.)
      const step = await this.applyOnce(changes);
      if (step.ok) return;
      // Lost before the transaction began (a pooled connection the server had closed, say):
      // nothing was done, so a fresh connection may try again. Lost later: rolled back, reported.
      if (step.at === "begin" && attempt < this.config.poolMax + 1 && isConnectionLost(step.error)) continue;
      const e = step.error;
      if (step.at === "begin" && errorCode(e) === "57014") {
        throw new StoreError(
          "locked",
          `another sync of the index at ${this.config.location} did not finish within the statement timeout of ${this.config.statementTimeoutMs} ms; ` +
            "nothing was changed: try again when it has finished (or raise statement_timeout_ms in the URL)",
        );
      }
      if (step.at === "commit" && isConnectionLost(e)) {
        throw new StoreError(
          "unreachable",
          `the connection to the PostgreSQL server at ${this.config.server} was lost while committing the sync; it was applied whole or not at all: ` +
            "run it again when the server is back to be sure",
        );
      }
      const clash = step.part && (await describeClash(e, step.part, this.s, async (sql, value) => (await this.read<{ oifm_id: string; filename: string; name: string }>(sql, [value]))[0]));
      if (clash) throw clash;
      throw toStoreError(e, this.config);
    }
  }

  /** One try at apply: where it stopped, and why. */
  private async applyOnce(changes: SyncChanges | ChangeParts): Promise<{ ok: true } | { ok: false; at: "begin" | "write" | "commit"; error: unknown; /** The part being written when it failed. */ part?: SyncChanges }> {
    let step: "begin" | "write" | "commit" = "begin";
    let part: SyncChanges | undefined;
    let upserted = false;
    const gone = new RemovedContributors();
    try {
      await this.withClient(async (client) => {
        const run = async (sql: string, params?: unknown[]) => {
          this.trips++;
          return client.query(sql, params);
        };
        try {
          const models = "parts" in changes ? changes.models : changes.upserts.length + changes.deletes.length;
          const allNew = isAllNew(changes);
          const begun = await run(beginAndLock(schemaLockKey(this.config.schema), this.config.statementTimeoutMs, models, allNew ? this.s.anyModel : undefined));
          // (Several statements in one query: pg gives a result for each; the check's is the last.)
          if (allNew && (begun as unknown as pg.QueryResult[]).at(-1)?.rows[0]?.filled) throw notEmptyError(this.config.location);
          // A change planned from file states the index no longer has is refused (SyncChanges.basis).
          if (!("parts" in changes) && changes.basis !== undefined) {
            const states = (await run(this.s.fileStates)).rows as Array<{ filename: string; oifm_id: string; file_hash: string; file_size: number; file_mtime_ms: number }>;
            const now = states.map((r) => ({ filename: r.filename, oifm_id: r.oifm_id, fileHash: r.file_hash, fileSize: r.file_size, fileMtimeMs: r.file_mtime_ms }));
            if (statesFingerprint(now) !== changes.basis) throw changedError(this.config.location);
          }
          step = "write";
          for (part of partsOf(changes)) {
            await writeChanges(run, this.s, part, this.writeMode, allNew, gone);
            upserted ||= part.upserts.length > 0;
          }
          step = "commit";
          // The folder goes in the same round trip as the commit (a literal: the simple protocol takes no parameters).
          // Either statement gives fm_meta's row this transaction's ID, the mark readers look at (changeMark).
          const record = part?.syncedFrom === undefined ? this.s.bumpChangeMark : this.s.setSyncedFrom(client.escapeLiteral(part.syncedFrom));
          const prune = gone.any ? this.s.pruneContributors(client.escapeLiteral(gone.param("person")), client.escapeLiteral(gone.param("organization"))) : "";
          await run(record + prune + (upserted ? this.s.cleanAndCommit : "COMMIT"));
        } catch (e) {
          // Leave nothing behind; on a lost connection the server has rolled back already.
          if (!isConnectionLost(e)) await client.query("ROLLBACK").catch(() => undefined);
          throw e;
        }
      });
      return { ok: true };
    } catch (e) {
      return { ok: false, at: step, error: e, part };
    }
  }

  /** The transaction ID that last wrote fm_meta's row: every change's commit rewrites it (see apply). */
  async changeMark(): Promise<string> {
    return (await this.read<{ mark: string }>(this.s.changeMark))[0]?.mark ?? "";
  }

  /** A round trip each time: a quarter of a second keeps it rare under load, and answers fresh for a person. */
  readonly changeMarkEveryMs = 250;

  // --- lookups ---

  async getEntry(idOrNameOrSynonym: string): Promise<IndexEntry | undefined> {
    if (hasNul(idOrNameOrSynonym)) return undefined;
    const rows = await this.read<EntryRow>(this.s.exact(false), [idOrNameOrSynonym, nameKey(idOrNameOrSynonym)]);
    return rows[0] && entryOf(rows[0]);
  }

  async getEntries(oifmIds: readonly string[]): Promise<IndexEntry[]> {
    const ids = oifmIds.filter((id) => !hasNul(id));
    if (ids.length === 0) return [];
    const byId = new Map((await this.read<EntryRow>(this.s.entriesByIds, [ids])).map((r) => [r.oifm_id, r]));
    // In the order asked for, each once.
    const out: IndexEntry[] = [];
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (row) out.push(entryOf(row));
    }
    return out;
  }

  async getModelJson(oifmId: string): Promise<string | undefined> {
    if (hasNul(oifmId)) return undefined;
    return (await this.read<{ json: string }>(this.s.modelJson, [oifmId]))[0]?.json;
  }

  async getModelJsonBatch(oifmIds: readonly string[]): Promise<Map<string, string>> {
    const ids = oifmIds.filter((id) => !hasNul(id));
    if (ids.length === 0) return new Map();
    return new Map((await this.read<{ oifm_id: string; json: string }>(this.s.modelJsonBatch, [ids])).map((r) => [r.oifm_id, r.json]));
  }

  async count(): Promise<number> {
    return (await this.read<{ n: number }>(this.s.count))[0]?.n ?? 0;
  }

  async countPeople(): Promise<number> {
    return (await this.read<{ n: number }>(this.s.countPeople))[0]?.n ?? 0;
  }

  async countOrganizations(): Promise<number> {
    return (await this.read<{ n: number }>(this.s.countOrganizations))[0]?.n ?? 0;
  }

  async getPerson(githubUsername: string): Promise<Person | undefined> {
    if (hasNul(githubUsername)) return undefined;
    const row = (await this.read<PersonRow>(this.s.person, [githubUsername]))[0];
    return row && toPerson(row);
  }

  async getOrganization(code: string): Promise<Organization | undefined> {
    if (hasNul(code)) return undefined;
    const row = (await this.read<OrganizationRow>(this.s.organization, [code]))[0];
    return row && toOrganization(row);
  }

  async people(): Promise<Person[]> {
    return (await this.read<PersonRow>(this.s.people)).map(toPerson);
  }

  async organizations(): Promise<Organization[]> {
    return (await this.read<OrganizationRow>(this.s.organizations)).map(toOrganization);
  }

  async list(limit: number, offset: number): Promise<Page<IndexEntry>> {
    return toPage(await this.read<PageRow>(this.s.list, [limit, offset]));
  }

  async allEntries(): Promise<IndexEntry[]> {
    return (await this.read<EntryRow>(this.s.allEntries)).map(entryOf);
  }

  async tags(): Promise<Array<{ tag: string; count: number }>> {
    return this.read<{ tag: string; count: number }>(this.s.tags);
  }

  async searchBySlug(slug: string, match: SlugMatch, limit: number, offset: number): Promise<Page<IndexEntry>> {
    if (hasNul(slug)) return { items: [], total: 0 };
    // Slugs are lower-case ASCII, as on SQLite (whose LIKE folds ASCII case).
    const lower = slug.toLowerCase();
    if (match === "exact") return toPage(await this.read<PageRow>(this.s.slugExact, [lower, limit, offset]));
    const escaped = lower.replace(/[\\%_]/g, (c) => "\\" + c);
    const pattern = match === "prefix" ? `${escaped}%` : `%${escaped}%`;
    return toPage(await this.read<PageRow>(this.s.slugLike, [pattern, limit, offset]));
  }

  // --- search ---

  async exactMatches(query: string, options: TextSearchOptions): Promise<IndexEntry[]> {
    if (hasNul(query) || options.limit <= 0) return [];
    const tags = tagsParam(options);
    if (tags?.some(hasNul)) return [];
    const lower = nameKey(query);
    const rows = await this.read<EntryRow>(this.s.exact(tags !== undefined), tags === undefined ? [query, lower] : [query, lower, tags]);
    return firstOfEach(rows, options);
  }

  /** Every query in one statement; a query with a NUL character (which no text holds) matches nothing. */
  async exactMatchesMany(queries: readonly string[], options: TextSearchOptions): Promise<IndexEntry[][]> {
    const results: IndexEntry[][] = queries.map(() => []);
    const tags = tagsParam(options);
    const asked = queries.flatMap((q, at) => (hasNul(q) ? [] : [{ at, q }]));
    if (asked.length === 0 || options.limit <= 0 || tags?.some(hasNul)) return results;
    const params: unknown[] = [asked.map((a) => a.q), asked.map((a) => nameKey(a.q))];
    if (tags !== undefined) params.push(tags);
    const rows = await this.read<EntryRow & { i: string }>(this.s.exactMany(tags !== undefined), params);
    const byQuery = asked.map((): EntryRow[] => []);
    for (const row of rows) byQuery[Number(row.i) - 1]!.push(row);
    byQuery.forEach((list, n) => (results[asked[n]!.at] = firstOfEach(list, options)));
    return results;
  }

  async textSearch(terms: readonly string[], options: TextSearchOptions): Promise<IndexEntry[]> {
    return (await this.textSearchMany([terms], options))[0] ?? [];
  }

  /** Every search in one statement (see search.ts). */
  async textSearchMany(queries: ReadonlyArray<readonly string[]>, options: TextSearchOptions): Promise<IndexEntry[][]> {
    const results: IndexEntry[][] = queries.map(() => []);
    const tags = tagsParam(options);
    if (options.limit <= 0 || tags?.some(hasNul)) return results;
    const asked: Array<{ at: number; q: SearchQueries }> = [];
    queries.forEach((terms, at) => {
      const q = searchQueries(terms);
      if (q && options.everyTerm) q.any = q.anyTitle = null;
      if (q) asked.push({ at, q });
    });
    if (asked.length === 0) return results;
    const exclude = (options.exclude ?? []).filter((id) => !hasNul(id));
    const filter = { tags: tags !== undefined, exclude: exclude.length > 0 };
    const params: unknown[] = [asked.map((a) => a.q.all), asked.map((a) => a.q.allTitle), asked.map((a) => a.q.any), asked.map((a) => a.q.anyTitle), options.limit];
    if (tags !== undefined) params.push(tags);
    if (filter.exclude) params.push(exclude);
    for (const row of await this.read<EntryRow & { i: string }>(this.s.search(filter), params)) {
      const list = results[asked[Number(row.i) - 1]!.at]!;
      if (list.length < options.limit) list.push(entryOf(row));
    }
    return results;
  }

  // --- vectors ---

  async embeddings(model: string): Promise<StoredVector[]> {
    const rows = await this.read<{ oifm_id: string; text_hash: string; vector: Buffer }>(this.e.read, [model]);
    return rows.map((r) => ({ oifm_id: r.oifm_id, textHash: r.text_hash, vector: bytesToVector(r.vector) }));
  }

  async putEmbeddings(model: string, vectors: readonly StoredVector[]): Promise<void> {
    if (vectors.length === 0) return;
    if (this.readonly) throw new StoreError("readonly", `the index at ${this.config.location} was opened for reading only; open it for writing to change it`);
    // One statement: a transaction of its own.
    await this.withClient(async (client) => {
      this.trips++;
      await client.query(this.e.put, [model, vectors.map((v) => v.oifm_id), vectors.map((v) => v.textHash), vectors.map((v) => vectorToBytes(v.vector))]);
    }).catch((e: unknown) => {
      throw e instanceof StoreError ? e : toStoreError(e, this.config);
    });
  }

  async pruneEmbeddings(model: string): Promise<number> {
    if (this.readonly) throw new StoreError("readonly", `the index at ${this.config.location} was opened for reading only; open it for writing to change it`);
    return this.withClient(async (client) => {
      this.trips++;
      return (await client.query(this.e.prune, [model])).rowCount ?? 0;
    }).catch((e: unknown) => {
      throw e instanceof StoreError ? e : toStoreError(e, this.config);
    });
  }

  async stats(): Promise<StoreStats> {
    const row = (await this.read<{ version: number | null; size: number }>(this.s.stats, [this.config.schema]))[0];
    return { engine: "postgres", schemaVersion: row?.version ?? 0, sizeBytes: row?.size ?? 0, location: this.config.location };
  }

  /** Give the pool back (the last store on it ends it). Closing twice is harmless. */
  async readIntegrity(): Promise<IntegrityRead> {
    try {
      return await this.withClient(async (client) => {
        this.trips++;
        return readIntegrity(client, this.config.schema);
      });
    } catch (e) {
      throw toStoreError(e, this.config);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releasePool(this.pool);
  }
}

const names = new Map<string, string>();

/** A name for `sql` as a prepared statement: the same text, the same name, on every connection. */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = "fm_" + createHash("sha1").update(sql).digest("hex").slice(0, 20);
    names.set(sql, name);
  }
  return name;
}

type PageRow = { total: number } & { [K in keyof EntryRow]: EntryRow[K] | null };

function toPage(rows: PageRow[]): Page<IndexEntry> {
  const total = rows[0]?.total ?? 0;
  return { items: rows.filter((r) => r.oifm_id !== null).map((r) => entryOf(r as EntryRow)), total };
}

/** PostgreSQL text cannot hold U+0000, so a value with one matches nothing (and is never sent). */
function hasNul(value: string): boolean {
  return value.includes("\u0000");
}

/** The tags filter: lower-cased tags, or none. */
function tagsParam(options: TextSearchOptions): string[] | undefined {
  return options.tags && options.tags.length > 0 ? options.tags.map(tagKey) : undefined;
}

/** Exact matches in their order: each model once, at its best place, the excluded ones not at all, up to the limit. */
function firstOfEach(rows: readonly EntryRow[], options: TextSearchOptions): IndexEntry[] {
  const seen = new Set<string>(options.exclude);
  const out: IndexEntry[] = [];
  for (const row of rows) {
    if (out.length >= options.limit) break;
    if (seen.has(row.oifm_id)) continue;
    seen.add(row.oifm_id);
    out.push(entryOf(row));
  }
  return out;
}

/** A model row of a validation snapshot (whole or scoped). */
type SnapshotRow = Pick<EntryRow, "oifm_id" | "name" | "filename" | "synonyms" | "attributes" | "contributors">;

function snapshotModel(r: SnapshotRow): ValidationSnapshot["models"][number] {
  return { oifm_id: r.oifm_id, name: r.name, filename: r.filename, synonyms: r.synonyms, attributeIds: r.attributes.map((a) => a.oifma_id), contributors: r.contributors };
}
