// The library's public API: `import { ... } from "findingmodel"`.

// Model: types, reading, validation, canonical form, Markdown, registry files, IDs, stubs.
export type * from "./model/types.js";
export { isPerson } from "./model/types.js";
export { MAX_JSON_DEPTH, parseJsonText, type JsonTextError, type JsonTextResult } from "./model/json-text.js";
export { validateFindingModel, validateFindingModelBase, type ModelIssue, type ValidationResult } from "./model/validate.js";
export { toCanonicalJson } from "./model/canonical.js";
export { toMarkdown } from "./model/markdown.js";
export { toIndexMarkdown, toIdsJson, textFileName, type RegistryEntry, type IndexMarkdownOptions } from "./model/registry-files.js";
export { findConflicts, type Conflict, type ConflictKind, type ModelInFile } from "./model/conflicts.js";
export { summarize, type ModelSummary } from "./model/summary.js";
export { slugOf, modelFileName } from "./model/slug.js";
export { OIFM_ID_PATTERN, OIFMA_ID_PATTERN, VALUE_CODE_PATTERN, SOURCE_CODE_PATTERN, newId, valueCode } from "./model/ids.js";
export { createStub, standardAttribute, type StubInfo, type StandardAttributeKind } from "./model/stub.js";
export { generateModels, iterateModels, type SyntheticOptions } from "./model/synthetic.js";

// Folders of model files: load, check, export.
export { loadModelFile, type LoadedModel } from "./index/load-model.js";
export { checkModelFiles, MissingPathError, type CheckOptions, type CheckReport } from "./index/check-folder.js";
export { exportRegistry, type ExportReport } from "./index/export.js";
export { updateRegistry, NotARegistryError, type RegistryOptions, type RegistryReport } from "./index/update-registry.js";
export { findModelFiles, type FoundFiles, type ScanProblem } from "./index/scan.js";
export type { FileError } from "./index/process-files.js";

// Errors: each a CodedError whose stable `code` (ERRORS) says what kind it is; bad input (a
// missing folder, a bad query, …) an InvalidRequestError, a database problem a StoreError.
export { CodedError, codeOf, ERRORS, errorDefinition, type ErrorCode, type ErrorDefinition, type CliErrorKind } from "./model/errors.js";
export { InvalidRequestError } from "./index/errors.js";

// The index.
export { openIndex, IndexLocationError, DEFAULT_DB_FILE, type OpenIndexOptions } from "./index/open-index.js";
export { FindingModelIndex, IndexWriteError, type IndexOptions, type SearchOptions, type SearchMode } from "./index/finding-model-index.js";
export { SearchQueryError } from "./index/search/query-input.js";
export { SyncDeclinedError, SyncDirectoryError, type RemovalPlan, type SyncOptions, type SyncReport } from "./index/sync.js";
export { checkIndex, CheckFolderError, type IndexCheckReport, type IndexProblem } from "./index/check-index.js";

// Semantic (hybrid) search: an embeddings provider and what it reports.
export type { EmbeddingsProvider } from "./index/embeddings/provider.js";
export { EmbeddingsError } from "./index/embeddings/provider.js";
export { BuiltinEmbeddings, type BuiltinEmbeddingsOptions } from "./index/embeddings/builtin-embeddings.js";
export type { EmbeddingsConfig } from "./index/embeddings/from-environment.js";
export type { EmbedReport } from "./index/embeddings/embed-index.js";
export type { SearchAnswer } from "./index/embeddings/hybrid.js";
export type { SemanticOptions } from "./index/embeddings/semantic-search.js";

// Stores: the engines the index runs on, and the interface another engine would implement.
export type {
  Store,
  IntegrityRead,
  OpenElsewhere,
  IndexEntry,
  EntryRecord,
  ContributorRef,
  AttributeRef,
  Page,
  SlugMatch,
  StoreStats,
  FileState,
  SnapshotScope,
  ValidationSnapshot,
  SyncChanges,
  ChangeParts,
  TextSearchOptions,
  StoredVector,
} from "./store/store.js";
export { StoreError, type StoreErrorCode } from "./store/store.js";
export { openSqliteStore, type SqliteOpenOptions } from "./store/sqlite/open.js";
export { openPostgresStore, type PostgresOpenOptions } from "./store/postgres/open.js";
export type { PostgresPoolOptions } from "./store/postgres/config.js";

// Timing of the index's operations (FindingModelIndex.monitor).
export { PerformanceMonitor, type OperationStats, type PerformanceMonitorOptions } from "./perf/monitor.js";
