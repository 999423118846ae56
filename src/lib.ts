// The library's public API: `import { ... } from "findingmodel"`.

// Model: types, reading, validation, canonical form, Markdown, registry files, IDs, stubs.
export type * from "./model/types.js";
export { isPerson } from "./model/types.js";
export { parseJsonText, type JsonTextError, type JsonTextResult } from "./model/json-text.js";
export { validateFindingModel, validateFindingModelBase, type ModelIssue, type ValidationResult } from "./model/validate.js";
export { toCanonicalJson } from "./model/canonical.js";
export { toMarkdown } from "./model/markdown.js";
export { toIndexMarkdown, toIdsJson, textFileName, type RegistryEntry, type IndexMarkdownOptions } from "./model/registry-files.js";
export { findConflicts, type Conflict, type ConflictKind, type ModelInFile } from "./model/conflicts.js";
export { summarize, type ModelSummary } from "./model/summary.js";
export { slugOf, modelFileName } from "./model/slug.js";
export { OIFM_ID_PATTERN, OIFMA_ID_PATTERN, VALUE_CODE_PATTERN, SOURCE_CODE_PATTERN, newId, valueCode } from "./model/ids.js";
export { createStub, standardAttribute, type StubInfo } from "./model/stub.js";
export { generateModels, iterateModels, type SyntheticOptions } from "./model/synthetic.js";

// Folders of model files: load, check, export.
export { loadModelFile, type LoadedModel } from "./index/load-model.js";
export { checkModelFiles, MissingPathError, type CheckOptions, type CheckReport } from "./index/check-folder.js";
export { exportRegistry, type ExportReport } from "./index/export.js";
export { updateRegistry, NotARegistryError, type RegistryOptions, type RegistryReport } from "./index/update-registry.js";
export { findModelFiles, MODEL_FILE_SUFFIX } from "./index/scan.js";
export type { FileError } from "./index/process-files.js";

// The index.
export { openIndex, DEFAULT_DB_FILE, type OpenIndexOptions } from "./index/open-index.js";
export { FindingModelIndex, IndexWriteError, type IndexOptions, type SearchOptions } from "./index/finding-model-index.js";
export { SearchQueryError } from "./index/search/query-input.js";
export type { SyncOptions, SyncReport } from "./index/sync.js";
export { checkIndex, CheckFolderError, type IndexCheckReport, type IndexProblem } from "./index/check-index.js";
export type { Store, IntegrityRead, IndexEntry, EntryRecord, ContributorRef, AttributeRef, Page, SlugMatch, StoreStats } from "./store/store.js";
export { StoreError } from "./store/store.js";
export { openSqliteStore } from "./store/sqlite/open.js";
export { openPostgresStore } from "./store/postgres/open.js";

// Performance helpers.
export { PerformanceMonitor, type OperationStats } from "./perf/monitor.js";
export { QueryCache, cacheKey } from "./perf/query-cache.js";
