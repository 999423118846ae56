// Readers of a new SQLite index while its first sync (another process) writes it: every answer is
// immediate and true — the index as it was before the sync (empty), the index after it, or "the
// index is being built" (StoreError "building"; HTTP 503 with code "building") — never a stall for
// the busy timeout, nor "interrupted" while the sync is still at work.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFolder } from "../src/index/generate-folder.js";
import { openIndex } from "../src/index/open-index.js";
import { serve } from "../src/server/serve.js";
import { StoreError } from "../src/store/store.js";
import { buildIfStale, CLI } from "./cli-run.js";

const MODELS = 12_000;
/** Far above an immediate answer on a loaded machine, far below the busy timeout readers are given. */
const IMMEDIATE_MS = 2_500;
const BUSY_TIMEOUT_MS = 20_000;

let work: string;
let models: string;
beforeAll(() => {
  buildIfStale();
  work = mkdtempSync(path.join(tmpdir(), "fm-readers-"));
  models = path.join(work, "models");
  generateFolder(models, MODELS, { seed: 8 });
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `index sync` of the models into `db` in another process; resolves with its exit code. */
function syncInAnotherProcess(db: string): { exited: Promise<number | null>; running: () => boolean } {
  const child = spawn(process.execPath, [CLI, "index", "sync", models, "--db", db], { stdio: "ignore" });
  let running = true;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  void exited.then(() => (running = false));
  return { exited, running: () => running };
}

interface Answer {
  ms: number;
  what: string;
}

describe("readers of a new SQLite index during its first sync", () => {
  it("a library reader (read-only open and search) gets an immediate, true answer every time", async () => {
    const db = path.join(work, "library.db");
    const sync = syncInAnotherProcess(db);
    const answers: Answer[] = [];
    while (sync.running()) {
      if (!existsSync(db)) {
        await sleep(20);
        continue;
      }
      const started = performance.now();
      let what: string;
      try {
        const index = await openIndex({ db, readonly: true, busyTimeoutMs: BUSY_TIMEOUT_MS, cache: false });
        try {
          what = `results ${(await index.search("nodule", { limit: 5 })).length}`;
        } finally {
          await index.close();
        }
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        what = `${e.code}: ${e.message}`;
      }
      answers.push({ ms: performance.now() - started, what });
      await sleep(100);
    }
    expect(await sync.exited).toBe(0);
    const summary = answers.map((a) => `${Math.round(a.ms)} ms ${a.what}`).join("\n");
    for (const a of answers) {
      expect(a.ms, summary).toBeLessThan(IMMEDIATE_MS);
      // Before the schema is written: no index yet; then empty (before), being built, or full (after).
      expect(a.what, summary).toMatch(/^results (0|5)$|^building: the index at .* is being built|^readonly: .* holds no index yet/);
    }
    expect(answers.some((a) => a.what.startsWith("building")), summary).toBe(true);
    // Once it has finished, the index answers.
    const index = await openIndex({ db, readonly: true });
    expect(await index.search("nodule", { limit: 5 })).toHaveLength(5);
    await index.close();
  }, 300_000);

  it("a server on the new index answers every request at once: 200 (before or after) or 503 'being built'", async () => {
    const dir = path.join(work, "served");
    mkdirSync(dir);
    const db = path.join(dir, "served.db");
    // The server opens the new (empty) index first, then another process fills it.
    const index = await openIndex({ db, busyTimeoutMs: BUSY_TIMEOUT_MS });
    const server = await serve(index, { port: 0, host: "127.0.0.1", web: false });
    const answers: Answer[] = [];
    try {
      const sync = syncInAnotherProcess(db);
      // Each request a new one (its own limit), so that it is not answered from the server's cache.
      for (let limit = 5; sync.running(); limit++) {
        const started = performance.now();
        const response = await fetch(`${server.url}/api/search?q=nodule&limit=${limit}`);
        const body = (await response.json()) as { results?: unknown[]; code?: string; message?: string };
        const found = body.results && (body.results.length === limit ? "all" : String(body.results.length));
        answers.push({ ms: performance.now() - started, what: `${response.status} ${found ? `results ${found}` : `${body.code}: ${body.message}`}` });
        await sleep(100);
      }
      expect(await sync.exited).toBe(0);
      const summary = answers.map((a) => `${Math.round(a.ms)} ms ${a.what}`).join("\n");
      for (const a of answers) {
        expect(a.ms, summary).toBeLessThan(IMMEDIATE_MS);
        expect(a.what, summary).toMatch(/^200 results (0|all)$|^503 building: the index is being built/);
      }
      // (Whether any answer was "being built" depends on the journal mode the sync found: the
      // server's open connection may leave the file on its rollback journal, or not.)
      await sleep(50);
      const after = (await (await fetch(`${server.url}/api/search?q=nodule&limit=5`)).json()) as { results: unknown[] };
      expect(after.results).toHaveLength(5);
    } finally {
      await server.close();
      await index.close();
    }
  }, 300_000);
});
