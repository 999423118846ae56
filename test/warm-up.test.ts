// Before it listens, a server reads its search data and does the work of its search and lookup
// routes a few hundred times (server/warm-up.ts), so that its first requests do not wait for the
// read nor run unoptimized code. The warm-up changes no answer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { buildApp } from "../src/server/app.js";
import { SEARCH_STALE_MS } from "../src/server/limits.js";
import { WARM_UP_SEARCHES, warmUp } from "../src/server/warm-up.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-warm-up-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("warm-up before listening", () => {
  it("searches and looks up the registry hundreds of times and leaves the answers as they were", async () => {
    const db = path.join(work, "registry.db");
    const writer = await openIndex({ db });
    await writer.sync(DEFS);
    await writer.close();
    const cold = await openIndex({ db, readonly: true, cache: false, staleSearchMs: SEARCH_STALE_MS });
    const warm = await openIndex({ db, readonly: true, cache: false, staleSearchMs: SEARCH_STALE_MS });
    try {
      const coldApp = await buildApp(cold);
      const warmApp = await buildApp(warm);
      const report = await warmUp(warm);
      expect(report.requests).toBeGreaterThan(WARM_UP_SEARCHES);
      for (const q of ["pulmonary nodule", "pneumothorx", "segmental pulmonary emboli", "OIFM_MSFT_134126", "liver"]) {
        const url = `/api/search?q=${encodeURIComponent(q)}`;
        expect((await warmApp.inject({ method: "GET", url })).payload, q).toBe((await coldApp.inject({ method: "GET", url })).payload);
      }
    } finally {
      await cold.close();
      await warm.close();
    }
  }, 120_000);

  it("does nothing on an empty index", async () => {
    const index = await openIndex({ db: path.join(work, "empty.db"), cache: false, staleSearchMs: SEARCH_STALE_MS });
    try {
      const report = await warmUp(index);
      expect(report.requests).toBe(0);
    } finally {
      await index.close();
    }
  });
});
