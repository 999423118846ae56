// The SQLite store: the conformance suite on a temporary file, and what only a file can do wrong.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { generateFolder } from "../src/index/generate-folder.js";
import { syncFolder } from "../src/index/sync.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import { APPLICATION_ID, migrate, PAGE_SIZE, SCHEMA_VERSION } from "../src/store/sqlite/schema.js";
import { StoreError } from "../src/store/store.js";
import { changes, corpus, describeStoreConformance, recordOf, twoFirstSyncsAtOnce } from "./store-conformance.js";
import { buildIfStale, DIST } from "./dist.js";
import { runUnprivileged, sharedTempDir } from "./unprivileged.js";

const dir = mkdtempSync(path.join(tmpdir(), "findingmodel-sqlite-"));
let n = 0;
const tempFile = () => path.join(dir, `store-${++n}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance("sqlite", () => openSqliteStore(tempFile()), { tagsOutweighAttributes: true });

async function openError(file: string, options?: Parameters<typeof openSqliteStore>[1]): Promise<StoreError> {
  try {
    const store = await openSqliteStore(file, options);
    await store.close();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error(`opening ${file} succeeded`);
}


describe("SQLite store files", () => {
  it("stores its schema version and marks the file as its own", async () => {
    const file = tempFile();
    const store = await openSqliteStore(file);
    expect((await store.stats()).schemaVersion).toBe(SCHEMA_VERSION);
    expect((await store.stats()).location).toBe(path.resolve(file));
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("page_size", { simple: true })).toBe(PAGE_SIZE);
    db.close();
  });

  it("keeps the data when reopened", async () => {
    const file = tempFile();
    const some = corpus().slice(0, 25).map((c) => c.record);
    let store = await openSqliteStore(file);
    await store.apply(changes({ upserts: some }));
    await store.close();
    store = await openSqliteStore(file);
    expect(await store.count()).toBe(25);
    expect(await store.getEntry(some[3]!.name)).toMatchObject({ oifm_id: some[3]!.oifm_id });
    expect(await store.getModelJson(some[3]!.oifm_id)).toBe(some[3]!.modelJson);
    expect((await store.textSearch([some[3]!.name.split(" ")[0]!.toLowerCase()], { limit: 50 })).map((e) => e.oifm_id)).toContain(some[3]!.oifm_id);
    await store.close();
  });

  it("reports the size of the file and its write-ahead log", async () => {
    const file = tempFile();
    const store = await openSqliteStore(file);
    await store.apply(changes({ upserts: corpus().slice(0, 50).map((c) => c.record) }));
    const stats = await store.stats();
    expect(stats.engine).toBe("sqlite");
    expect(stats.sizeBytes).toBeGreaterThan(50 * 1000);
    await store.close();
  });

  it("works in memory", async () => {
    const store = await openSqliteStore(":memory:");
    await store.apply(changes({ upserts: [recordOf("abdominal_abscess.fm.json")] }));
    expect(await store.count()).toBe(1);
    expect(await store.stats()).toMatchObject({ location: ":memory:", schemaVersion: SCHEMA_VERSION });
    await store.close();
  });

  it("migrates a version 1 file (before the folder was recorded) when opened for writing, keeping its models", async () => {
    const file = tempFile();
    const some = corpus().slice(0, 5).map((c) => c.record);
    const store = await openSqliteStore(file);
    await store.apply(changes({ upserts: some, syncedFrom: "/somewhere" }));
    await store.close();
    // Version 1 is version 3 without the meta and embeddings tables.
    const v1 = new Database(file);
    v1.exec("DROP TABLE meta; DROP TABLE embeddings");
    v1.pragma("user_version = 1");
    v1.close();
    const readonly = await openError(file, { readonly: true });
    expect(readonly.message).toBe(`${file} has index schema version 1 and needs upgrading to ${SCHEMA_VERSION}, which a read-only open cannot do; open it once for writing (findingmodel index sync <folder of models> --db ${file})`);
    const migrated = await openSqliteStore(file);
    try {
      expect((await migrated.stats()).schemaVersion).toBe(3);
      expect(SCHEMA_VERSION).toBe(3);
      expect(await migrated.embeddings("any")).toEqual([]);
      expect(await migrated.count()).toBe(5);
      expect(await migrated.syncedFrom()).toBeUndefined();
      await migrated.apply(changes({ deletes: [some[0]!.oifm_id], syncedFrom: "/elsewhere" }));
      expect(await migrated.syncedFrom()).toBe("/elsewhere");
    } finally {
      await migrated.close();
    }
    expect(await (await openSqliteStore(file, { readonly: true })).count()).toBe(4);
  });

  it("refuses a file from a newer findingmodel, untouched, saying what to do", async () => {
    const file = tempFile();
    (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const bytes = readFileSync(file);
    const err = await openError(file);
    expect(err.code).toBe("too-new");
    expect(err.message).toContain(`version ${SCHEMA_VERSION + 1}`);
    expect(err.message).toContain(`version ${SCHEMA_VERSION}`);
    expect(err.message).toContain("upgrade findingmodel");
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("refuses a file that is not a database, untouched", async () => {
    const file = tempFile();
    const bytes = randomBytes(8192);
    writeFileSync(file, bytes);
    const err = await openError(file);
    expect(err.code).toBe("corrupt");
    expect(err.message).toContain(file);
    expect(err.message).toContain("is not a findingmodel index (it is not a SQLite database)");
    expect(err.message).toContain("findingmodel leaves it untouched: point --db at the index file");
    expect(err.message).not.toMatch(/remove|delete/i); // not ours to remove
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(file + "-wal")).toBe(false);
  });

  it("reports a damaged file as 'corrupt'", async () => {
    const file = tempFile();
    const store = await openSqliteStore(file);
    await store.apply(changes({ upserts: corpus().slice(0, 200).map((c) => c.record) }));
    await store.close();
    // Keep the header page, scramble the rest.
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, PAGE_SIZE), randomBytes(bytes.length - PAGE_SIZE)]));
    let err: unknown;
    try {
      const damaged = await openSqliteStore(file);
      try {
        await damaged.allEntries();
        await damaged.textSearch(["abscess"], { limit: 10 });
      } finally {
        await damaged.close();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe("corrupt");
    // Its header still says it is an index: so it may be removed and rebuilt.
    expect((err as StoreError).message).toContain(`${file} is a findingmodel index that is damaged`);
    expect((err as StoreError).message).toContain(`rebuild it: remove ${file} and run findingmodel index sync again, or point --db elsewhere`);
  });

  it("refuses another program's SQLite database, untouched", async () => {
    const file = tempFile();
    const db = new Database(file);
    db.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts (owner) VALUES ('someone')");
    db.close();
    const bytes = readFileSync(file);
    const err = await openError(file);
    expect(err.code).toBe("other");
    expect(err.message).toContain("accounts");
    expect(err.message).toContain("not a findingmodel index");
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const again = new Database(file, { readonly: true });
    expect(again.pragma("journal_mode", { simple: true })).toBe("delete");
    again.close();
  });

  it("creates the schema in an empty existing file", async () => {
    const file = tempFile();
    writeFileSync(file, "");
    const store = await openSqliteStore(file);
    expect(await store.count()).toBe(0);
    await store.close();
  });

  it("opened read-only, reads but refuses writes with 'readonly'", async () => {
    const file = tempFile();
    const writer = await openSqliteStore(file);
    await writer.apply(changes({ upserts: [recordOf("abdominal_abscess.fm.json")] }));
    await writer.close();
    const reader = await openSqliteStore(file, { readonly: true });
    try {
      expect(await reader.count()).toBe(1);
      const err = await reader.apply(changes({ upserts: [recordOf("lung_abscess.fm.json")] })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe("readonly");
      expect(await reader.count()).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it("opened read-only, refuses a file that does not exist or holds no index yet", async () => {
    const missing = path.join(dir, "missing.db");
    expect((await openError(missing, { readonly: true })).message).toContain("no index");
    expect(existsSync(missing)).toBe(false);
    const empty = tempFile();
    writeFileSync(empty, "");
    expect((await openError(empty, { readonly: true })).code).toBe("readonly");
  });

  // Permission bits do not stop root: run as an ordinary user (see unprivileged.ts), on the
  // compiled store.
  it("opens a read-only file for reading and refuses a write to it with 'readonly', naming the file", async () => {
    buildIfStale();
    const shared = sharedTempDir("findingmodel-sqlite-ro-");
    try {
      const file = path.join(shared, "index.db");
      const script = path.join(shared, "read-only.mjs");
      const open = pathToFileURL(path.join(DIST, "store", "sqlite", "open.js")).href;
      writeFileSync(
        script,
        `import { chmodSync } from "node:fs";
const { openSqliteStore } = await import(${JSON.stringify(open)});
const file = ${JSON.stringify(file)};
const record = JSON.parse(process.argv[2]);
const first = await openSqliteStore(file);
await first.apply({ upserts: [record], deletes: [], people: [], organizations: [] });
await first.close();
chmodSync(file, 0o444);
const store = await openSqliteStore(file);
const out = { count: await store.count() };
try {
  await store.apply({ upserts: [], deletes: [record.oifm_id], people: [], organizations: [] });
  out.write = "written";
} catch (e) {
  out.write = { code: e.code, message: e.message };
}
out.countAfter = await store.count();
await store.close();
console.log(JSON.stringify(out));
`,
      );
      const run = await runUnprivileged([process.execPath, script, JSON.stringify(recordOf("lung_abscess.fm.json"))], { cwd: shared });
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as { count: number; write: { code: string; message: string }; countAfter: number };
      expect(out.count).toBe(1);
      expect(out.write.code).toBe("readonly");
      expect(out.write.message).toContain(`${file} cannot be written`);
      expect(out.countAfter).toBe(1);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  }, 300_000);

  it("fails with 'locked' when another connection holds the write lock, changing nothing", async () => {
    const file = tempFile();
    const store = await openSqliteStore(file, { busyTimeoutMs: 100 });
    try {
      await store.apply(changes({ upserts: [recordOf("abdominal_abscess.fm.json")] }));
      const other = new Database(file);
      other.exec("BEGIN IMMEDIATE");
      try {
        const started = Date.now();
        const err = await store.apply(changes({ upserts: [recordOf("lung_abscess.fm.json")] })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe("locked");
        expect((err as StoreError).message).toContain("another program is writing");
        expect(Date.now() - started).toBeGreaterThanOrEqual(90);
        expect(await store.count()).toBe(1); // reads still work under WAL
      } finally {
        other.exec("ROLLBACK");
        other.close();
      }
      await store.apply(changes({ upserts: [recordOf("lung_abscess.fm.json")] }));
      expect(await store.count()).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("creates the schema all or nothing", () => {
    // A step that fails half-way (here: the file may not grow past a few pages, so the first
    // tables fit and a later one does not) leaves no tables behind.
    const db = new Database(tempFile());
    db.pragma("max_page_count = 6");
    expect(() => migrate(db, "half.db")).toThrow(/full/);
    expect(db.prepare("SELECT name FROM sqlite_schema").pluck().all()).toEqual([]);
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    expect(db.pragma("application_id", { simple: true })).toBe(0);
    db.close();
  });

  it("finds the schema made when another program created it while this one waited for the lock", () => {
    // Two programs that open a new file at once both see it empty; the second to take the lock
    // must not create the tables again ("table models already exists").
    const db = new Database(tempFile());
    migrate(db, "twice.db");
    const objects = db.prepare("SELECT name FROM sqlite_schema ORDER BY name").pluck().all();
    expect(objects.length).toBeGreaterThan(5);
    expect(() => migrate(db, "twice.db")).not.toThrow();
    expect(db.prepare("SELECT name FROM sqlite_schema ORDER BY name").pluck().all()).toEqual(objects);
    db.close();
  });

  it("leaves the full-text index of a first sync in one segment (written in parts, it would be in many, and slower to search)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fm-segments-"));
    const file = tempFile();
    try {
      generateFolder(dir, 450, { seed: 9 });
      const store = await openSqliteStore(file);
      expect(await syncFolder(store, dir)).toMatchObject({ added: 450, errors: [] });
      await store.close();
      const db = new Database(file, { readonly: true });
      expect(db.prepare("SELECT count(DISTINCT segid) FROM fts_idx").pluck().get()).toBe(1);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("two first syncs at once into one new file: one adds, the other finds them unchanged", async () => {
    const file = tempFile();
    await twoFirstSyncsAtOnce(await openSqliteStore(file), await openSqliteStore(file));
  });

  it("waits for, then gives up on, a writer holding the lock while creating the schema", async () => {
    // A writer holding the lock makes schema creation wait and fail; the file stays without tables.
    const file = tempFile();
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE; CREATE TEMP TABLE t (x)");
    try {
      const err = await openError(file, { busyTimeoutMs: 50 });
      expect(err.code).toBe("locked");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    const store = await openSqliteStore(file);
    expect(await store.count()).toBe(0);
    await store.close();
  });
});
