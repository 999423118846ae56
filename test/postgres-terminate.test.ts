// A PostgreSQL sync whose connection the server terminates (pg_terminate_backend) mid-sync: the
// CLI always ends with the clear "connection ... was lost" message and exit 2, never an unhandled
// 'error' event or a stack trace, whether the connection was running a statement or held idle in
// the sync's transaction (a first sync reads and checks files between its statements). Several
// trials, each terminating at another moment; after each, the next sync completes.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { firstReachable } from "../src/store/postgres/local-server.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFolder } from "../src/index/generate-folder.js";
import { buildIfStale, CLI, runCli } from "./cli-run.js";

const PG_URL = process.env.FINDINGMODEL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PREFIX = `fstore_term_${process.pid}`;
const CI = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI.toLowerCase());

const hasPostgres = (await firstReachable([PG_URL])) !== undefined;
if (!hasPostgres && !CI) console.warn(`postgres-terminate.test.ts: no PostgreSQL server at ${PG_URL}: skipped`);

let work: string;
let admin: pg.Client;
const schemas: string[] = [];

beforeAll(async () => {
  if (!hasPostgres) return;
  buildIfStale();
  work = mkdtempSync(path.join(tmpdir(), "fm-term-"));
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
}, 300_000);

afterAll(async () => {
  if (!hasPostgres) return;
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
});

function urlOf(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  url.searchParams.set("application_name", schema);
  return url.toString();
}

interface Outcome {
  code: number | null;
  stderr: string;
  /** Whether the backend was terminated while the sync's transaction was open. */
  terminated: boolean;
}

/**
 * `index sync dir` into `schema`; once the sync's transaction is open, after `delayMs`, its backend
 * is terminated by the server.
 */
async function syncAndTerminate(dir: string, schema: string, delayMs: number): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, "index", "sync", dir, "--postgres", urlOf(schema)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  let terminated = false;
  // Wait for the sync's transaction (a backend of this application with a transaction open).
  while (!done) {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND query NOT LIKE '%pg_stat_activity%' AND backend_xid IS NOT NULL",
      [schema],
    );
    if (rows.length > 0) {
      await sleep(delayMs);
      if (done) break;
      const r = await admin.query<{ ok: boolean }>("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL", [schema]);
      terminated = r.rows.some((x) => x.ok);
      break;
    }
    await sleep(2);
  }
  return { code: await exited, stderr, terminated };
}

describe.skipIf(!hasPostgres)("a PostgreSQL sync whose connection the server terminates", () => {
  it("ends with the clear message and exit 2 in every trial, and the next sync completes", async () => {
    const dir = path.join(work, "models");
    generateFolder(dir, 3000, { seed: 21 });
    const outcomes: Array<Outcome & { kind: string }> = [];
    for (let trial = 0; trial < 8; trial++) {
      const schema = `${PREFIX}_${trial}`;
      schemas.push(schema);
      // Even trials: a first sync (idle in its transaction while it reads files, between statements);
      // odd trials: a sync of 500 changed files into a full index (its statements running).
      const first = trial % 2 === 0;
      if (!first) {
        expect((await runCli(["index", "sync", dir, "--postgres", urlOf(schema)])).code).toBe(0);
        for (const f of readdirSync(dir).slice(0, 500)) {
          const file = path.join(dir, f);
          const model = JSON.parse(readFileSync(file, "utf8")) as { description: string };
          model.description += ` (trial ${trial})`;
          writeFileSync(file, JSON.stringify(model, null, 2) + "\n");
        }
      }
      const outcome = await syncAndTerminate(dir, schema, first ? 50 + trial * 60 : trial * 15);
      outcomes.push({ ...outcome, kind: first ? "first sync" : "500 changes" });
      const where = `trial ${trial} (${first ? "first sync" : "500 changes"}): exit ${outcome.code}\n${outcome.stderr}`;
      expect(outcome.stderr, where).not.toMatch(/Unhandled|\n\s+at |EPIPE.*\n.*at /);
      if (outcome.code === 0) continue; // finished before the termination reached it
      expect(outcome.code, where).toBe(2);
      expect(outcome.stderr, where).toMatch(/^findingmodel: the connection to the PostgreSQL server at .* was lost/m);
      // Nothing half-done: the next sync completes.
      const again = await runCli(["index", "sync", dir, "--postgres", urlOf(schema)]);
      expect(again.code, again.stderr).toBe(0);
    }
    // Most trials must have hit the sync mid-way, or the test proves nothing.
    const hit = outcomes.filter((o) => o.terminated && o.code !== 0);
    expect(hit.length, outcomes.map((o) => `${o.kind}: exit ${o.code}, terminated ${o.terminated}`).join("\n")).toBeGreaterThanOrEqual(4);
    expect(hit.some((o) => o.kind === "first sync")).toBe(true);
  }, 600_000);
});
