// Writing one sync's changes to PostgreSQL: one transaction, a constant number of statements
// for up to 1,000 models (one more insert for each 1,000 more), and one sync at a time per index.
//
//   1. BEGIN; SELECT pg_advisory_xact_lock(...)   one round trip (simple protocol, no parameters):
//      a second sync of the same index waits here until the first commits or rolls back.
//      (With SET LOCAL statement_timeout for a sync of more than 10,000 models.)
//   2. DELETE the models written or removed        their JSON and attributes go with them (CASCADE);
//                                                  not sent by a first sync (ChangeParts.allNew)
//   3. INSERT the models, their JSON, attributes   one statement per 1,000 models: arrays UNNESTed
//                                                  on the server (in parts, so that a big sync
//                                                  does not hold all its JSON at once; a first
//                                                  sync gives its models in such parts)
//   4. UPSERT people, organizations; UPDATE file states of touched models   one statement
//   5. COMMIT                                      after moving new GIN index entries out of the
//                                                  pending lists (same round trip; see cleanAndCommit)
//
// Statements with nothing to do are not sent. All removals come before all inserts, so models may
// trade names, files or attribute IDs within one change. Readers see the index before or after a
// sync, never in between (a transaction's changes are visible only once it commits).
import { nameKey } from "../../model/names.js";
import { wordsOf } from "../../model/words.js";
import type pg from "pg";
import type { ContributorRef, EntryRecord, SyncChanges } from "../store.js";
import { removedIds, StoreError } from "../store.js";
import { errorCode } from "./errors.js";
import { SYNC_LOCK_CLASS } from "./locks.js";
import type { Statements } from "./statements.js";
import { entryColumns, RemovedContributors, uniqueSynonyms, uniqueTags } from "../rows.js";
import { attributeIdTaken, attributeIdTwice, fileTaken, modelIdTwice, nameTaken, type Owner } from "../clashes.js";

/** Runs one statement on the transaction's connection (counting it as a round trip). */
export type Run = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

/** Models a sync may write within one statement timeout: a bigger sync gets a multiple of it. */
export const MODELS_PER_TIMEOUT = 10_000;

/**
 * The statement that starts the transaction and waits for the sync lock of the index. The
 * statement timeout (`timeoutMs`, 0 for none) bounds reads; a sync's bulk statements grow with the
 * number of models, so for this transaction it is multiplied by each started 10,000 models written.
 */
export function beginAndLock(lockKey: number, timeoutMs: number, models: number, then?: string): string {
  const factor = Math.max(1, Math.ceil(models / MODELS_PER_TIMEOUT));
  const timeout = timeoutMs > 0 && factor > 1 ? ` SET LOCAL statement_timeout = ${Math.round(timeoutMs * factor)};` : "";
  // `then`, a statement without parameters, runs in the same round trip once the lock is held: a
  // first sync (ChangeParts.allNew) learns whether another sync filled the index meanwhile.
  return `BEGIN;${timeout} SELECT pg_advisory_xact_lock(${SYNC_LOCK_CLASS}, ${lockKey})${then ? `; ${then}` : ""}`;
}

/**
 * How a change is written: "batched" (the default), the handful of statements above;
 * "per-model", the same statements once for each model, contributor and file state, the
 * straightforward way, one round trip each. Kept only to measure what batching saves
 * (`npm run bench`); both write the same rows.
 */
export type PostgresWriteMode = "batched" | "per-model";

/** Steps 2 to 4 (the caller begins, commits or rolls back). */
export async function writeChanges(run: Run, s: Statements, changes: SyncChanges, mode: PostgresWriteMode, allNew: boolean, gone: RemovedContributors): Promise<void> {
  if (mode === "per-model") return writeChangesPerModel(run, s, changes, allNew, gone);
  const removed = removedIds(changes, allNew);
  if (removed.length > 0) noteRemoved(await run(s.deleteModels, [removed]), gone);
  for (let i = 0; i < changes.upserts.length; i += MODELS_PER_INSERT) await run(s.insertModels, insertParams(changes.upserts.slice(i, i + MODELS_PER_INSERT)));
  await writeContributorsAndTouch(run, s, changes);
}

/**
 * Models inserted per statement: their JSON and columns are held, and copied by pg, once per
 * statement, so smaller statements hold less at once, in the same time (docs/performance.md,
 * "Figures behind the code").
 */
export const MODELS_PER_INSERT = 1_000;

/** The contributors of the models a delete removed (its rows: their contributors). */
function noteRemoved(result: pg.QueryResult, gone: RemovedContributors): void {
  for (const row of result.rows as Array<{ contributors: ContributorRef[] }>) gone.add(row.contributors);
}

async function writeChangesPerModel(run: Run, s: Statements, changes: SyncChanges, allNew: boolean, gone: RemovedContributors): Promise<void> {
  for (const id of removedIds(changes, allNew)) noteRemoved(await run(s.deleteModels, [[id]]), gone);
  for (const r of changes.upserts) await run(s.insertModels, insertParams([r]));
  for (const p of changes.people) await writeContributorsAndTouch(run, s, { people: [p], organizations: [] });
  for (const o of changes.organizations) await writeContributorsAndTouch(run, s, { people: [], organizations: [o] });
  for (const t of changes.touched ?? []) await writeContributorsAndTouch(run, s, { people: [], organizations: [], touched: [t] });
}

async function writeContributorsAndTouch(run: Run, s: Statements, changes: Pick<SyncChanges, "people" | "organizations" | "touched">): Promise<void> {
  const people = lastByKey(changes.people, (p) => p.github_username);
  const organizations = lastByKey(changes.organizations, (o) => o.code);
  const touched = lastByKey(changes.touched ?? [], (t) => t.oifm_id);
  if (people.length + organizations.length + touched.length > 0) {
    await run(s.upsertContributorsAndTouch, [
      people.map((p) => p.github_username),
      people.map((p) => p.email),
      people.map((p) => p.name),
      people.map((p) => p.organization_code),
      people.map((p) => p.url ?? null),
      organizations.map((o) => o.code),
      organizations.map((o) => o.name),
      organizations.map((o) => o.url ?? null),
      touched.map((t) => t.oifm_id),
      touched.map((t) => t.fileSize),
      touched.map((t) => t.fileMtimeMs),
    ]);
  }
}

/**
 * The parameters of insertModels: one array literal per column, one element per model (then per
 * attribute), with the model JSON as byte ranges of one binary parameter.
 */
function insertParams(batch: readonly EntryRecord[]): Array<string | Buffer> {
  const columns: unknown[][] = Array.from({ length: 23 }, () => []);
  const attributes: unknown[][] = [[], [], [], []];
  let jsonAt = 1; // substring() counts from 1
  const jsonTexts: string[] = [];
  batch.forEach((r, i) => {
    const tags = uniqueTags(r.tags);
    const modelJson = r.modelJson; // read once: it may come from the model's file (see index/held-json.ts)
    jsonTexts.push(modelJson);
    const jsonLength = Buffer.byteLength(modelJson, "utf8");
    const row = [
      ...entryColumns(r),
      JSON.stringify(uniqueSynonyms(r.synonyms).map((x) => x.key)),
      JSON.stringify(tags.map((x) => x.key)),
      JSON.stringify(tags.map((x) => x.value)),
      // The full text as words, split the way search terms are: the server's parser then sees
      // only words, never e-mail addresses, paths or hyphenated compounds of its own.
      words(r.name),
      words(r.synonyms.join(" ")),
      words(r.description),
      words(r.tags.join(" ")),
      words(r.attributes.map((a) => a.name).join(" ")),
      jsonAt,
      jsonLength,
    ];
    jsonAt += jsonLength;
    row.forEach((v, c) => columns[c]!.push(v));
    for (const a of r.attributes) {
      attributes[0]!.push(i + 1); // the model's ordinal in the batch, as unnest ... WITH ORDINALITY counts
      attributes[1]!.push(a.oifma_id);
      attributes[2]!.push(a.name);
      attributes[3]!.push(a.type);
    }
  });
  const json = Buffer.from(jsonTexts.join(""), "utf8");
  return [...columns.map(arrayLiteral), json, ...attributes.map(arrayLiteral)];
}

const ARRAY_ESCAPE = /[\\"]/g;

/**
 * `values` as a PostgreSQL array literal ({"a","b\"c",NULL}), the text pg would send for an array
 * parameter. Written here because pg builds it character by character, which is slow for the
 * megabytes of model JSON a sync sends (docs/performance.md, "Figures behind the code").
 */
export function arrayLiteral(values: readonly unknown[]): string {
  return "{" + values.map((v) => (v === null || v === undefined ? "NULL" : '"' + String(v).replace(ARRAY_ESCAPE, "\\$&") + '"')).join(",") + "}";
}

export function words(text: string): string {
  return wordsOf(text).join(" ");
}


/**
 * A unique-key error of a write, in words: which model of `changes` clashed, and with what. Run
 * after the transaction was rolled back; `lookup` reads the owner of a value from the index.
 */
export async function describeClash(e: unknown, changes: SyncChanges, s: Statements, lookup: (sql: string, value: string) => Promise<Owner | undefined>): Promise<StoreError | undefined> {
  if (errorCode(e) !== "23505") return undefined;
  const err = e as Error & { constraint?: string; detail?: string };
  const value = /^Key \([^)]*\)=\((.*)\) already exists\.?$/s.exec(err.detail ?? "")?.[1];
  const batch = changes.upserts;
  if (value === undefined) return new StoreError("constraint", `the change clashes with the index: ${err.message}`);
  const removed = new Set([...changes.deletes, ...batch.map((r) => r.oifm_id)]);
  /** The owner in the index, unless the same change removed it (then it is not what clashed). */
  const indexed = async (sql: string): Promise<Owner | undefined> => {
    const owner = await lookup(sql, value);
    return owner && !removed.has(owner.oifm_id) ? owner : undefined;
  };
  switch (err.constraint) {
    case "models_name_lower_key": {
      const same = batch.filter((r) => nameKey(r.name) === value);
      const r = same[same.length - 1];
      if (!r) break;
      return nameTaken(r, same.length > 1 ? same[0]! : await indexed(s.ownerOfName));
    }
    case "models_filename_key": {
      const same = batch.filter((r) => r.filename === value);
      const r = same[same.length - 1];
      if (!r) break;
      return fileTaken(r, same.length > 1 ? same[0]! : await indexed(s.ownerOfFilename));
    }
    case "models_oifm_id_key": {
      const same = batch.filter((r) => r.oifm_id === value);
      return modelIdTwice(value, same[0]?.filename, same[1]?.filename);
    }
    case "attributes_pkey": {
      const users = batch.flatMap((r) => r.attributes.filter((a) => a.oifma_id === value).map(() => r));
      const r = users[users.length - 1];
      if (!r) break;
      if (users.length > 1) return attributeIdTwice(value, r, users[0]!);
      return attributeIdTaken(value, r, await indexed(s.ownerOfAttribute));
    }
  }
  return new StoreError("constraint", `the change clashes with the index: ${err.message}${err.detail ? ` (${err.detail})` : ""}`);
}


/** Each key once, its last value winning (as writing them one after another would). */
function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
