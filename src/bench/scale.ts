// The scale curve: synthetic models (the project's generator, written by the CLI's `generate`, one
// model at a time) at 10,000 (for the memory targets), and with --full at 1,000, 10,000 and
// 100,000. At each size, as whole processes:
// cold sync (with its peak memory and CPU), sync with nothing changed and with one file changed,
// each beside its floor; then search p50/p99 in this process, and the database size.
// With --full the curve is written to docs/scale.json and docs/scale.svg.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openIndex } from "../index/open-index.js";
import { chart } from "./chart.js";
import type { Bench } from "./context.js";
import { fileChanger, floorArgs, LIST_STAT, rawFtsTimes, READ_HASH_PARSE, removeDb, syncArgs } from "./floors.js";
import { median, perCall, percentile, runNode, timeProcess } from "./measure.js";
import { benchQueries } from "./queries.js";
import { machine } from "./report.js";

export interface ScalePoint {
  models: number;
  generateMs: number;
  coldSyncMs: number;
  coldSyncPeakMb: number;
  /** CPU time / wall time of the cold sync: how many cores it kept busy. */
  coldSyncCores: number;
  readHashParseFloorMs: number;
  noopSyncMs: number;
  noopSyncPeakMb: number;
  listStatFloorMs: number;
  oneFileSyncMs: number;
  searchP50Ms: number;
  searchP99Ms: number;
  /** The raw FTS5 query of all the terms, top 10 ids: the floor of search. */
  rawFtsP50Ms: number;
  dbMb: number;
  runs: number;
}

/** Memory targets: the plan's (500 MB for 10k models) and ours (150 MB for 10k, 1 GB for 100k). */
const MEMORY_TARGETS: Array<{ models: number; mb: number; whose: string }> = [
  { models: 10_000, mb: 500, whose: "plan" },
  { models: 10_000, mb: 150, whose: "ours" },
  { models: 100_000, mb: 1024, whose: "ours" },
];

export async function scaleSection(b: Bench): Promise<void> {
  const sizes = b.full ? [1_000, 10_000, 100_000] : [10_000];
  b.report.heading("scale", `Scale: synthetic models, whole processes (${sizes.map((n) => n.toLocaleString("en-US")).join(", ")})`);
  const points: ScalePoint[] = [];
  for (const n of sizes) points.push(await measureSize(b, n));
  const slopes = growth(points);
  for (const s of slopes) {
    b.report.add({ name: `growth ${s.from.toLocaleString("en-US")} -> ${s.to.toLocaleString("en-US")}: cold sync ~ n^k, k =`, value: s.coldSync, unit: "exponent", note: `no-op ${s.noopSync.toFixed(2)}, one file ${s.oneFileSync.toFixed(2)}, search p50 ${s.searchP50.toFixed(2)}, memory ${s.peakMb.toFixed(2)}, database ${s.dbMb.toFixed(2)}` });
  }
  if (b.full) writeDocs(b, points, slopes);
}

async function measureSize(b: Bench, n: number): Promise<ScalePoint> {
  const { report } = b;
  const label = n.toLocaleString("en-US");
  const runs = n <= 1_000 ? b.processRuns : n <= 10_000 ? Math.min(b.processRuns, 2) : 1;
  const dir = path.join(b.work, `synthetic-${n}`);
  const generated = runNode([b.cli, "generate", dir, "--count", String(n), "--json"]);
  if (generated.status !== 0) throw new Error(`generate ${n} failed: ${generated.stderr}`);
  const db = path.join(b.work, `synthetic-${n}.db`);

  const cold = timeProcess(runs, () => syncArgs(b, dir, db), () => removeDb(db));
  const coldFloor = timeProcess(runs, () => floorArgs(READ_HASH_PARSE, dir)).ms;
  report.versus(`${label}: cold sync`, cold.ms, "floor", { name: "read + hash + parse", value: coldFloor }, "ms", undefined, `${(cold.cpuMs / cold.ms).toFixed(2)} cores busy`);
  const memory = MEMORY_TARGETS.filter((t) => t.models === n);
  report.add({
    name: `${label}: cold sync peak memory`,
    value: cold.peakMb,
    unit: "MB",
    ...(memory.length > 0 ? { target: memory.map((t) => `under ${t.mb} MB (${t.whose})`).join(", "), met: memory.every((t) => cold.peakMb < t.mb) } : {}),
    ...(memory.length > 1 ? { note: memory.map((t) => `${t.whose}: ${cold.peakMb < t.mb ? "met" : "NOT met"}`).join(", ") } : {}),
  });
  const noop = timeProcess(runs, () => syncArgs(b, dir, db));
  const listStat = timeProcess(runs, () => floorArgs(LIST_STAT, dir)).ms;
  report.versus(`${label}: sync, nothing changed`, noop.ms, "floor", { name: "list + stat", value: listStat }, "ms");
  const first = readdirSync(dir).filter((f) => f.endsWith(".fm.json")).sort()[0]!;
  const changer = fileChanger(path.join(dir, first));
  const oneFile = timeProcess(runs, () => syncArgs(b, dir, db), changer.change);
  changer.restore();
  report.versus(`${label}: sync, one file changed`, oneFile.ms, "floor", { name: "list + stat", value: listStat }, "ms");

  const index = await openIndex({ db, cache: false, readonly: true });
  const queries = benchQueries(dir);
  const times = await perCall(queries, Math.max(3, b.runs), (q) => index.search(q));
  await index.close();
  const floor = rawFtsTimes(db, queries, Math.max(3, b.runs));
  const dbMb = (size(db) + size(db + "-wal")) / 2 ** 20;
  report.versus(`${label}: search p50 (${queries.length} queries)`, median(times), "floor", { name: "raw FTS5 MATCH, all terms", value: median(floor) }, "ms");
  report.versus(`${label}: search p99`, percentile(times, 99), "floor", { name: "raw FTS5 MATCH, all terms", value: percentile(floor, 99) }, "ms");
  report.add({ name: `${label}: database size`, value: dbMb, unit: "MB", note: `${((dbMb * 2 ** 20) / n / 1024).toFixed(1)} KB per model` });
  removeDb(db);
  rmSync(dir, { recursive: true, force: true });
  return {
    models: n,
    generateMs: generated.ms,
    coldSyncMs: cold.ms,
    coldSyncPeakMb: cold.peakMb,
    coldSyncCores: cold.cpuMs / cold.ms,
    readHashParseFloorMs: coldFloor,
    noopSyncMs: noop.ms,
    noopSyncPeakMb: noop.peakMb,
    listStatFloorMs: listStat,
    oneFileSyncMs: oneFile.ms,
    searchP50Ms: median(times),
    searchP99Ms: percentile(times, 99),
    rawFtsP50Ms: median(floor),
    dbMb,
    runs,
  };
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

interface Slope {
  from: number;
  to: number;
  coldSync: number;
  noopSync: number;
  oneFileSync: number;
  searchP50: number;
  peakMb: number;
  dbMb: number;
}

/** Between neighbouring sizes, k in cost ~ n^k (1: linear; 0: flat). */
function growth(points: readonly ScalePoint[]): Slope[] {
  const k = (a: number, b: number, na: number, nb: number) => Math.log(b / a) / Math.log(nb / na);
  return points.slice(1).map((p, i) => {
    const q = points[i]!;
    return {
      from: q.models,
      to: p.models,
      coldSync: k(q.coldSyncMs, p.coldSyncMs, q.models, p.models),
      noopSync: k(q.noopSyncMs, p.noopSyncMs, q.models, p.models),
      oneFileSync: k(q.oneFileSyncMs, p.oneFileSyncMs, q.models, p.models),
      searchP50: k(q.searchP50Ms, p.searchP50Ms, q.models, p.models),
      peakMb: k(q.coldSyncPeakMb, p.coldSyncPeakMb, q.models, p.models),
      dbMb: k(q.dbMb, p.dbMb, q.models, p.models),
    };
  });
}

function writeDocs(b: Bench, points: ScalePoint[], slopes: Slope[]): void {
  const docs = path.join(b.root, "docs");
  mkdirSync(docs, { recursive: true });
  const m = machine();
  const date = new Date().toISOString();
  const units = { ms: "milliseconds (medians of the runs)", Mb: "megabytes (2^20 bytes)", cores: "CPU time / wall time" };
  writeFileSync(path.join(docs, "scale.json"), JSON.stringify({ date, machine: m, units, points, growth: slopes }, null, 2) + "\n");
  const xs = points.map((p) => p.models);
  const col = (f: (p: ScalePoint) => number) => points.map(f);
  const svg = chart(
    "findingmodel scale curve",
    xs,
    [
      {
        title: "Sync (whole process)",
        unit: "ms",
        series: [
          { name: "cold sync", values: col((p) => p.coldSyncMs), color: "#1f77b4" },
          { name: "floor: read + hash + parse", values: col((p) => p.readHashParseFloorMs), color: "#1f77b4", dashed: true },
          { name: "sync, one file changed", values: col((p) => p.oneFileSyncMs), color: "#d62728" },
          { name: "sync, nothing changed", values: col((p) => p.noopSyncMs), color: "#2ca02c" },
          { name: "floor: list + stat", values: col((p) => p.listStatFloorMs), color: "#2ca02c", dashed: true },
        ],
      },
      {
        title: "Search (in process)",
        unit: "ms",
        series: [
          { name: "p99", values: col((p) => p.searchP99Ms), color: "#9467bd" },
          { name: "p50", values: col((p) => p.searchP50Ms), color: "#8c564b" },
          { name: "floor: raw FTS5 query p50", values: col((p) => p.rawFtsP50Ms), color: "#8c564b", dashed: true },
        ],
      },
      {
        title: "Memory and disk",
        unit: "MB",
        series: [
          { name: "cold sync peak RSS", values: col((p) => p.coldSyncPeakMb), color: "#ff7f0e" },
          { name: "database file", values: col((p) => p.dbMb), color: "#7f7f7f" },
        ],
        marks: MEMORY_TARGETS.filter((t) => xs.includes(t.models)).map((t) => ({ x: t.models, y: t.mb, label: `${t.whose} ${t.mb} MB` })),
      },
    ],
    `${m.cpu} x${m.cores}, ${m.memoryGb} GB, Node ${m.node}, ${date.slice(0, 10)}; medians; see docs/performance.md`,
  );
  writeFileSync(path.join(docs, "scale.svg"), svg);
  console.log(`wrote ${path.join(docs, "scale.json")} and scale.svg`);
}
