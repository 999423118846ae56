// What every part of the bench shares: where things are, the registry (a private copy, since some
// figures change files), an index of it, the queries, and the report.
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openIndex } from "../index/open-index.js";
import { firstReachable, localServerCandidates } from "../store/postgres/local-server.js";
import type { QualityModel } from "./quality.js";
import { benchQueries } from "./queries.js";
import type { Report } from "./report.js";

export interface Bench {
  report: Report;
  /** Runs (or rounds) per in-process figure; medians are taken over them. */
  runs: number;
  /** Runs per whole-process figure (at most 3: each is a second or more). */
  processRuns: number;
  /** --full: the scale curve up to 100,000 models, and docs/scale.json + docs/scale.svg. */
  full: boolean;
  /** --hybrid: the eval sets also scored by hybrid search with the built-in embeddings model. */
  hybrid: boolean;
  /**
   * A PostgreSQL server for its figures (batched writes, search quality), in schemas of their own,
   * dropped after: --postgres <url>, else the one the tests use, if it answers (local-server.ts).
   */
  postgres?: string;
  /** The project (where docs/ is). */
  root: string;
  /** The compiled CLI. */
  cli: string;
  /** The registry's definitions (read only). */
  defs: string;
  /** The registry's published JSON Schema. */
  schemaFile: string;
  /** A scratch folder, removed at the end. */
  work: string;
  /** A copy of the registry's definitions in `work`, which figures may change (and put back). */
  copy: string;
  /** An index of `copy`. */
  registryDb: string;
  registryCount: number;
  /** The registry's file names, sorted (and `models` in the same order). */
  files: string[];
  /** The registry's models as their files hold them, in file-name order. */
  models: Array<QualityModel & { tags?: string[]; attributes: Array<{ name: string }>; description: string }>;
  /** 100 everyday queries drawn from the registry (see queries.ts). */
  queries: string[];
}

export async function prepareBench(report: Report, options: { runs: number; full: boolean; hybrid: boolean; postgres?: string }): Promise<Bench> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const corpus = process.env.FINDINGMODEL_CORPUS ?? path.join(root, "fixtures/registry");
  const defs = path.join(corpus, "defs");
  const work = mkdtempSync(path.join(tmpdir(), "fm-bench-"));
  const copy = path.join(work, "defs");
  cpSync(defs, copy, { recursive: true });
  const files = readdirSync(defs).filter((f) => f.endsWith(".fm.json")).sort();
  const models = files.map((f) => JSON.parse(readFileSync(path.join(defs, f), "utf8")) as Bench["models"][number]);
  const registryDb = path.join(work, "registry.db");
  const index = await openIndex({ db: registryDb });
  await index.sync(copy);
  await index.close();
  return {
    report,
    ...options,
    postgres: options.postgres ?? (await firstReachable(localServerCandidates(), 2000)),
    processRuns: Math.min(options.runs, 3),
    root,
    cli: path.join(root, "dist/cli/main.js"),
    defs,
    schemaFile: path.join(corpus, "schema/finding_model.schema.json"),
    work,
    copy,
    registryDb,
    registryCount: files.length,
    files,
    models,
    queries: benchQueries(defs),
  };
}
