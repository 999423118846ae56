// A first sync written on a thread of its own (src/store/sqlite/write-on-thread.ts). The writer is
// compiled code (a worker runs plain JavaScript), so these tests drive the compiled store and sync
// from dist/ (built first when older than src/): the same sync with the writer thread and without must
// leave the same index and report, and faults on the writer must end as they do on one thread.
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncTuning } from "../dist/index/internal.js";
import type { SyncReport } from "../dist/index/sync.js";
import type { ChangeParts, EntryRecord } from "../dist/store/store.js";
import { generateFolder } from "../src/index/generate-folder.js";
import { CONFLICTS, DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";
import { twoFirstSyncsAtOnce } from "./store-conformance.js";

// dist/ is built (if older than src/) before any of it is loaded: static imports would read it first.
buildIfStale();
const { syncFolder } = await import("../dist/index/sync.js");
const { openTunedSqliteStore } = await import("../dist/index/internal.js");
const writerThreads = await import("../dist/store/sqlite/write-on-thread.js");
const { WRITER_THREAD_FROM, writerThreadPays } = writerThreads;

// On one core a sync never uses the writer thread, so there is nothing here to test: say so.
const writerRuns = writerThreadPays(2382);
if (!writerRuns) {
  console.warn(`writer-thread.test.ts: skipping the writer-thread tests: this machine has ${availableParallelism()} core(s), and a sync uses the writer thread only with more than one.`);
}

const work = mkdtempSync(path.join(tmpdir(), "fm-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dbCount = 0;
const newDb = () => path.join(work, `index-${++dbCount}.db`);
/** Synthetic models enough for the writer thread to be used. */
const MANY = WRITER_THREAD_FROM + 50;

/** Every row of every table (the full-text index by its own rows), in a fixed order. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = ["models", "model_json", "attributes", "synonyms", "tags", "people", "organizations"];
    const out: Record<string, unknown[]> = {};
    for (const t of tables) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all();
    out.fts = db.prepare("SELECT rowid, * FROM fts ORDER BY rowid").raw().all();
    out.integrity = [db.pragma("integrity_check", { simple: true })];
    return out;
  } finally {
    db.close();
  }
}

const ROOT = path.resolve(__dirname, "..");

// The thread is used only where it pays: compiled code, a second core, a change of 1,000+ models.
describe.runIf(writerRuns)("a first sync on a writer thread", () => {
  const root = path.join(work, "registry");
  beforeAll(() => {
    cpSync(DEFS, path.join(root, "defs"), { recursive: true });
    cpSync(CONFLICTS, path.join(root, "conflicts"), { recursive: true });
  });

  const syncNew = async (writerThread: boolean, options: SyncTuning, dir = root) => {
    const file = newDb();
    const store = await openTunedSqliteStore(file, { writerThread });
    try {
      const { ms: _ms, ...report } = await syncFolder(store, dir, options);
      return { report, file };
    } finally {
      await store.close();
    }
  };
  /** MANY synthetic models synced on one thread: the index file, its entries and their JSON. */
  const syncedModels = async (name: string, seed: number) => {
    const dir = path.join(work, name);
    generateFolder(dir, MANY, { seed });
    const { file } = await syncNew(false, {}, dir);
    const store = await openTunedSqliteStore(file, { readonly: true });
    try {
      const entries = await store.allEntries();
      return { file, entries, json: await store.getModelJsonBatch(entries.map((e) => e.oifm_id)) };
    } finally {
      await store.close();
    }
  };
  const sorted = (errors: SyncReport["errors"]) => [...errors].sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));

  it("leaves the same index and report as one thread: the registry", async () => {
    const started = writerThreads.writerThreadsStarted;
    const threaded = await syncNew(true, {}, path.join(root, "defs"));
    expect(writerThreads.writerThreadsStarted).toBe(started + 1);
    const single = await syncNew(false, {}, path.join(root, "defs"));
    expect(writerThreads.writerThreadsStarted).toBe(started + 1);
    expect(threaded.report).toMatchObject({ added: 2382, errors: [], applied: true });
    // The registry's shared synonyms are warnings, the same ones as on one thread.
    expect(threaded.report.warnings).toHaveLength(53);
    expect(threaded.report).toEqual(single.report);
    const rows = dump(threaded.file);
    expect(rows.models).toHaveLength(2382);
    expect(rows.integrity).toEqual(["ok"]);
    expect(rows).toEqual(dump(single.file));
    // Turned to WAL once written, as on one thread.
    const db = new Database(threaded.file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  }, 60_000);

  it("leaves the same index and report as one thread: real clashes, by default (nothing) and with skip-invalid", async () => {
    for (const skipInvalid of [false, true]) {
      const threaded = await syncNew(true, { skipInvalid });
      const single = await syncNew(false, { skipInvalid });
      expect(threaded.report.errors.length).toBeGreaterThan(0);
      expect(sorted(threaded.report.errors)).toEqual(sorted(single.report.errors));
      expect({ ...threaded.report, errors: [] }).toEqual({ ...single.report, errors: [] });
      expect(threaded.report.applied).toBe(skipInvalid);
      const rows = dump(threaded.file);
      expect(rows.models).toHaveLength(skipInvalid ? threaded.report.added : 0);
      expect(rows).toEqual(dump(single.file));
    }
  }, 60_000);

  it("waits, saying so, while another writer holds the lock, writing nothing; then syncs", async () => {
    const file = newDb();
    const store = await openTunedSqliteStore(file, { busyTimeoutMs: 200 });
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    const waits: number[] = [];
    let released = false;
    const sync = syncFolder(store, path.join(root, "defs"), { onWait: (ms: number) => waits.push(ms) });
    try {
      // Far past the busy timeout: still waiting, nothing written.
      while (waits.length < 5) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.count()).toBe(0);
    } finally {
      other.exec("ROLLBACK");
      other.close();
      released = true;
    }
    const report = await sync;
    expect(released).toBe(true);
    expect(report).toMatchObject({ added: 2382, errors: [] });
    expect(await store.count()).toBe(2382);
    await store.close();
  }, 60_000);

  it("refuses, naming both models, a clash the checks before it did not see, and writes nothing", async () => {
    // Two new models with one attribute ID, handed to the store directly (a sync's own checks
    // would refuse them first): the same words with the writer thread as without.
    const { entries, json } = await syncedModels("pair", 11);
    const records: EntryRecord[] = entries.map((e) => ({ ...e, modelJson: json.get(e.oifm_id)! }));
    records[MANY - 10] = { ...records[MANY - 10]!, attributes: [records[3]!.attributes[0]!, ...records[MANY - 10]!.attributes.slice(1)] };
    const attempt = async (writerThread: boolean) => {
      const store = await openTunedSqliteStore(newDb(), { writerThread });
      try {
        const parts: ChangeParts = {
          models: records.length,
          allNew: true,
          parts: (function* () {
            for (let i = 0; i < records.length; i += 100) yield { upserts: records.slice(i, i + 100), deletes: [], people: [], organizations: [] };
          })(),
        };
        const error = await store.apply(parts).then(() => undefined, (e: unknown) => e as { code: string; message: string });
        return { error: error && { code: error.code, message: error.message }, count: await store.count() };
      } finally {
        await store.close();
      }
    };
    const threaded = await attempt(true);
    expect(threaded.error?.code).toBe("constraint");
    expect(threaded.error?.message).toMatch(new RegExp(`attribute ID ${records[3]!.attributes[0]!.oifma_id} of model ${records[MANY - 10]!.oifm_id}`));
    expect(threaded.count).toBe(0);
    expect(threaded).toEqual(await attempt(false));
  }, 60_000);

  it("writes the model JSON of records that give it by a getter (as a record made again from its file does)", async () => {
    const { entries, json, file: source } = await syncedModels("getters", 13);
    class FromFile {
      constructor(entry: object) {
        Object.assign(this, entry);
      }
      get modelJson(): string {
        return json.get((this as unknown as EntryRecord).oifm_id)!;
      }
    }
    const records = entries.map((e) => new FromFile(e) as unknown as EntryRecord);
    const file = newDb();
    const target = await openTunedSqliteStore(file, { writerThread: true });
    await target.apply({ models: records.length, allNew: true, parts: [{ upserts: records, deletes: [], people: [], organizations: [] }] });
    await target.close();
    expect(dump(file).model_json).toEqual(dump(source).model_json);
  }, 60_000);

  it("is not used by a read-only store, which refuses the write and leaves the file as it was", async () => {
    const file = newDb();
    await (await openTunedSqliteStore(file)).close(); // the schema, no models
    const before = dump(file);
    const store = await openTunedSqliteStore(file, { readonly: true, writerThread: true });
    const dir = path.join(work, "readonly");
    generateFolder(dir, MANY, { seed: 17 });
    await expect(syncFolder(store, dir)).rejects.toMatchObject({ code: "readonly" });
    await store.close();
    expect(dump(file)).toEqual(before);
  }, 60_000);

  it("is not used when every statement is to be seen (onStatement)", async () => {
    const dir = path.join(work, "seen");
    generateFolder(dir, MANY, { seed: 19 });
    const seen: string[] = [];
    const store = await openTunedSqliteStore(newDb(), { writerThread: true, onStatement: (sql) => seen.push(sql) });
    expect(await syncFolder(store, dir)).toMatchObject({ added: MANY, errors: [] });
    await store.close();
    expect(seen.filter((sql) => sql.startsWith("INSERT INTO models")).length).toBe(MANY);
  }, 60_000);

  it("lets two first syncs started at once both succeed: one writes, the other finds it all there", async () => {
    const file = newDb();
    await twoFirstSyncsAtOnce(await openTunedSqliteStore(file), await openTunedSqliteStore(file), { models: MANY, sync: syncFolder });
  }, 60_000);
});

// A copy of the compiled code whose writer thread is missing, or dies half-way (as one that runs out
// of memory would): the sync must end with an error, not wait forever, and write nothing.
describe.runIf(writerRuns)("a writer thread that fails to start or dies", () => {
  const dir = path.join(work, "for-broken-writers");
  beforeAll(() => generateFolder(dir, MANY, { seed: 23 }));

  async function syncWithWriter(change: (writerFile: string) => void) {
    const copy = mkdtempSync(path.join(work, "dist-copy-"));
    cpSync(path.join(ROOT, "dist"), path.join(copy, "dist"), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    writeFileSync(path.join(copy, "package.json"), JSON.stringify({ type: "module" }));
    change(path.join(copy, "dist/store/sqlite/writer-thread.js"));
    const { openTunedSqliteStore: open } = (await import(pathToFileURL(path.join(copy, "dist/index/internal.js")).href)) as typeof import("../dist/index/internal.js");
    const { syncFolder: sync } = (await import(pathToFileURL(path.join(copy, "dist/index/sync.js")).href)) as typeof import("../dist/index/sync.js");
    const file = newDb();
    const store = await open(file, { writerThread: true });
    try {
      const error = await sync(store, dir).then(() => undefined, (e: unknown) => e as Error);
      return { error, count: await store.count() };
    } finally {
      await store.close();
    }
  }

  it("missing: an error, and nothing written", async () => {
    const r = await syncWithWriter((writer) => rmSync(writer));
    expect(r.error?.message).toMatch(/writer-thread\.js/);
    expect(r.count).toBe(0);
  }, 60_000);

  it("dying after writing some parts: an error, and nothing written", async () => {
    const r = await syncWithWriter((writer) => {
      renameSync(writer, writer.replace(/\.js$/, "-real.js"));
      writeFileSync(
        writer,
        // The real writer's listener first (messages wait for a listener, so it misses none),
        // then one that ends the thread once the real one has written 6 parts.
        `import { parentPort } from "node:worker_threads";
await import("./writer-thread-real.js");
let parts = 0;
parentPort.on("message", (m) => { if ("part" in m && ++parts === 6) process.exit(3); });`,
      );
    });
    expect(r.error?.message).toMatch(/stopped unexpectedly \(exit code 3\)/);
    expect(r.count).toBe(0);
  }, 60_000);
});
