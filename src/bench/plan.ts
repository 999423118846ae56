// The performance plan's "Success Metrics", each as our way beside the straightforward way it
// replaced, in this run and this process. Each straightforward way is a switch in the code:
//   batched writes vs one statement per row            SQLite store `writeMode` (store/sqlite/apply.ts)
//   one bulk read for the checks vs a query per model  sync `validationRead` (index/sync.ts)
//   a first sync's writes on a thread of their own     SQLite store `writerThread` (store/sqlite/write-on-thread.ts)
//   files read on several threads vs one               sync `threads` (index/process-files.ts)
//   size + mtime skip vs reading and hashing each file sync `changeDetection` (index/sync.ts)
//   query cache hit vs miss                            index `cache`
//   full-text index vs a scan of every row             (the scan is plain SQL here: it is not our code)
// "X% faster" is read as a speedup (straightforward time / ours) of at least 1 + X/100, and
// "50% reduction" of queries as at most half the statements. Memory is in scale.ts.
import { copyFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { FindingModelIndex } from "../index/finding-model-index.js";
import { searchTerms } from "../index/search/terms.js";
import { openTunedPostgresStore, openTunedSqliteStore, tunedSync, type SqliteTuning, type SyncTuning } from "../index/internal.js";
import { syncFolder } from "../index/sync.js";
import { openSqliteStore, type SqliteOpenOptions } from "../store/sqlite/open.js";
import type { Store, SyncChanges } from "../store/store.js";
import { captureChanges } from "./captured-changes.js";
import type { Bench } from "./context.js";
import { fileChanger, removeDb } from "./floors.js";
import { compare, median, perCall } from "./measure.js";

export async function planSection(b: Bench): Promise<void> {
  b.report.heading("plan", `The plan's Success Metrics: ours beside the straightforward way (in-process, registry of ${b.registryCount.toLocaleString("en-US")}, medians of ${b.runs})`);
  await batchWrites(b);
  await validationRead(b);
  await fileProcessing(b);
  await search(b);
}

let dbCount = 0;
const freshDb = (b: Bench) => path.join(b.work, `plan-${++dbCount}.db`);

/** A private copy of the registry's index, to change. */
function indexCopy(b: Bench): string {
  const db = freshDb(b);
  copyFileSync(b.registryDb, db);
  return db;
}

/** Number of SQL statements `work` runs on a store opened with `options`. */
async function countStatements(file: string, options: SqliteOpenOptions & SqliteTuning, work: (store: Store) => Promise<unknown>): Promise<number> {
  let n = 0;
  const store = await openTunedSqliteStore(file, { ...options, onStatement: () => n++ });
  const before = n;
  try {
    await work(store);
  } finally {
    await store.close();
  }
  return n - before;
}

/** The changes a cold sync of the registry writes (captured on their way to the store). */
async function registryChanges(b: Bench): Promise<SyncChanges> {
  const store = await openSqliteStore(":memory:");
  const captured = captureChanges(store);
  await syncFolder(store, b.copy);
  await store.close();
  const changes = captured();
  if (!changes) throw new Error("the registry's sync wrote nothing");
  return changes;
}

// --- Batch operations: 50% faster ------------------------------------------------------------------

async function batchWrites(b: Bench): Promise<void> {
  const { report, runs } = b;
  const all = await registryChanges(b);
  const some: SyncChanges = { upserts: all.upserts.filter((_, i) => i % 10 === 0), deletes: [], people: [], organizations: [] };
  type Open = { store: Store; file: string };
  const fresh = (writeMode: "batched" | "per-row", prefill: boolean) => ({
    setup: async (): Promise<Open> => {
      const file = freshDb(b);
      const store = await openTunedSqliteStore(file, { writeMode });
      if (prefill) await store.apply(all);
      return { store, file };
    },
    run: ({ store }: Open) => store.apply(prefill ? some : all),
    teardown: async ({ store, file }: Open) => {
      await store.close();
      removeDb(file);
    },
  });
  const n = all.upserts.length;
  const cold = await compare(runs, fresh("batched", false), fresh("per-row", false));
  report.speedup(`write ${n.toLocaleString("en-US")} new models in one transaction`, cold.a, { name: "one statement per row", value: cold.b }, "ms", 1.5);
  const update = await compare(Math.min(runs, 3), fresh("batched", true), fresh("per-row", true));
  report.speedup(`rewrite ${some.upserts.length} changed models of ${n.toLocaleString("en-US")}`, update.a, { name: "one statement per row", value: update.b }, "ms", 1.5);
  const statements = async (writeMode: "batched" | "per-row") => {
    const file = freshDb(b);
    const count = await countStatements(file, { writeMode }, (store) => store.apply(all));
    removeDb(file);
    return count;
  };
  const batched = await statements("batched");
  const perRow = await statements("per-row");
  report.versus(`SQL statements to write ${n.toLocaleString("en-US")} new models`, batched, "straightforward", { name: "one statement per row", value: perRow }, "statements", {
    text: "50% fewer queries",
    met: batched <= perRow / 2,
  });
  if (b.postgres) await batchWritesPostgres(b, all, some);
  else report.note("PostgreSQL: no server (give --postgres <url>), so no figures of batched writes over a network connection");
}

/**
 * The same writes to PostgreSQL, where each statement is a round trip to a server: batched (a
 * handful of statements, one insert per 1,000 models) beside one statement per model. Over a
 * local socket; across a network each round trip costs more, and batching saves more.
 */
async function batchWritesPostgres(b: Bench, all: SyncChanges, some: SyncChanges): Promise<void> {
  const { report, runs } = b;
  const { default: pg } = await import("pg");
  let schemas = 0;
  const prefix = `fm_bench_writes_${process.pid}`;
  const fresh = (writeMode: "batched" | "per-model", prefill: boolean) => ({
    setup: async (): Promise<Store> => {
      const url = new URL(b.postgres!);
      url.searchParams.set("schema", `${prefix}_${++schemas}`);
      const store = await openTunedPostgresStore(url.toString(), { writeMode });
      if (prefill) await store.apply(all);
      return store;
    },
    run: (store: Store) => store.apply(prefill ? some : all),
    teardown: (store: Store) => store.close(),
  });
  try {
    const n = all.upserts.length;
    const rounds = Math.min(runs, 3);
    const cold = await compare(rounds, fresh("batched", false), fresh("per-model", false));
    report.speedup(`PostgreSQL: write ${n.toLocaleString("en-US")} new models in one transaction`, cold.a, { name: "one statement per model", value: cold.b }, "ms", 1.5);
    const update = await compare(rounds, fresh("batched", true), fresh("per-model", true));
    report.speedup(`PostgreSQL: rewrite ${some.upserts.length} changed models of ${n.toLocaleString("en-US")}`, update.a, { name: "one statement per model", value: update.b }, "ms", 1.5);
  } finally {
    const client = new pg.Client({ connectionString: b.postgres });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [`${prefix}\\_%`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await client.end();
  }
}

// --- Batch validation: 40% faster; database queries: 50% fewer --------------------------------------

/** Store calls and the time spent in them, counted on their way to the store. */
function countCalls(store: Store): { calls: () => number; ms: () => number } {
  let calls = 0;
  let ms = 0;
  for (const method of ["validationSnapshot", "getEntries", "getPerson", "getOrganization"] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      calls++;
      const t = performance.now();
      try {
        return await original(...args);
      } finally {
        ms += performance.now() - t;
      }
    };
  }
  return { calls: () => calls, ms: () => ms };
}

async function validationRead(b: Bench): Promise<void> {
  const { report, runs } = b;
  const everyTenth = b.files.filter((_, i) => i % 10 === 0);
  for (const changed of [1, everyTenth.length]) {
    const changers = everyTenth.slice(0, changed).map((f) => fileChanger(path.join(b.copy, f)));
    const changeFiles = () => changers.forEach((c) => c.change());
    const what = changed === 1 ? "one changed file" : `${changed} changed files`;
    const db = indexCopy(b);
    const store = await openSqliteStore(db);
    const counter = countCalls(store);
    const index = new FindingModelIndex(store, { cache: false });
    const readMs: Record<string, number[]> = { bulk: [], "per-model": [] };
    const trial = (validationRead: "bulk" | "per-model") => ({
      setup: () => {
        changeFiles();
        return counter.ms();
      },
      run: async () => {
        const r = await tunedSync(index, b.copy, { validationRead });
        if (r.updated !== changed || r.errors.length > 0) throw new Error(`the bench's sync did not update ${changed} files: ${JSON.stringify(r).slice(0, 300)}`);
      },
      teardown: (before: number) => readMs[validationRead]!.push(counter.ms() - before),
    });
    const t = await compare(changed === 1 ? runs : Math.min(runs, 3), trial("bulk"), trial("per-model"));
    report.speedup(`sync of ${what}: reading what the checks need`, median(readMs.bulk!), { name: "a query per model", value: median(readMs["per-model"]!) }, "ms", 1.4);
    report.speedup(`sync of ${what}, whole`, t.a, { name: "a query per model", value: t.b }, "ms", 1.4);

    // Round trips of one such sync: calls to the store, and SQL statements.
    const calls = async (validationRead: SyncTuning["validationRead"]) => {
      changeFiles();
      const before = counter.calls();
      await tunedSync(index, b.copy, { validationRead });
      return counter.calls() - before;
    };
    const bulkCalls = await calls("bulk");
    const perModelCalls = await calls("per-model");
    await index.close();
    report.versus(`store calls to check ${what} against the index`, bulkCalls, "straightforward", { name: "a query per model", value: perModelCalls }, "calls", {
      text: "50% fewer queries",
      met: bulkCalls <= perModelCalls / 2,
    });
    const statements = (validationRead: SyncTuning["validationRead"]) =>
      countStatements(db, {}, (s) => {
        changeFiles();
        return syncFolder(s, b.copy, { validationRead });
      });
    const bulk = await statements("bulk");
    const perModel = await statements("per-model");
    report.versus(`SQL statements of a sync of ${what}`, bulk, "straightforward", { name: "a query per model", value: perModel }, "statements", {
      text: "50% fewer queries",
      met: bulk <= perModel / 2,
    });
    for (const c of changers) c.restore();
    removeDb(db);
  }
}

// --- File processing: 60% faster ------------------------------------------------------------------

async function fileProcessing(b: Bench): Promise<void> {
  const { report, runs } = b;
  const threads = availableParallelism();
  type Open = { index: FindingModelIndex; file: string; cpu: NodeJS.CpuUsage };
  const cpuShare: Record<string, number[]> = {};
  // `n` threads reading and checking (with more than one, the models are held and written at the
  // end, on the main thread); with one, the writes on a writer thread of their own or not.
  const cold = (n: number, writerThread: boolean) => ({
    setup: async (): Promise<Open> => {
      const file = freshDb(b);
      return { index: new FindingModelIndex(await openTunedSqliteStore(file, { writerThread }), { cache: false }), file, cpu: process.cpuUsage() };
    },
    run: async (o: Open) => {
      const started = performance.now();
      o.cpu = process.cpuUsage();
      await o.index.sync(b.copy, { threads: n });
      const used = process.cpuUsage(o.cpu);
      (cpuShare[`${n}${writerThread}`] ??= []).push((used.user + used.system) / 1000 / (performance.now() - started));
    },
    teardown: async (o: Open) => {
      await o.index.close();
      removeDb(o.file);
    },
  });
  if (threads > 1) {
    const cores = (key: string) => median(cpuShare[key]!).toFixed(2);
    const writer = await compare(Math.min(runs, 3), cold(1, true), cold(1, false));
    report.speedup("cold sync, written on a writer thread while the next files are read", writer.a, { name: "one thread", value: writer.b }, "ms", 1.6, `${cores("1true")} cores busy vs ${cores("1false")}`);
    const readers = await compare(Math.min(runs, 3), cold(threads, false), cold(1, false));
    report.speedup(`cold sync, files read and checked on ${threads} threads`, readers.a, { name: "one thread", value: readers.b }, "ms", 1.6, `${cores(`${threads}false`)} cores busy vs ${cores("1false")}`);
  } else {
    report.add({ name: "cold sync on several threads", value: NaN, unit: "ms", note: "this machine has one core: not measured" });
  }
  // A sync with nothing changed: files with the size and mtime the index recorded are not read.
  const db = indexCopy(b);
  const index = new FindingModelIndex(await openSqliteStore(db), { cache: false });
  await index.sync(b.copy); // files changed and put back since: their mtimes
  const noop = (changeDetection: "stat" | "hash") => ({
    run: async () => {
      const r = await tunedSync(index, b.copy, { changeDetection });
      if (r.applied) throw new Error("a sync with nothing changed changed the index");
    },
  });
  const t = await compare(runs, noop("stat"), noop("hash"));
  report.speedup("sync, nothing changed: skip files by size + mtime", t.a, { name: "read + hash every file", value: t.b }, "ms", 1.6);
  await index.close();
  removeDb(db);
}

// --- Search operations: 30% faster ------------------------------------------------------------------

async function search(b: Bench): Promise<void> {
  const { report, runs } = b;
  const store = await openSqliteStore(b.registryDb, { readonly: true });
  const queries = b.queries;
  // Cache: each query asked twice of a fresh index; the first answer is computed, the second cached.
  const miss: number[] = [];
  const hit: number[] = [];
  for (let r = 0; r < Math.max(3, runs); r++) {
    const index = new FindingModelIndex(store, { cache: { max: 1000, ttlMs: 0 } });
    for (const q of queries) {
      let t = performance.now();
      await index.search(q);
      miss.push(performance.now() - t);
      t = performance.now();
      await index.search(q);
      hit.push(performance.now() - t);
    }
  }
  report.speedup(`search, ${queries.length} queries asked again: cache hit (p50)`, median(hit), { name: "cache miss", value: median(miss) }, "ms", 1.3);

  // Index: the full-text index beside a scan of every row for the same words (LIKE, as one would write it first).
  const raw = new Database(b.registryDb, { readonly: true });
  const scans = new Map<number, Database.Statement>();
  const scan = (terms: string[]) => {
    let st = scans.get(terms.length);
    if (!st) {
      const where = terms.map(() => "(name || ' ' || synonyms || ' ' || description || ' ' || tags || ' ' || attributes) LIKE ?").join(" AND ");
      st = raw.prepare(`SELECT oifm_id FROM models WHERE ${where} LIMIT 10`).pluck();
      scans.set(terms.length, st);
    }
    return st.all(...terms.map((t) => `%${t}%`));
  };
  const termLists = queries.map((q) => searchTerms(q));
  const uncached = new FindingModelIndex(store, { cache: false });
  const ours = median(await perCall(queries, Math.max(3, runs), (q) => uncached.search(q)));
  const scanned = median(await perCall(termLists, Math.max(3, runs), scan));
  raw.close();
  report.speedup(`search, ${queries.length} queries, no cache (p50)`, ours, { name: "LIKE scan of every row", value: scanned }, "ms", 1.3, "ours also ranks, stems, and fills with partial matches");

  // Batch: many queries in one call beside a loop of single calls (no cache either way).
  const loop = {
    run: async () => {
      for (const q of queries) await uncached.search(q);
    },
  };
  const batch = { run: () => uncached.searchBatch(queries) };
  const t = await compare(Math.max(3, runs), batch, loop);
  report.speedup(`searchBatch of ${queries.length} queries`, t.a, { name: `${queries.length} search calls`, value: t.b }, "ms", 1);

  // Round trips: the same queries asked twice, with and without the cache.
  const statements = async (cache: boolean) =>
    countStatements(b.registryDb, { readonly: true }, async (s) => {
      const index = new FindingModelIndex(s, { cache: cache ? { max: 1000, ttlMs: 0 } : false });
      for (let i = 0; i < 2; i++) for (const q of queries) await index.search(q);
    });
  const cached = await statements(true);
  const none = await statements(false);
  report.versus(`SQL statements for ${queries.length} queries asked twice`, cached, "straightforward", { name: "no cache", value: none }, "statements", {
    text: "50% fewer queries",
    met: cached <= none / 2,
  });
  await store.close();
}
