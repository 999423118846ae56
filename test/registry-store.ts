// A SQLite store in a new temporary folder holding the whole registry, synced by the index as a
// user's first sync would: for tests that search the real registry.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";

/** The store, with all 2,382 models added (the caller closes it). `prefix` names the temporary folder. */
export async function registryStore(prefix: string): Promise<Store> {
  const store = await openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), prefix)), "index.db"));
  expect((await new FindingModelIndex(store).sync(DEFS)).added).toBe(2382);
  return store;
}
