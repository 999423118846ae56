// Two first syncs of one new SQLite index at once, in two processes, at a size whose sync takes far
// longer than the busy timeout: the second waits for the first as long as it runs, saying so on
// stderr ("waiting for another sync…"), then finds every model there. Both succeed.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFolder } from "../src/index/generate-folder.js";
import { openIndex } from "../src/index/open-index.js";
import { buildIfStale, CLI } from "./cli-run.js";

const MODELS = 4_000;

let work: string;
let models: string;
beforeAll(() => {
  buildIfStale();
  work = mkdtempSync(path.join(tmpdir(), "fm-twins-"));
  models = path.join(work, "models");
  generateFolder(models, MODELS, { seed: 9 });
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `index sync --json` in a process of its own, with a busy timeout far below the sync's time. */
function sync(db: string): Promise<{ code: number; report: { added: number; unchanged: number; errors: unknown[] }; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, "index", "sync", models, "--db", db, "--json"],
      { env: { ...process.env, FINDINGMODEL_BUSY_TIMEOUT_MS: "100" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        try {
          resolve({ code: error ? (error.code as number) : 0, report: JSON.parse(stdout), stderr });
        } catch {
          reject(new Error(`not JSON (exit ${error?.code}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe("two first syncs of one new SQLite index at once", () => {
  it("the second waits for the first as long as it runs, says so, and then finds every model there", async () => {
    const db = path.join(work, "twins.db");
    const [a, b] = await Promise.all([sync(db), sync(db)]);
    const runs = `${JSON.stringify(a.report)}\n${a.stderr}\n${JSON.stringify(b.report)}\n${b.stderr}`;
    expect([a.code, b.code], runs).toEqual([0, 0]);
    expect([a, b].map((r) => [r.report.added, r.report.unchanged, r.report.errors.length]).sort(), runs).toEqual([
      [0, MODELS, 0],
      [MODELS, 0, 0],
    ]);
    const waiter = a.report.added === 0 ? a : b;
    expect(waiter.stderr, runs).toMatch(/waiting for another sync of this index to finish/);
    const index = await openIndex({ db, readonly: true });
    expect(await index.count()).toBe(MODELS);
    await index.close();
  }, 300_000);
});
