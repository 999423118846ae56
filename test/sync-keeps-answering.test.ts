// POST /api/sync does not stop the server answering: the `serve` command (compiled, in a child
// process) on a copy of the registry with every model changed, on SQLite and on PostgreSQL; while
// the sync runs, /healthz and /api/search are answered in a small fraction of the sync's time, from
// the index as it was; after it, every answer is of the index as it is (the server's cache and
// search data read again).
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { firstReachable } from "../src/store/postgres/local-server.js";
import { CLI, runCli } from "./cli-run.js";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";
import { dropSchemas } from "./pg-schemas.js";

buildIfStale();

const TOKEN = "test-token-0123456789abcdef";
const CHANGED = " (changed by the test)";
const PG_URL = process.env.FINDINGMODEL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `fm_sync_answering_${process.pid}`;
const hasPostgres = (await firstReachable([PG_URL])) !== undefined;
if (!hasPostgres) console.warn(`sync-keeps-answering.test.ts: no PostgreSQL server at ${PG_URL}: its case is skipped`);

const work = mkdtempSync(path.join(tmpdir(), "fm-sync-answering-"));
const servers: ChildProcess[] = [];
afterAll(async () => {
  for (const server of servers) server.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
  if (hasPostgres) {
    await dropSchemas(PG_URL, [SCHEMA]);
  }
});

/** A copy of the registry indexed at `where`, then every model of it changed; `serve` on it with POST /api/sync. */
async function serveChangedRegistry(engine: string, where: string[]): Promise<{ url: string; files: string[] }> {
  const defs = path.join(work, `defs-${engine}`);
  cpSync(DEFS, defs, { recursive: true });
  const first = await runCli(["sync", defs, ...where, "--json"]);
  expect(first.code, first.stderr).toBe(0);
  const files = readdirSync(defs).filter((f) => f.endsWith(".fm.json"));
  // Every model changed: the sync reads, checks and writes them all.
  for (const f of files) {
    const file = path.join(defs, f);
    const model = JSON.parse(readFileSync(file, "utf8")) as { description: string };
    model.description += CHANGED;
    writeFileSync(file, JSON.stringify(model, null, 2) + "\n");
  }
  const server = spawn(process.execPath, [CLI, "serve", ...where, "--defs", defs, "--port", "0", "--json", "--log-level", "warn"], {
    env: { ...process.env, FINDINGMODEL_API_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "inherit"],
  });
  servers.push(server);
  const url = await new Promise<string>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
    server.stdout!.once("data", (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url));
  });
  return { url, files };
}

interface Probe {
  path: string;
  ms: number;
  status: number;
  body: string;
}

async function timedAt(url: string, p: string): Promise<Probe> {
  const started = performance.now();
  const res = await fetch(url + p);
  const body = await res.text();
  return { path: p, ms: performance.now() - started, status: res.status, body };
}

const ENGINES = [
  { engine: "sqlite", where: () => ["--db", path.join(work, "registry.db")], skip: false },
  { engine: "postgres", where: () => ["--postgres", `${PG_URL}?schema=${SCHEMA}`], skip: !hasPostgres },
];

describe.each(ENGINES)("POST /api/sync of every model of the registry ($engine)", ({ engine, where, skip }) => {
  it.skipIf(skip)("leaves /healthz and /api/search answering at once while it runs, and the answers after it are of the synced index", async () => {
    const { url, files } = await serveChangedRegistry(engine, where());
    const timed = (p: string) => timedAt(url, p);
    const queries = ["pneumothorax", "pulmonary nodule", "aortic aneurysm", "liver lesion", "kidney stone", "pleural effusion", "renal cyst", "bone fracture"];
    // The word list the server builds on its first search, built before the sync starts.
    for (const q of queries) expect((await timed(`/api/search?q=${encodeURIComponent(q)}`)).status).toBe(200);

    let syncing = true;
    const probes: Probe[] = [];
    // Two clients, one after another request each, for as long as the sync runs.
    const client = async (n: number) => {
      for (let i = n; syncing; i += 2) {
        const p = i % 2 === 0 ? "/healthz" : `/api/search?q=${encodeURIComponent(queries[(i >> 1) % queries.length]!)}&limit=5`;
        // Every request sent while the sync runs counts, with however long it waited.
        probes.push(await timed(p));
      }
    };
    const clients = [client(0), client(1)];
    const started = performance.now();
    const res = await fetch(`${url}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    const syncMs = performance.now() - started;
    syncing = false;
    await Promise.all(clients);
    const report = (await res.json()) as { updated: number; applied: boolean; errors: unknown[] };
    expect(res.status).toBe(200);
    expect(report).toMatchObject({ updated: files.length, applied: true, errors: [] });

    expect(probes.every((p) => p.status === 200)).toBe(true);
    const slowest = Math.max(...probes.map((p) => p.ms));
    const info = `sync ${Math.round(syncMs)} ms, ${probes.length} requests answered while it ran, slowest ${Math.round(slowest)} ms`;
    console.log(info);
    // Many answers while it ran, each in a small part of its time (on the server's thread the sync
    // held requests for most of it on SQLite, for a third of it on PostgreSQL, whose writes wait
    // for the server without holding the thread).
    expect(probes.length, info).toBeGreaterThanOrEqual(20);
    expect(slowest, info).toBeLessThan(syncMs / 6);
    // Every search answered while the sync ran is of the index before it or after it.
    for (const p of probes.filter((x) => x.path.startsWith("/api/search"))) {
      const results = (JSON.parse(p.body) as { results: Array<{ description: string }> }).results;
      const changed = results.map((r) => r.description.endsWith(CHANGED));
      expect(changed.every((c) => c === changed[0]), p.path).toBe(true);
    }

    // After it: the server's cached answers and word list are of the synced index.
    for (const q of queries) {
      const after = JSON.parse((await timed(`/api/search?q=${encodeURIComponent(q)}`)).body) as { results: Array<{ description: string }> };
      expect(after.results.length).toBeGreaterThan(0);
      for (const r of after.results) expect(r.description.endsWith(CHANGED), q).toBe(true);
    }
    const model = JSON.parse((await timed("/api/models/pneumothorax")).body) as { description: string };
    expect(model.description.endsWith(CHANGED)).toBe(true);
  }, 180_000);
});
