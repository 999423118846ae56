// The PostgreSQL store: the conformance suite against a real server, and what only a server can do
// wrong: schema versions, concurrent syncs, lost connections, timeouts, credentials.
//
// The server: $FINDINGMODEL_TEST_POSTGRES_URL, else 127.0.0.1:5432, database "test", as user
// postgres or root. Each store gets a schema of its own, fm_test_<run>_<n>, all dropped at the end,
// so that runs on one server do not collide. With no server reachable the tests are skipped with a
// message saying so; with CI=true they fail instead.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFolder } from "../src/index/generate-folder.js";
import { openIndex } from "../src/index/open-index.js";
import { beginAndLock, MODELS_PER_INSERT } from "../src/store/postgres/apply.js";
import { SYNC_LOCK_CLASS, schemaLockKey } from "../src/store/postgres/locks.js";
import { localServerCandidates } from "../src/store/postgres/local-server.js";
import { openTunedPostgresStore } from "../src/index/internal.js";
import { openPostgresStore } from "../src/store/postgres/open.js";
import { openPoolCount } from "../src/store/postgres/pool.js";
import { SCHEMA_VERSION } from "../src/store/postgres/schema.js";
import { StoreError, type Store } from "../src/store/store.js";
import { changes, contributorsOf, corpus, describeStoreConformance, recordOf, twoFirstSyncsAtOnce } from "./store-conformance.js";
import { buildIfStale } from "./dist.js";

// Runs the compiled command (dist/): never stale code.
buildIfStale();

// --- finding the server ---

const CANDIDATES = localServerCandidates();

async function findServer(): Promise<{ url?: string; why: string }> {
  const reasons: string[] = [];
  for (const url of CANDIDATES) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return { url, why: "" };
    } catch (e) {
      reasons.push(`${url.replace(/:[^:@/]*@/, ":***@")}: ${(e as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { why: reasons.join("; ") };
}

const server = await findServer();
const BASE = server.url;
const CI = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI.toLowerCase());
if (!BASE) {
  const message = `no PostgreSQL server reachable (${server.why})`;
  if (CI) {
    describe("PostgreSQL store", () => {
      it("needs a PostgreSQL server (CI=true: failing instead of skipping)", () => {
        throw new Error(`${message}; CI must provide one at 127.0.0.1:5432 (database "test"), or set FINDINGMODEL_TEST_POSTGRES_URL`);
      });
    });
  } else {
    console.warn(`postgres-store.test.ts: skipping the PostgreSQL store tests: ${message}. Start one, or set FINDINGMODEL_TEST_POSTGRES_URL.`);
  }
}

// --- schemas of this run ---

const RUN = `fm_test_${randomBytes(4).toString("hex")}`;
let schemaCount = 0;
const newSchema = (): string => `${RUN}_${++schemaCount}`;

/** The URL of `schema` on the test server, with more parameters if given. */
function urlFor(schema: string, params: Record<string, string> = {}): string {
  const url = new URL(BASE!);
  url.searchParams.set("schema", schema);
  url.searchParams.set("application_name", RUN);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The same server with another user, database, port... */
function variant(change: (url: URL) => void): string {
  const url = new URL(BASE!);
  change(url);
  url.searchParams.set("schema", newSchema());
  url.searchParams.set("connect_timeout_ms", "2000");
  return url.toString();
}

let admin: pg.Client;

async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
  return (await admin.query<R>(text, params)).rows;
}

/** Wait until `condition` holds (polling), or fail saying what was awaited. */
async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function caught(promise: Promise<unknown>): Promise<StoreError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, "expected a StoreError").toBeInstanceOf(StoreError);
  return error as StoreError;
}

/** Backends of `appName` waiting for a lock (a row lock or an advisory lock). */
async function waitingBackends(appName: string): Promise<number[]> {
  const rows = await sql<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [appName]);
  return rows.map((r) => r.pid);
}

const SMALL = [
  "abdominal_aortic_aneurysm.fm.json",
  "abdominal_abscess.fm.json",
  "lung_abscess.fm.json",
  "aortic_calcification.fm.json",
  "aortic_atherosclerosis.fm.json",
  "colonic_diverticulitis.fm.json",
];
const NEW = "adrenal_nodule.fm.json";

/** A new store on a new schema holding SMALL. */
async function smallStore(params: Record<string, string> = {}): Promise<{ store: Store; schema: string }> {
  const schema = newSchema();
  const store = await openPostgresStore(urlFor(schema, params));
  await store.apply(changes({ upserts: SMALL.map(recordOf) }));
  return { store, schema };
}

describe.skipIf(!BASE)("PostgreSQL", () => {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: BASE, application_name: `${RUN}_admin` });
    await admin.connect();
  });

  afterAll(async () => {
    if (!admin) return;
    const schemas = await sql<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [`${RUN}\\_%`]);
    for (const { nspname } of schemas) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await admin.end();
  });

  describeStoreConformance("postgres", () => openPostgresStore(urlFor(newSchema())), { tagsOutweighAttributes: false });
  // The per-model write mode is the straightforward path of the bench: it must behave exactly as the default.
  describeStoreConformance("postgres, one statement per model", () => openTunedPostgresStore(urlFor(newSchema()), { writeMode: "per-model" }), { tagsOutweighAttributes: false });

  describe("PostgreSQL store schemas", () => {
    it("creates its schema with a version, in the schema the URL names", async () => {
      const schema = newSchema();
      const store = await openPostgresStore(urlFor(schema, { pool_max: "3" }));
      try {
        const stats = await store.stats();
        expect(stats).toMatchObject({ engine: "postgres", schemaVersion: SCHEMA_VERSION });
        expect(stats.location).toContain(`schema=${schema}`);
        expect(stats.location).not.toContain("pool_max");
        expect(stats.sizeBytes).toBeGreaterThan(0);
        expect(await sql("SELECT application, version FROM " + `"${schema}".fm_meta`)).toEqual([{ application: "findingmodel", version: SCHEMA_VERSION }]);
        const tables = (await sql<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1", [schema])).map((r) => r.tablename);
        expect(tables).toEqual(["attributes", "embeddings", "fm_meta", "model_json", "models", "organizations", "people"]);
        const indexes = (await sql<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1", [schema])).map((r) => r.indexdef).join("\n");
        expect(indexes).toMatch(/USING gin \(document\)/);
        expect(indexes).toMatch(/gin_trgm_ops/);
      } finally {
        await store.close();
      }
      // Reopened: the data stay, nothing is created again.
      const again = await openPostgresStore(urlFor(schema));
      await again.apply(changes({ upserts: [recordOf(NEW)] }));
      await again.close();
      const third = await openPostgresStore(urlFor(schema));
      expect(await third.count()).toBe(1);
      await third.close();
    });

    it("creates a new schema once when several programs open it at the same moment", async () => {
      const schema = newSchema();
      const stores = await Promise.all([1, 2, 3, 4].map((i) => openPostgresStore(urlFor(schema, { application_name: `${RUN}_race${i}` }))));
      for (const s of stores) expect((await s.stats()).schemaVersion).toBe(SCHEMA_VERSION);
      await Promise.all(stores.map((s) => s.close()));
    });

    it("migrates a version 1 schema (before the folder was recorded) when opened for writing, keeping its models", async () => {
      const { store, schema } = await smallStore();
      await store.close();
      // Version 1 is version 3 without fm_meta.synced_from and the embeddings table.
      await sql(`ALTER TABLE "${schema}".fm_meta DROP COLUMN synced_from`);
      await sql(`DROP TABLE "${schema}".embeddings`);
      await sql(`UPDATE "${schema}".fm_meta SET version = 1`);
      const readonly = await caught(openPostgresStore(urlFor(schema), { readonly: true }));
      expect(readonly.message).toMatch(/has index schema version 1 and needs upgrading to 3, which a read-only open cannot do; open it once for writing \(findingmodel index sync <folder of models> --postgres <url>\)$/);
      const migrated = await openPostgresStore(urlFor(schema));
      try {
        expect((await migrated.stats()).schemaVersion).toBe(3);
        expect(SCHEMA_VERSION).toBe(3);
        expect(await migrated.embeddings("any")).toEqual([]);
        expect(await migrated.count()).toBe(SMALL.length);
        expect(await migrated.syncedFrom()).toBeUndefined();
        await migrated.apply(changes({ deletes: [recordOf(SMALL[0]!).oifm_id], syncedFrom: "/it's/elsewhere" }));
        expect(await migrated.syncedFrom()).toBe("/it's/elsewhere");
      } finally {
        await migrated.close();
      }
    });

    it("refuses a schema from a newer findingmodel, untouched, saying what to do", async () => {
      const { store, schema } = await smallStore();
      await store.close();
      await sql(`UPDATE "${schema}".fm_meta SET version = ${SCHEMA_VERSION + 1}`);
      const err = await caught(openPostgresStore(urlFor(schema)));
      expect(err.code).toBe("too-new");
      expect(err.message).toContain(`version ${SCHEMA_VERSION + 1}`);
      expect(err.message).toContain(`version ${SCHEMA_VERSION}`);
      expect(err.message).toContain("upgrade findingmodel");
      expect(err.message).toContain(schema);
      expect(await sql(`SELECT version FROM "${schema}".fm_meta`)).toEqual([{ version: SCHEMA_VERSION + 1 }]);
      expect(await sql(`SELECT count(*)::int AS n FROM "${schema}".models`)).toEqual([{ n: SMALL.length }]);
    });

    it("refuses a schema holding another program's tables, untouched", async () => {
      const schema = newSchema();
      await sql(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".accounts (id int PRIMARY KEY, owner text)`);
      const err = await caught(openPostgresStore(urlFor(schema)));
      expect(err.code).toBe("other");
      expect(err.message).toContain("accounts");
      expect(err.message).toContain("not a findingmodel index");
      expect(err.message).toContain("?schema=");
      expect((await sql<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1", [schema])).map((r) => r.tablename)).toEqual(["accounts"]);
    });

    it("opened read-only: refuses a missing index without creating it, and refuses writes", async () => {
      const schema = newSchema();
      const err = await caught(openIndex({ postgres: urlFor(schema), readonly: true }));
      expect(err.message).toContain("no index");
      expect(err.message).toContain(schema);
      expect(await sql("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).toEqual([]);

      const { store, schema: filled } = await smallStore();
      await store.close();
      const reader = await openPostgresStore(urlFor(filled), { readonly: true });
      try {
        expect(await reader.count()).toBe(SMALL.length);
        const refused = await caught(reader.apply(changes({ upserts: [recordOf(NEW)] })));
        expect(refused.code).toBe("readonly");
        expect(await reader.count()).toBe(SMALL.length);
      } finally {
        await reader.close();
      }
    });
  });

  describe("PostgreSQL store connections", () => {
    it("shares one pool among the stores of one URL, and the last close ends it", async () => {
      const schema = newSchema();
      const before = openPoolCount();
      const a = await openPostgresStore(urlFor(schema));
      const b = await openPostgresStore(urlFor(schema));
      expect(openPoolCount()).toBe(before + 1);
      const other = await openPostgresStore(urlFor(schema, { pool_max: "2" }));
      expect(openPoolCount()).toBe(before + 2);
      await other.close();
      await a.close();
      await a.close(); // twice is harmless
      expect(openPoolCount()).toBe(before + 1);
      expect(await b.count()).toBe(0); // b still works
      await b.close();
      expect(openPoolCount()).toBe(before);
      const closed = await caught(b.count());
      expect(closed.message).toContain("closed");
    });

    it("recovers when the server ends all of its connections (as a restart does)", async () => {
      const appName = `${RUN}_kill`;
      const { store } = await smallStore({ application_name: appName });
      try {
        // Several connections open and idle in the pool.
        await Promise.all(Array.from({ length: 4 }, () => store.count()));
        const killed = await sql<{ n: number }>("SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1", [appName]);
        expect(killed[0]!.n).toBeGreaterThan(0);
        expect(await store.count()).toBe(SMALL.length);
        expect((await store.textSearch(["abscess"], { limit: 5 })).length).toBeGreaterThan(0);
        await store.apply(changes({ upserts: [recordOf(NEW)] }));
        expect(await store.count()).toBe(SMALL.length + 1);
        // Killed again, a sync's first statement finds its connection dead and starts over on a new one.
        await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [appName]);
        await store.apply(changes({ deletes: [recordOf(NEW).oifm_id] }));
        expect(await store.count()).toBe(SMALL.length);
      } finally {
        await store.close();
      }
    });

    it("reports an unreachable server, a wrong user, a missing database, each with what to do", async () => {
      const down = await caught(openPostgresStore(variant((u) => (u.port = "1"))));
      expect(down.code).toBe("unreachable");
      expect(down.message).toContain("cannot reach the PostgreSQL server at 127.0.0.1:1");
      expect(down.message).toContain("check that the server is running");

      const user = `nobody_${randomBytes(3).toString("hex")}`;
      const auth = await caught(openPostgresStore(variant((u) => (u.username = user))));
      expect(auth.code).toBe("auth");
      expect(auth.message).toContain(`user "${user}"`);
      expect(auth.message).toContain("check the user name");

      const wrongPassword = await caught(openPostgresStore(variant((u) => { u.username = user; u.password = "secret-pass-123"; })));
      expect(wrongPassword.code).toBe("auth");
      expect(wrongPassword.message).not.toContain("secret-pass-123");

      const database = await caught(openPostgresStore(variant((u) => (u.pathname = "/no_such_database_here"))));
      expect(database.code).toBe("other");
      expect(database.message).toContain('no database "no_such_database_here"');

      expect((await caught(openPostgresStore("mysql://localhost/test"))).message).toContain("not a PostgreSQL URL");
      expect((await caught(openPostgresStore(urlFor("Bad-Name")))).message).toContain('schema name "Bad-Name"');
      expect((await caught(openPostgresStore(urlFor(newSchema(), { pool_max: "zero" })))).message).toContain("pool_max");
    });

    it("exits 2 with the message when the server is down at start (CLI)", async () => {
      const root = fileURLToPath(new URL("..", import.meta.url));
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [path.join(root, "dist", "cli", "main.js"), "stats", "--postgres", "postgres://postgres@127.0.0.1:1/test"], { encoding: "utf8" }, (error, _stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr });
        });
      });
      expect(run.stderr).toContain("cannot reach the PostgreSQL server at 127.0.0.1:1");
      expect(run.code).toBe(2);
    });

    it("cancels a statement running past the statement timeout, changing nothing", async () => {
      const { store, schema } = await smallStore({ statement_timeout_ms: "300" });
      const aaa = recordOf(SMALL[0]!);
      await admin.query("BEGIN");
      try {
        // Hold the row a sync must update.
        await sql(`SELECT 1 FROM "${schema}".models WHERE oifm_id = $1 FOR UPDATE`, [aaa.oifm_id]);
        const err = await caught(store.apply(changes({ upserts: [recordOf(NEW)], touched: [{ oifm_id: aaa.oifm_id, fileSize: 1, fileMtimeMs: 1 }] })));
        expect(err.code).toBe("timeout");
        expect(err.message).toContain("300 ms");
        expect(err.message).toContain("statement_timeout_ms");
      } finally {
        await admin.query("ROLLBACK");
      }
      expect(await store.count()).toBe(SMALL.length);
      expect(await store.getEntry(recordOf(NEW).oifm_id)).toBeUndefined();
      await store.close();
    });

    it("cancels a read running past the statement timeout, with 'timeout'", async () => {
      const { store, schema } = await smallStore({ statement_timeout_ms: "300" });
      await admin.query("BEGIN");
      try {
        await sql(`LOCK TABLE "${schema}".models IN ACCESS EXCLUSIVE MODE`);
        const started = Date.now();
        const err = await caught(store.count());
        expect(err.code).toBe("timeout");
        expect(err.message).toContain("statement timeout of 300 ms");
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      } finally {
        await admin.query("ROLLBACK");
      }
      expect(await store.count()).toBe(SMALL.length);
      await store.close();
      // A sync of many models gets a multiple of the timeout for its bulk statements.
      expect(beginAndLock(7, 1000, 100)).not.toContain("statement_timeout");
      expect(beginAndLock(7, 1000, 25_000)).toContain("SET LOCAL statement_timeout = 3000;");
      expect(beginAndLock(7, 0, 25_000)).not.toContain("statement_timeout");
    });

    it("gives up waiting for another sync after the statement timeout, with 'locked'", async () => {
      const { store, schema } = await smallStore({ statement_timeout_ms: "300" });
      await admin.query("BEGIN");
      try {
        await sql("SELECT pg_advisory_xact_lock($1, $2)", [SYNC_LOCK_CLASS, schemaLockKey(schema)]);
        const err = await caught(store.apply(changes({ upserts: [recordOf(NEW)] })));
        expect(err.code).toBe("locked");
        expect(err.message).toContain("another sync");
      } finally {
        await admin.query("ROLLBACK");
      }
      await store.apply(changes({ upserts: [recordOf(NEW)] }));
      expect(await store.count()).toBe(SMALL.length + 1);
      await store.close();
    });
  });

  describe("PostgreSQL store syncs", () => {
    // What the bench measures (batched beside one statement per model), checked loosely here.
    it("writes a change in a handful of round trips, far faster than one statement per model", async () => {
      const models = corpus().slice(0, 400);
      const records = models.map((c) => c.record);
      const write = async (writeMode: "batched" | "per-model") => {
        const store = await openTunedPostgresStore(urlFor(newSchema()), { writeMode });
        try {
          const trips = store.roundTrips!();
          const started = performance.now();
          await store.apply(changes({ upserts: records, ...contributorsOf(models) }));
          return { ms: performance.now() - started, trips: store.roundTrips!() - trips, count: await store.count() };
        } finally {
          await store.close();
        }
      };
      await write("batched"); // warm up the server's caches and the pool
      const batched = await write("batched");
      const perModel = await write("per-model");
      expect(batched.count).toBe(400);
      expect(perModel.count).toBe(400);
      expect(batched.trips).toBeLessThanOrEqual(5);
      expect(perModel.trips).toBeGreaterThan(800);
      // Measured ~5x; a generous margin for a busy machine.
      expect(batched.ms * 2).toBeLessThan(perModel.ms);
    });

    it("serializes two syncs at once with an advisory lock; neither corrupts the other", async () => {
      const schema = newSchema();
      const a = await openPostgresStore(urlFor(schema));
      const b = await openPostgresStore(urlFor(schema));
      try {
        const first = corpus().slice(0, 300).map((c) => c.record);
        const second = corpus().slice(300, 600).map((c) => c.record);
        const shared = corpus()[corpus().length - 1]!.record;
        const alpha = { ...shared, name: "Alpha Zorbnodule", slugName: "alpha_zorbnodule" };
        const beta = { ...shared, name: "Beta Quxnodule", slugName: "beta_quxnodule" };
        // Hold the sync lock, start both, and see both wait for it.
        await admin.query("BEGIN");
        await sql("SELECT pg_advisory_xact_lock($1, $2)", [SYNC_LOCK_CLASS, schemaLockKey(schema)]);
        const pa = a.apply(changes({ upserts: [...first, alpha] }));
        const pb = b.apply(changes({ upserts: [...second, beta] }));
        const waiting = async () =>
          (
            await sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2", [
              SYNC_LOCK_CLASS,
              schemaLockKey(schema) >>> 0,
            ])
          )[0]!.n;
        await waitFor("both syncs to wait for the lock", async () => (await waiting()) === 2);
        expect(await a.count()).toBe(0);
        await admin.query("COMMIT");
        await Promise.all([pa, pb]);

        expect(await a.count()).toBe(first.length + second.length + 1);
        const entry = (await a.getEntry(shared.oifm_id))!;
        expect(["Alpha Zorbnodule", "Beta Quxnodule"]).toContain(entry.name);
        const winner = entry.name.startsWith("Alpha") ? "zorbnodule" : "quxnodule";
        const loser = winner === "zorbnodule" ? "quxnodule" : "zorbnodule";
        expect((await a.textSearch([winner], { limit: 5 })).map((e) => e.oifm_id)).toEqual([shared.oifm_id]);
        expect(await a.textSearch([loser], { limit: 5 })).toEqual([]);
        expect((await a.validationSnapshot()).models.filter((m) => m.oifm_id === shared.oifm_id)).toHaveLength(1);
        const attributeRows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".attributes`);
        const expectedAttributes = [...first, ...second, shared].reduce((n, r) => n + r.attributes.length, 0);
        expect(attributeRows[0]!.n).toBe(expectedAttributes);
      } finally {
        await a.close();
        await b.close();
      }
    }, 60_000);

    it("lets readers see the index before a sync until it commits, never half of it", async () => {
      const appName = `${RUN}_half`;
      const { store, schema } = await smallStore({ application_name: appName });
      const reader = await openPostgresStore(urlFor(schema));
      const aaa = recordOf(SMALL[0]!);
      const gone = recordOf(SMALL[1]!);
      const added = recordOf(NEW);
      try {
        await admin.query("BEGIN");
        await sql(`SELECT 1 FROM "${schema}".models WHERE oifm_id = $1 FOR UPDATE`, [aaa.oifm_id]);
        // The sync deletes and inserts, then waits at its last statement for the held row.
        const pending = store.apply(changes({ upserts: [added], deletes: [gone.oifm_id], touched: [{ oifm_id: aaa.oifm_id, fileSize: 7, fileMtimeMs: 7 }] }));
        await waitFor("the sync to wait for the row", async () => (await waitingBackends(appName)).length === 1);
        expect(await reader.count()).toBe(SMALL.length);
        expect(await reader.getEntry(added.oifm_id)).toBeUndefined();
        expect(await reader.getEntry(gone.oifm_id)).toBeDefined();
        expect((await reader.textSearch(["adrenal"], { limit: 5 })).map((e) => e.oifm_id)).not.toContain(added.oifm_id);
        await admin.query("COMMIT");
        await pending;
        expect(await reader.count()).toBe(SMALL.length);
        expect(await reader.getEntry(added.oifm_id)).toBeDefined();
        expect(await reader.getEntry(gone.oifm_id)).toBeUndefined();
        expect((await reader.getEntry(aaa.oifm_id))?.fileSize).toBe(7);
      } finally {
        await admin.query("ROLLBACK").catch(() => undefined);
        await store.close();
        await reader.close();
      }
    });

    it("rolls back and reports a sync whose connection is lost half-way; the next one works", async () => {
      const appName = `${RUN}_lost`;
      const { store, schema } = await smallStore({ application_name: appName });
      const aaa = recordOf(SMALL[0]!);
      const gone = recordOf(SMALL[1]!);
      const added = recordOf(NEW);
      const change = changes({ upserts: [added], deletes: [gone.oifm_id], touched: [{ oifm_id: aaa.oifm_id, fileSize: 7, fileMtimeMs: 7 }] });
      const before = await store.fileStates();
      try {
        await admin.query("BEGIN");
        await sql(`SELECT 1 FROM "${schema}".models WHERE oifm_id = $1 FOR UPDATE`, [aaa.oifm_id]);
        const pending = caught(store.apply(change));
        await waitFor("the sync to wait for the row", async () => (await waitingBackends(appName)).length === 1);
        // The server ends the sync's connection (as a restart would).
        for (const pid of await waitingBackends(appName)) await sql("SELECT pg_terminate_backend($1)", [pid]);
        const err = await pending;
        expect(err.code).toBe("unreachable");
        expect(err.message).toContain("was lost");
        expect(err.message).toContain("try again");
      } finally {
        await admin.query("ROLLBACK");
      }
      expect(await store.fileStates()).toEqual(before);
      expect(await store.getEntry(added.oifm_id)).toBeUndefined();
      await store.apply(change);
      expect(await store.getEntry(added.oifm_id)).toBeDefined();
      expect(await store.getEntry(gone.oifm_id)).toBeUndefined();
      await store.close();
    });

    it("two first syncs at once into one schema: one adds, the other finds them unchanged", async () => {
      const url = urlFor(newSchema());
      await twoFirstSyncsAtOnce(await openPostgresStore(url), await openPostgresStore(url));
    });

    it("takes the same number of round trips to sync 10 models as 500, and reports it", async () => {
      const work = mkdtempSync(path.join(tmpdir(), "fm-pg-trips-"));
      try {
        const reports = [];
        for (const count of [10, 500]) {
          const dir = path.join(work, String(count));
          generateFolder(dir, count, { seed: count });
          const index = await openIndex({ postgres: urlFor(newSchema()), cache: false });
          try {
            const first = await index.sync(dir);
            expect(first).toMatchObject({ added: count, applied: true, errors: [] });
            const again = await index.sync(dir);
            expect(again).toMatchObject({ unchanged: count, applied: false });
            reports.push({ first: first.roundTrips, again: again.roundTrips });
          } finally {
            await index.close();
          }
        }
        expect(reports[0]).toEqual(reports[1]);
        // File states, validation snapshot, then begin + lock, insert, contributors, commit (a first
        // sync removes nothing to make room for its models, so it sends no delete).
        expect(reports[0]!.first).toBe(6);
        expect(reports[0]!.again).toBe(1);
        // Past 1,000 models the inserts go in parts (so as not to hold all their JSON at once): one more each.
        const many = path.join(work, "many");
        generateFolder(many, MODELS_PER_INSERT + 1, { seed: 3 });
        const index = await openIndex({ postgres: urlFor(newSchema()), cache: false });
        try {
          const report = await index.sync(many);
          expect(report).toMatchObject({ added: MODELS_PER_INSERT + 1, applied: true, errors: [], roundTrips: 7 });
          expect(await index.count()).toBe(MODELS_PER_INSERT + 1);
          const last = (await index.list({ limit: 1, offset: MODELS_PER_INSERT })).items[0]!;
          expect((await index.getFull(last.oifm_id))?.name).toBe(last.name);
        } finally {
          await index.close();
        }
        // SQLite has no round trips to count, and leaves the field out.
        const sqlite = await openIndex({ db: path.join(work, "x.db") });
        try {
          expect("roundTrips" in (await sqlite.sync(path.join(work, "10")))).toBe(false);
        } finally {
          await sqlite.close();
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }, 120_000);

    it("is chosen by FINDINGMODEL_POSTGRES_URL, and refuses a file and a URL at once", async () => {
      const schema = newSchema();
      const saved = { url: process.env.FINDINGMODEL_POSTGRES_URL, db: process.env.FINDINGMODEL_DB };
      process.env.FINDINGMODEL_POSTGRES_URL = urlFor(schema);
      delete process.env.FINDINGMODEL_DB;
      try {
        const index = await openIndex();
        expect((await index.stats()).engine).toBe("postgres");
        expect((await index.stats()).location).toContain(schema);
        await index.close();
        process.env.FINDINGMODEL_DB = "somewhere.db";
        await expect(openIndex()).rejects.toThrow(/both FINDINGMODEL_DB and FINDINGMODEL_POSTGRES_URL/);
        await expect(openIndex({ db: "x.db", postgres: urlFor(schema) })).rejects.toThrow(/not both/);
      } finally {
        if (saved.url === undefined) delete process.env.FINDINGMODEL_POSTGRES_URL;
        else process.env.FINDINGMODEL_POSTGRES_URL = saved.url;
        if (saved.db === undefined) delete process.env.FINDINGMODEL_DB;
        else process.env.FINDINGMODEL_DB = saved.db;
      }
    });
  });
});
