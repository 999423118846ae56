// The library as a stranger meets it: `import { ... } from "findingmodel"`. Its names are exactly
// those below (no internals), every type a public declaration names can be imported too, the option
// types carry no benchmark switches, and the @example of each main entry runs as written against
// the installed package name, on a copy of the registry.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIfStale, ROOT } from "./cli-run.js";
import { DEFS } from "./corpus.js";

/** Every name `import { ... } from "findingmodel"` offers: functions, classes, constants and types. */
const PUBLIC_NAMES = [
  // model
  "Attribute", "AttributeIded", "ChoiceAttribute", "ChoiceAttributeIded", "ChoiceValue", "ChoiceValueIded", "Conflict", "ConflictKind", "Contributor", "FindingModelBase",
  "FindingModelFull", "IndexCode", "IndexMarkdownOptions", "JsonTextError", "JsonTextResult", "MAX_JSON_DEPTH", "ModelInFile", "ModelIssue", "ModelSummary", "NumericAttribute",
  "NumericAttributeIded", "OIFMA_ID_PATTERN", "OIFM_ID_PATTERN", "Organization", "Person", "RegistryEntry", "SOURCE_CODE_PATTERN", "StandardAttributeKind", "StubInfo", "SyntheticOptions",
  "VALUE_CODE_PATTERN", "ValidationResult", "createStub", "findConflicts", "generateModels", "isPerson", "iterateModels", "modelFileName", "newId", "parseJsonText",
  "slugOf", "standardAttribute", "summarize", "textFileName", "toCanonicalJson", "toIdsJson", "toIndexMarkdown", "toMarkdown", "validateFindingModel",
  "validateFindingModelBase", "valueCode",
  // errors
  "CliErrorKind", "CodedError", "ERRORS", "ErrorCode", "ErrorDefinition", "codeOf", "errorDefinition",
  // folders of model files
  "CheckOptions", "CheckReport", "ExportReport", "FileError", "FoundFiles", "LoadedModel", "MissingPathError", "NotARegistryError", "RegistryOptions",
  "RegistryReport", "ScanProblem", "checkModelFiles", "exportRegistry", "findModelFiles", "loadModelFile", "updateRegistry",
  // the index
  "CheckFolderError", "DEFAULT_DB_FILE", "FindingModelIndex", "IndexCheckReport", "IndexLocationError", "InvalidRequestError", "IndexOptions", "IndexProblem", "IndexWriteError",
  "OpenIndexOptions", "RemovalPlan", "SearchOptions", "SearchQueryError", "SyncDeclinedError", "SyncDirectoryError", "SyncOptions", "SyncReport", "checkIndex",
  "openIndex", "SearchMode",
  // semantic search
  "BuiltinEmbeddings", "BuiltinEmbeddingsOptions", "EmbedReport", "EmbeddingsConfig", "EmbeddingsError", "EmbeddingsProvider", "SearchAnswer", "SemanticOptions",
  // stores
  "AttributeRef", "ChangeParts", "ContributorRef", "EntryRecord", "FileState", "IndexEntry", "IntegrityRead", "OpenElsewhere", "Page", "PostgresOpenOptions", "PostgresPoolOptions", "SlugMatch",
  "SnapshotScope", "SqliteOpenOptions", "Store", "StoreError", "StoreErrorCode", "StoreStats", "StoredVector", "SyncChanges", "TextSearchOptions", "ValidationSnapshot", "openPostgresStore",
  "openSqliteStore",
  // timing
  "OperationStats", "PerformanceMonitor", "PerformanceMonitorOptions",
].sort();

/** The entries a newcomer starts from: each has an @example that runs. */
const MAIN_ENTRIES: Record<string, { symbol: string; member?: string; prints: RegExp }> = {
  openIndex: { symbol: "openIndex", prints: /^\d{4} models$/m },
  sync: { symbol: "FindingModelIndex", member: "sync", prints: /^0 0 0 \d{4}$/m },
  search: { symbol: "FindingModelIndex", member: "search", prints: /^OIFM_\w+ pulmonary nodule$/im },
  searchBatch: { symbol: "FindingModelIndex", member: "searchBatch", prints: /^pneumothorax \[ 'pneumothorax'/m },
  getFull: { symbol: "FindingModelIndex", member: "getFull", prints: /presence/ },
  loadModelFile: { symbol: "loadModelFile", prints: /^# Pneumothorax/im },
  checkModelFiles: { symbol: "checkModelFiles", prints: /^(\d{4}) of \1 valid$/m },
  exportRegistry: { symbol: "exportRegistry", prints: /^\d{4} written, 0 up to date$/m },
  createStub: { symbol: "createStub", prints: /"name": "pulmonary nodule"/ },
};

/** What the compiler sees of src/lib.ts. */
function publicApi() {
  const program = ts.createProgram([path.join(ROOT, "src/lib.ts")], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const lib = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, "src/lib.ts"))!)!;
  const exported = checker.getExportsOfModule(lib);
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  return { checker, exported, resolve, byName: new Map(exported.map((s) => [s.name, resolve(s)])) };
}

const api = publicApi();

describe("the public API", () => {
  it("exports exactly the names a library user needs, and no internals", async () => {
    expect(api.exported.map((s) => s.name).sort()).toEqual(PUBLIC_NAMES);
    // The values are there at run time, from the package's own entry.
    buildIfStale();
    const runtime = Object.keys(await import(path.join(ROOT, "dist/lib.js"))).sort();
    const values = api.exported.filter((s) => api.resolve(s).flags & ts.SymbolFlags.Value).map((s) => s.name).sort();
    expect(runtime).toEqual(values);
    for (const internal of ["QueryCache", "cacheKey", "MODEL_FILE_SUFFIX", "syncFolder", "syncFiles", "SyncTuning", "SearchTuning", "SqliteTuning", "PostgresTuning"]) {
      expect(PUBLIC_NAMES).not.toContain(internal);
    }
  }, 120_000);

  it("names in its declarations only types a user can import", () => {
    const exported = new Set(api.byName.values());
    const missing = new Set<string>();
    const visit = (node: ts.Node): void => {
      // Bodies and private members are not part of the API.
      if (ts.isBlock(node)) return;
      if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return;
      if ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && ts.isPrivateIdentifier(node.name)) return;
      if (ts.isPropertyDeclaration(node) && node.type === undefined) return; // inferred from its initializer: private state
      if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
        const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
        const symbol = api.checker.getSymbolAtLocation(name);
        const target = symbol && api.resolve(symbol);
        const declaration = target?.declarations?.[0];
        const file = declaration?.getSourceFile().fileName ?? "";
        if (target && file.startsWith(path.join(ROOT, "src")) && !exported.has(target) && !(target.flags & ts.SymbolFlags.TypeParameter)) missing.add(`${target.name} (${path.relative(ROOT, file)})`);
      }
      ts.forEachChild(node, visit);
    };
    for (const symbol of exported) for (const declaration of symbol.declarations ?? []) visit(declaration);
    expect([...missing].sort()).toEqual([]);
  });

  it("keeps the benchmark's switches out of the option types", () => {
    const props = (name: string) =>
      api.checker
        .getDeclaredTypeOfSymbol(api.byName.get(name)!)
        .getProperties()
        .map((p) => p.name)
        .sort();
    expect(props("SyncOptions")).toEqual(["allowDuplicateSynonyms", "confirmRemoval", "onEmbedProgress", "onProgress", "onThread", "onWait", "skipInvalid", "strictSynonyms", "threads"]);
    expect(props("IndexOptions")).toEqual(["cache", "embeddings", "monitor", "onSearchNote", "semantic", "staleSearchMs"]);
    expect(props("OpenIndexOptions")).toEqual(["busyTimeoutMs", "cache", "db", "embeddings", "embeddingsConfig", "monitor", "onSearchNote", "onWait", "postgres", "readonly", "semantic", "staleSearchMs"]);
    expect(props("SqliteOpenOptions")).toEqual(["busyTimeoutMs", "readonly"]);
    expect(props("PostgresOpenOptions")).toEqual(["connectTimeoutMs", "idleTimeoutMs", "poolMax", "poolMin", "readonly", "schema", "statementTimeoutMs"]);
    expect(props("CheckOptions")).toEqual(["onProgress", "reformat"]);
  });
});

describe("the examples of the main entries", () => {
  const work = mkdtempSync(path.join(tmpdir(), "fm-lib-examples-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

  /** The code of the @example of `entry` (the fenced block of its TSDoc). */
  const exampleOf = (entry: string): string => {
    const { symbol, member } = MAIN_ENTRIES[entry]!;
    let target = api.byName.get(symbol)!;
    if (member) target = api.checker.getDeclaredTypeOfSymbol(target).getProperty(member)!;
    const tag = target.getJsDocTags(api.checker).find((t) => t.name === "example");
    const text = ts.displayPartsToString(tag?.text);
    const code = /```ts\n([\s\S]*?)```/.exec(text)?.[1];
    if (!code) throw new Error(`${entry} has no @example with a \`\`\`ts block`);
    return code;
  };

  beforeAll(() => {
    buildIfStale();
    // A folder as a user's project has it: the package installed under its name, and model files.
    mkdirSync(path.join(work, "node_modules"));
    symlinkSync(ROOT, path.join(work, "node_modules", "findingmodel"));
    writeFileSync(path.join(work, "package.json"), JSON.stringify({ type: "module" }));
    cpSync(DEFS, path.join(work, "defs"), { recursive: true });
  }, 60_000);

  // In this order: the ones that read the index find it made by the ones before.
  for (const entry of ["openIndex", "sync", "search", "searchBatch", "getFull", "loadModelFile", "checkModelFiles", "exportRegistry", "createStub"]) {
    it(`${entry}: runs as written`, async () => {
      const file = path.join(work, `${entry}.mjs`);
      // The examples are TypeScript that is also JavaScript: they run as they are.
      writeFileSync(file, exampleOf(entry));
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [file], { cwd: work, encoding: "utf8" });
      expect(stderr).toBe("");
      expect(stdout).toMatch(MAIN_ENTRIES[entry]!.prints);
    }, 60_000);
  }
});
