// `npm run bench`: the figures of the performance plan, each beside its floor (what the same work
// costs at the least), medians of several whole-process runs on the real registry.
//   --json <file>   also write every figure as JSON
//   --runs <n>      runs per figure (default 5)
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openIndex } from "../index/open-index.js";
import { floorArgs, LIST_STAT, READ_HASH_PARSE, READ_PARSE, READ_PARSE_WRITE } from "./floors.js";
import { median, percentile, timeProcess } from "./measure.js";
import { benchQueries } from "./queries.js";

interface Figure {
  name: string;
  value: number;
  unit: string;
  floor?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option("--runs") ?? 5);
const jsonFile = option("--json");
const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist/cli/main.js");
const corpus = process.env.FINDINGMODEL_CORPUS ?? path.join(root, "../shared/corpus");
const defs = path.join(corpus, "defs");
const work = mkdtempSync(path.join(tmpdir(), "fm-bench-"));
const figures: Figure[] = [];

function report(f: Figure): void {
  figures.push(f);
  const floor = f.floor === undefined ? "" : `   floor ${f.floor.toFixed(f.unit === "ms" ? 0 : 2)} ${f.unit}   ratio ${f.ratio!.toFixed(2)}x`;
  const target = f.target ? `   target ${f.target}: ${f.met ? "met" : "NOT met"}` : "";
  console.log(`${f.name.padEnd(44)} ${f.value.toFixed(f.value < 10 ? 3 : 0).padStart(9)} ${f.unit}${floor}${target}`);
}

function vsFloor(name: string, value: number, floor: number, maxRatio: number): void {
  const ratio = value / floor;
  report({ name, value, unit: "ms", floor, ratio, target: `within ${maxRatio}x of floor`, met: ratio <= maxRatio });
}

try {
  console.log(`findingmodel bench: ${cpus()[0]?.model} x${cpus().length}, Node ${process.version}, ${runs} runs each, medians\n`);
  const copy = path.join(work, "defs");
  cpSync(defs, copy, { recursive: true });

  // Model core (issue 2): validate --reformat and export, whole process.
  const readParse = timeProcess(runs, () => floorArgs(READ_PARSE, copy));
  vsFloor("validate --reformat (2,382 files)", timeProcess(runs, () => [cli, "validate", "--reformat", "--json", copy]).ms, readParse.ms, 2);
  const out = path.join(work, "out");
  const floorOut = path.join(work, "floor-out");
  const readParseWrite = timeProcess(runs, () => floorArgs(READ_PARSE_WRITE, copy, floorOut), () => rmSync(floorOut, { recursive: true, force: true }));
  vsFloor("export, first run (writes all 2,384 files)", timeProcess(runs, () => [cli, "export", copy, "--out", out], () => rmSync(out, { recursive: true, force: true })).ms, readParseWrite.ms, 3);
  vsFloor("export, nothing changed", timeProcess(runs, () => [cli, "export", copy, "--out", out]).ms, readParse.ms, 3);

  // Sync (issue 3), whole process.
  const db = path.join(work, "bench.db");
  const removeDb = () => ["", "-wal", "-shm"].forEach((s) => rmSync(db + s, { force: true }));
  const sync = () => [cli, "index", "sync", copy, "--db", db, "--allow-duplicate-synonyms", "--json"];
  const readHashParse = timeProcess(runs, () => floorArgs(READ_HASH_PARSE, copy));
  const cold = timeProcess(runs, sync, removeDb);
  vsFloor("cold sync (2,382 models, new database)", cold.ms, readHashParse.ms, 1.5);
  const listStat = timeProcess(runs, () => floorArgs(LIST_STAT, copy));
  vsFloor("sync, nothing changed", timeProcess(runs, sync).ms, listStat.ms, 2);
  const changing = path.join(copy, "abdominal_abscess.fm.json");
  const original = readFileSync(changing, "utf8");
  let n = 0;
  const oneFile = timeProcess(runs, sync, () => writeFileSync(changing, original.replace("A localized collection of pus", `A localized collection of pus (${++n})`)));
  writeFileSync(changing, original);
  vsFloor("sync, one file changed", oneFile.ms, listStat.ms, 2);
  report({ name: "cold sync peak memory", value: cold.peakMb, unit: "MB" });

  // Search in-process on the synced database.
  timeProcess(1, sync);
  const queries = benchQueries(defs);
  const index = await openIndex({ db, cache: false });
  for (const q of queries) await index.search(q); // warm up
  const perQuery: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const q of queries) {
      const t = performance.now();
      await index.search(q);
      perQuery.push(performance.now() - t);
    }
  }
  report({ name: `search, ${queries.length} queries: median`, value: median(perQuery), unit: "ms", target: "under 1 ms", met: median(perQuery) < 1 });
  report({ name: "search: p99", value: percentile(perQuery, 99), unit: "ms", target: "under 5 ms", met: percentile(perQuery, 99) < 5 });
  const loops: number[] = [];
  const batches: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (const q of queries) await index.search(q);
    loops.push(performance.now() - t);
    t = performance.now();
    await index.searchBatch(queries);
    batches.push(performance.now() - t);
  }
  const batch = median(batches);
  const loop = median(loops);
  report({ name: "searchBatch of 100 vs 100 search calls", value: batch, unit: "ms", floor: loop, ratio: batch / loop, target: "faster than the loop", met: batch < loop });
  await index.close();

  // Scale: 10,000 synthetic models.
  const synthetic = path.join(work, "synthetic");
  timeProcess(1, () => [cli, "generate", synthetic, "--count", "10000"]);
  const bigDb = path.join(work, "big.db");
  const big = timeProcess(Math.min(runs, 3), () => [cli, "index", "sync", synthetic, "--db", bigDb, "--json"], () => ["", "-wal", "-shm"].forEach((s) => rmSync(bigDb + s, { force: true })));
  report({ name: "cold sync, 10,000 synthetic models", value: big.ms, unit: "ms", target: "under 5,000 ms", met: big.ms < 5000 });
  report({ name: "cold sync, 10,000: peak memory", value: big.peakMb, unit: "MB", target: "under 300 MB", met: big.peakMb < 300 });

  if (jsonFile) {
    const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, platform: process.platform };
    writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), machine, runs, figures }, null, 2) + "\n");
    console.log(`\nwrote ${jsonFile}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
