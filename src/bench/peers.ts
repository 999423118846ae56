// Peers: what a TypeScript developer would reach for instead, on the same data in the same run.
//   validation: ajv (with ajv-formats) compiled from the registry's published JSON Schema
//   search:     MiniSearch over the same fields with the same weights, prefix and fuzzy matching on
// Ratios are ours / theirs: below 1 we are faster (or smaller); above 1 the peer wins.
import { BM25_WEIGHTS, FTS_COLUMNS } from "../store/sqlite/weights.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import formatsModule from "ajv-formats";
import MiniSearch from "minisearch";
import { FindingModelIndex } from "../index/finding-model-index.js";
import { validateFindingModel } from "../model/validate.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import type { Bench } from "./context.js";
import { floorArgs } from "./floors.js";
import { compare, median, perCall, percentile, timeProcess } from "./measure.js";
import { benchQualityQueries, scoreSearch } from "./quality.js";

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((formatsModule as unknown as { default?: AddFormats }).default ?? formatsModule) as unknown as AddFormats;

export async function peersSection(b: Bench): Promise<void> {
  b.report.heading("peers", "Peers on the same data: ours / theirs (below 1: ours is faster or smaller)");
  await validation(b);
  await search(b);
}

function compileAjv(schemaFile: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")) as object);
}

/** Ways to break a valid model, each something an editor of the registry could do. */
const BREAKAGES: Array<[string, (m: Record<string, any>) => boolean]> = [
  ["name missing", (m) => delete m.name],
  ["malformed model ID", (m) => ((m.oifm_id = "OIFM_X_1"), true)],
  ["name too short", (m) => ((m.name = "ab"), true)],
  ["misspelt field (synonym for synonyms)", (m) => ((m.synonym = ["x"]), true)],
  ["attribute type misspelt", (m) => ((m.attributes[0].type = "choise"), true)],
  ["synonyms as a string", (m) => ((m.synonyms = "x y"), true)],
  ["choice attribute with one value", (m) => {
    const a = m.attributes.find((x: { type: string }) => x.type === "choice");
    if (!a) return false;
    a.values = a.values.slice(0, 1);
    return true;
  }],
  ["numeric maximum below minimum", (m) => {
    const a = m.attributes.find((x: { type: string }) => x.type === "numeric");
    if (!a) return false;
    a.minimum = 10;
    a.maximum = 1;
    return true;
  }],
  ["attribute ID used twice in the model", (m) => {
    if (m.attributes.length < 2) return false;
    m.attributes[1].oifma_id = m.attributes[0].oifma_id;
    return true;
  }],
  ["person with a malformed email", (m) => {
    const p = (m.contributors ?? []).find((c: { github_username?: string }) => c.github_username);
    if (!p) return false;
    p.email = "not an email";
    return true;
  }],
];

async function validation(b: Bench): Promise<void> {
  const { report, runs } = b;
  const values = b.files.map((f) => JSON.parse(readFileSync(path.join(b.defs, f), "utf8")) as unknown);
  const validate = compileAjv(b.schemaFile);
  const theirsValid = values.filter((v) => validate(v)).length;
  const oursValid = values.filter((v) => validateFindingModel(v).ok).length;
  const t = await compare(
    runs,
    { run: () => values.forEach((v) => validateFindingModel(v)) },
    { run: () => values.forEach((v) => validate(v)) },
  );
  report.versus(`validate ${values.length.toLocaleString("en-US")} parsed models (all valid to both: ${oursValid === theirsValid})`, t.a, "peer", { name: "ajv, compiled", value: t.b }, "ms", undefined, "ours also builds the normalized model");

  // Starting up, as a command does each time: load the validator (and compile the schema), whole process.
  const ours = `await import(${JSON.stringify(new URL("../model/validate.js", import.meta.url).href)});`;
  const theirs = `
    const { Ajv } = await import("ajv");
    const formats = (await import("ajv-formats")).default;
    const { readFileSync } = await import("node:fs");
    const ajv = new Ajv({ allErrors: true, strict: false });
    formats(ajv);
    ajv.compile(JSON.parse(readFileSync(process.argv[1], "utf8")));`;
  const start = (code: string) => timeProcess(b.processRuns, () => floorArgs(code, b.schemaFile)).ms;
  const cwd = process.cwd();
  process.chdir(b.root); // so that `import("ajv")` in the child resolves from the project
  const oursStart = start(ours);
  const theirsStart = start(theirs);
  process.chdir(cwd);
  report.versus("a process that loads the validator (and compiles the schema)", oursStart, "peer", { name: "ajv + ajv-formats + compile", value: theirsStart }, "ms");

  // Error quality: valid models broken in ways an editor could, each kind on 100 models.
  const sample = values.filter((_, i) => i % Math.floor(values.length / 100) === 0).slice(0, 100);
  for (const [what, breakIt] of BREAKAGES) {
    let n = 0;
    let oursCaught = 0;
    let theirsCaught = 0;
    for (const v of sample) {
      const broken = structuredClone(v) as Record<string, any>;
      if (!breakIt(broken)) continue;
      n++;
      if (!validateFindingModel(broken).ok) oursCaught++;
      if (!validate(broken)) theirsCaught++;
    }
    report.versus(`broken models caught: ${what} (of ${n})`, oursCaught, "peer", { name: "ajv", value: theirsCaught }, "models");
  }
}

export interface Doc {
  id: string;
  name: string;
  synonyms: string;
  description: string;
  tags: string;
  attributes: string;
}

const FIELDS = [...FTS_COLUMNS];
const SEARCH_OPTIONS = { boost: { ...BM25_WEIGHTS }, prefix: true, fuzzy: 0.2 };

/** MiniSearch over the registry's models: the fields and weights of our search, prefix and fuzzy matching on. */
export function buildMiniSearch(models: Bench["models"]): MiniSearch<Doc> {
  const docs: Doc[] = models.map((m) => ({
    id: m.oifm_id,
    name: m.name,
    synonyms: (m.synonyms ?? []).join("\n"),
    description: m.description,
    tags: (m.tags ?? []).join("\n"),
    attributes: m.attributes.map((a) => a.name).join("\n"),
  }));
  const ms = new MiniSearch<Doc>({ fields: FIELDS, searchOptions: SEARCH_OPTIONS });
  ms.addAll(docs);
  return ms;
}

async function search(b: Bench): Promise<void> {
  const { report, runs } = b;
  const build = () => buildMiniSearch(b.models);
  const mini = build();
  const store = await openSqliteStore(b.registryDb, { readonly: true });
  const index = new FindingModelIndex(store, { cache: false });
  const ours = await perCall(b.queries, Math.max(3, runs), (q) => index.search(q));
  const theirs = await perCall(b.queries, Math.max(3, runs), (q) => mini.search(q).slice(0, 10));
  report.versus(`search, ${b.queries.length} everyday queries: p50`, median(ours), "peer", { name: "MiniSearch", value: median(theirs) }, "ms");
  report.versus(`search, ${b.queries.length} everyday queries: p99`, percentile(ours, 99), "peer", { name: "MiniSearch", value: percentile(theirs, 99) }, "ms");

  // Ready to search in a new process: ours opens its file; MiniSearch rebuilds, or loads its saved JSON.
  const json = JSON.stringify(mini);
  const times = { open: [] as number[], build: [] as number[], load: [] as number[] };
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const s = await openSqliteStore(b.registryDb, { readonly: true });
    await new FindingModelIndex(s, { cache: false }).search("pulmonary nodule");
    times.open.push(performance.now() - t);
    await s.close();
    t = performance.now();
    build().search("pulmonary nodule");
    times.build.push(performance.now() - t);
    t = performance.now();
    MiniSearch.loadJSON<Doc>(json, { fields: FIELDS, searchOptions: SEARCH_OPTIONS }).search("pulmonary nodule");
    times.load.push(performance.now() - t);
  }
  report.versus("open the index and answer a first query", median(times.open), "peer", { name: "MiniSearch.loadJSON of its saved index", value: median(times.load) }, "ms");
  report.versus("open the index and answer a first query ", median(times.open), "peer", { name: "MiniSearch built from the models", value: median(times.build) }, "ms");

  // Quality on the same query set as quality.ts.
  const queries = benchQualityQueries(b);
  const oursQ = await scoreSearch(queries, async (q) => (await index.search(q, { limit: 10 })).map((e) => e.oifm_id));
  const miniTimes: number[] = [];
  const theirsQ = await scoreSearch(queries, (q) => {
    const t = performance.now();
    const ids = mini.search(q).slice(0, 10).map((r) => r.id as string);
    miniTimes.push(performance.now() - t);
    return ids;
  });
  await store.close();
  report.versus(`quality set (${queries.length.toLocaleString("en-US")} queries): recall@5`, oursQ.recallAt5, "peer", { name: "MiniSearch", value: theirsQ.recallAt5 }, "share");
  report.versus("quality set: MRR", oursQ.mrr, "peer", { name: "MiniSearch", value: theirsQ.mrr }, "share");
  for (const [rule, s] of Object.entries(theirsQ.byRule)) {
    report.versus(`quality set, ${rule}: recall@5`, oursQ.byRule[rule as keyof typeof theirsQ.byRule].recallAt5, "peer", { name: "MiniSearch", value: s.recallAt5 }, "share");
  }
  report.add({ name: "MiniSearch per query of the quality set: p50", value: median(miniTimes), unit: "ms" });
}
