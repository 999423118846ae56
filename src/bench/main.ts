// `npm run bench`: every figure beside its floor, the straightforward way, a peer library, or the
// figure before a change; medians of several runs, all in this one run on this one machine.
//   --json <file>      also write every figure (with its unit), the machine and the date as JSON
//   --runs <n>         runs per figure (default 5)
//   --full             the scale curve up to 100,000 models; writes docs/scale.json and docs/scale.svg
//   --only <a,b,...>   only these parts: floors, plan, peers, quality, eval, scale, fusion
//   --postgres <url>   also score search quality on a PostgreSQL store (a schema of its own, dropped after)
//   --hybrid           eval also scores hybrid search with the built-in offline embeddings model
//                      (its vectors for the registry take minutes to make, so it is opt-in)
import { rmSync } from "node:fs";
import { prepareBench } from "./context.js";
import { evalSection } from "./evaluation.js";
import { floorsSection } from "./floors.js";
import { fusionSection } from "./fusion.js";
import { peersSection } from "./peers.js";
import { planSection } from "./plan.js";
import { qualitySection } from "./quality.js";
import { machine, Report } from "./report.js";
import { scaleSection } from "./scale.js";

const SECTIONS = { floors: floorsSection, plan: planSection, peers: peersSection, quality: qualitySection, eval: evalSection, scale: scaleSection, fusion: fusionSection };

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option("--runs") ?? 5);
const full = args.includes("--full");
const jsonFile = option("--json");
const postgres = option("--postgres");
const hybrid = args.includes("--hybrid");
const only = option("--only")?.split(",") ?? Object.keys(SECTIONS);
const unknown = only.filter((s) => !(s in SECTIONS));
if (unknown.length > 0 || !(runs >= 1)) {
  console.error(`usage: npm run bench -- [--json <file>] [--runs <n>] [--full] [--only ${Object.keys(SECTIONS).join(",")}] [--postgres <url>] [--hybrid]`);
  process.exit(2);
}

const m = machine();
console.log(`findingmodel bench: ${m.cpu} x${m.cores}, ${m.memoryGb} GB, Node ${m.node}, ${runs} runs each, medians${full ? ", full scale curve" : ""}`);
const started = performance.now();
const report = new Report();
const bench = await prepareBench(report, { runs, full, hybrid, ...(postgres ? { postgres } : {}) });
try {
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (!only.includes(name)) continue;
    const t = performance.now();
    await section(bench);
    console.log(`(${name}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${report.figures.filter((f) => f.met === false).length} of ${report.figures.filter((f) => f.met !== undefined).length} targets not met; ${seconds.toFixed(0)} s`);
  if (jsonFile) {
    report.write(jsonFile, { runs, full, sections: only, seconds });
    console.log(`wrote ${jsonFile}`);
  }
} finally {
  rmSync(bench.work, { recursive: true, force: true });
}
