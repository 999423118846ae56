// Two syncs of different folders into one index at the same time (each its own connection, as two
// processes have): both end without a misleading clash, and the index is then exactly one of the
// two folders (index check against it passes).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex, type OpenIndexOptions } from "../src/index/open-index.js";
import { firstReachable, localServerCandidates } from "../src/store/postgres/local-server.js";
import { DEFS, defFileNames } from "./corpus.js";
import { dropSchemas } from "./pg-schemas.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-two-syncs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folderOf(name: string, files: readonly string[]): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  for (const f of files) copyFileSync(path.join(DEFS, f), path.join(dir, f));
  return dir;
}


const names = defFileNames();
const start = folderOf("start", names.slice(0, 30));
const a = folderOf("a", [...names.slice(0, 30), ...names.slice(90, 120)]);
const b = folderOf("b", names.slice(30, 90));

const BASE = await firstReachable(localServerCandidates());
const schema = `fm_two_syncs_${process.pid}`;
afterAll(async () => {
  if (!BASE) return;
  await dropSchemas(BASE, [schema]);
});

const engines: Array<[string, () => OpenIndexOptions]> = [
  ["SQLite", () => ({ db: path.join(work, "index.db") })],
  ["PostgreSQL", () => {
    const u = new URL(BASE ?? "postgres://localhost/test");
    u.searchParams.set("schema", schema);
    return { postgres: u.toString() };
  }],
];

describe.each(engines)("two syncs of different folders into one %s index at once", (engine, where) => {
  it.skipIf(engine === "PostgreSQL" && !BASE)("end with the index equal to one of the two folders, neither failing with a clash", async () => {
    const first = await openIndex(where());
    await first.sync(start);
    const second = await openIndex(where());
    try {
      const [ra, rb] = await Promise.allSettled([first.sync(a), second.sync(b)]);
      for (const r of [ra, rb]) {
        if (r.status === "rejected") expect(String(r.reason)).toMatch(/the index changed during this sync.*run it again/);
        else expect(r.value.errors).toEqual([]);
      }
      const verdicts = await Promise.all([first.check(a), first.check(b)]);
      const problems = verdicts.map((v) => v.problems.map((p) => p.message));
      // Exactly one folder's state: the other's check finds its files missing or left over.
      expect(problems.filter((p) => p.length === 0)).toHaveLength(1);
      // The next sync of either folder completes.
      expect((await first.sync(a)).errors).toEqual([]);
      expect((await first.check(a)).problems).toEqual([]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
