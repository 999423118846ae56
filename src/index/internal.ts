// The switches that choose between ways of doing the same work with the same result (batched or
// per-row writes, one bulk read or a query per model, search features on or off): the benchmark
// measures one way against the other and tests compare their results. They are not part of the
// public API (lib.ts does not export this module, and the public option types do not name them).
import { openTunedPostgresStore, type PostgresTuning } from "../store/postgres/open.js";
import { openTunedSqliteStore, type SqliteTuning } from "../store/sqlite/open.js";
import type { Store } from "../store/store.js";
import { FindingModelIndex, type IndexOptions, type SearchTuning } from "./finding-model-index.js";
import type { SyncReport, SyncTuning } from "./sync.js";

export type { PostgresTuning, SearchTuning, SqliteTuning, SyncTuning };
export { openTunedPostgresStore, openTunedSqliteStore };

/** An index over `store` with search features switched as `options` says. */
export function tunedIndex(store: Store, options: IndexOptions & SearchTuning = {}): FindingModelIndex {
  // The constructor reads the tuning from the same object.
  return new FindingModelIndex(store, options);
}

/** index.sync with the switches of SyncTuning (index.sync hands its options on whole to the sync). */
export function tunedSync(index: FindingModelIndex, dir: string, options: SyncTuning): Promise<SyncReport> {
  return index.sync(dir, options);
}
