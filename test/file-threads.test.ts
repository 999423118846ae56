// File processing on worker threads (FINDINGMODEL_THREADS > 1, or `threads`): the same results as
// on one thread. A worker runs compiled JavaScript only, so these tests drive dist/ (built first
// when older than src/).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ProcessedFile } from "../dist/index/process-files.js";
import { CONFLICTS, DEFS } from "./corpus.js";
import { buildIfStale, DIST } from "./dist.js";

buildIfStale();
const { processFiles, usesWorkers } = await import("../dist/index/process-files.js");

/** Every model file under `dir`, sorted. */
function modelFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".fm.json"))
    .map((f) => path.join(dir, f))
    .sort();
}

const bad = mkdtempSync(path.join(tmpdir(), "fm-threads-"));
writeFileSync(path.join(bad, "malformed.fm.json"), '{\n  "oifm_id": "OIFM_TEST_000001",\n  "name": \n}');
writeFileSync(path.join(bad, "invalid.fm.json"), JSON.stringify({ oifm_id: "nope", name: "x" }));
/** The registry, its set-aside clashes, two bad files and a missing one: every kind of result. */
const FILES = [...modelFiles(DEFS), ...modelFiles(CONFLICTS), path.join(bad, "malformed.fm.json"), path.join(bad, "invalid.fm.json"), path.join(bad, "missing.fm.json")];
const OPTIONS = { canonical: true, markdown: true, record: true };

describe("file processing on worker threads", () => {
  it("gives the same results as one thread, in the order given, with and without a progress callback", async () => {
    expect(usesWorkers(FILES.length, 2)).toBe(true);
    const single = await processFiles(FILES, OPTIONS, { threads: 1 });
    expect(single.map((r) => r.file)).toEqual(FILES);
    expect(single.filter((r) => r.errors.length === 0).length).toBeGreaterThan(2382);
    expect(single.at(-1)!.errors).toHaveLength(1);
    for (const threads of [2, 3]) {
      expect(await processFiles(FILES, OPTIONS, { threads }), `${threads} threads`).toEqual(single);
      const progress: number[] = [];
      const withProgress = await processFiles(FILES, OPTIONS, { threads, onProgress: (done) => progress.push(done) });
      expect(withProgress, `${threads} threads, with progress`).toEqual(single);
      expect(progress.at(-1)).toBe(FILES.length);
    }
  }, 120_000);

  it("does the work on the workers when the main thread draws progress", async () => {
    // On one thread the work is done before processFiles returns; with workers and a progress
    // callback the main thread only coordinates, so nothing is done until the workers report.
    const calls = (threads: number) => {
      let done = 0;
      const promise = processFiles(FILES, OPTIONS, { threads, onProgress: (d) => (done = d) });
      return { before: done, promise };
    };
    const one = calls(1);
    expect(one.before).toBe(FILES.length);
    await one.promise;
    const two = calls(2);
    expect(two.before).toBe(0);
    const results: ProcessedFile[] = await two.promise;
    expect(results).toHaveLength(FILES.length);
  }, 120_000);

  it("FINDINGMODEL_THREADS=2 gives the command the same report as one thread", () => {
    const validate = (threads: string) => {
      const r = spawnSync(process.execPath, [path.join(DIST, "cli", "main.js"), "validate", DEFS, CONFLICTS, bad, "--json"], {
        encoding: "utf8",
        env: { ...process.env, FINDINGMODEL_THREADS: threads },
        maxBuffer: 256 * 1024 * 1024,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const one = validate("1");
    expect(one.code, one.stderr).toBe(1);
    expect(JSON.parse(one.stdout).invalid).toBeGreaterThan(0);
    expect(validate("2")).toEqual(one);
  }, 120_000);
});
