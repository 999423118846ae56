// One server, one answer: after another process syncs the index, a running server's answers agree
// with each other and with the index within the documented bound (Store.changeMarkEveryMs: SQLite
// 5 ms, PostgreSQL 250 ms), cached searches included. The other process is the real CLI.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { firstReachable } from "../src/store/postgres/local-server.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndex, type OpenIndexOptions } from "../src/index/open-index.js";
import { serve, type RunningServer } from "../src/server/serve.js";
import { buildIfStale, runCli } from "./cli-run.js";
import { defFileNames, DEFS } from "./corpus.js";
import { dropSchemas } from "./pg-schemas.js";

const PG_URL = process.env.FINDINGMODEL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `fstore_fresh_${process.pid}`;

const hasPostgres = (await firstReachable([PG_URL])) !== undefined;
if (!hasPostgres) console.warn(`index-freshness.test.ts: no PostgreSQL server at ${PG_URL}: its case is skipped`);

let work: string;
beforeAll(() => {
  buildIfStale();
  work = mkdtempSync(path.join(tmpdir(), "fm-fresh-"));
}, 300_000);
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (hasPostgres) {
    await dropSchemas(PG_URL, [SCHEMA]);
  }
});

/** A folder with pneumothorax and some other registry models. */
function folder(name: string): string {
  const dir = path.join(work, name);
  for (const f of ["pneumothorax.fm.json", ...defFileNames().slice(0, 30)]) cpSync(DEFS + f, path.join(dir, f));
  return dir;
}

async function getJson(server: RunningServer, url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + url);
  return { status: response.status, body: await response.json() };
}

const searchIds = async (server: RunningServer) => ((await getJson(server, "/api/search?q=pneumothorax&limit=50")).body.results as Array<{ oifm_id: string }>).map((r) => r.oifm_id);

const cases: Array<{ engine: string; skip: boolean; where: (dir: string) => { open: OpenIndexOptions; args: string[] }; boundMs: number }> = [
  {
    engine: "sqlite",
    skip: false,
    where: (dir) => ({ open: { db: path.join(dir, "index.db") }, args: ["--db", path.join(dir, "index.db")] }),
    boundMs: 5,
  },
  {
    engine: "postgres",
    skip: !hasPostgres,
    where: () => {
      const url = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${SCHEMA}`;
      return { open: { postgres: url }, args: ["--postgres", url] };
    },
    boundMs: 250,
  },
];

describe.each(cases)("a running server after another process syncs ($engine)", ({ engine, skip, where, boundMs }) => {
  it.skipIf(skip)("answers from the new index within the bound: lookups and cached searches agree", async () => {
    const dir = folder(engine);
    const { open, args } = where(dir);
    expect((await runCli(["index", "sync", dir, ...args])).code).toBe(0);
    const index = await openIndex({ ...open, readonly: true });
    const server = await serve(index, { port: 0, host: "127.0.0.1", web: false });
    try {
      const id = (await getJson(server, "/api/models/pneumothorax")).body.oifm_id as string;
      expect(id).toMatch(/^OIFM_/);
      // Cached now.
      expect(await searchIds(server)).toContain(id);
      expect(await searchIds(server)).toContain(id);
      const countBefore = (await getJson(server, "/api/stats")).body.models as number;

      // Another process removes pneumothorax from the index.
      rmSync(path.join(dir, "pneumothorax.fm.json"));
      const sync = await runCli(["index", "sync", dir, ...args]);
      expect(sync.code, sync.stderr).toBe(0);
      await sleep(boundMs + 20);

      expect((await getJson(server, "/api/models/pneumothorax")).status).toBe(404);
      expect(await searchIds(server)).not.toContain(id);
      expect((await getJson(server, "/api/stats")).body.models).toBe(countBefore - 1);

      // And back: the cached "not found" answers go as well.
      cpSync(DEFS + "pneumothorax.fm.json", path.join(dir, "pneumothorax.fm.json"));
      expect((await runCli(["index", "sync", dir, ...args])).code).toBe(0);
      await sleep(boundMs + 20);
      expect(await searchIds(server)).toContain(id);
      expect((await getJson(server, "/api/models/pneumothorax")).status).toBe(200);
    } finally {
      await server.close();
      await index.close();
    }
  }, 120_000);
});
