// The cost of hybrid search's own work at 10,000 models with 384-number vectors (a common small
// embeddings model's size): the nearest vectors to a query (int8 WebAssembly SIMD scan, float32
// rerank of the best candidates) and the reciprocal rank fusion with a lexical list — everything
// but the lexical search itself and the query's trip to the embeddings service. Beside it: the
// same scan as a plain JavaScript loop (the straightforward way), and the floor, the int8 kernel
// alone. Vectors are random (the cost does not depend on what they mean).
import { fuse } from "../index/embeddings/hybrid.js";
import { int8Dot } from "../index/embeddings/int8-dot.js";
import { VectorIndex } from "../index/embeddings/vector-index.js";
import type { IndexEntry } from "../store/store.js";
import type { Bench } from "./context.js";
import { median, percentile } from "./measure.js";

const MODELS = 10_000;
const DIMS = 384;
const QUERIES = 200;

export async function fusionSection(b: Bench): Promise<void> {
  const { report } = b;
  report.heading("fusion", `Hybrid search's own cost at ${MODELS.toLocaleString("en-US")} models x ${DIMS} numbers (${QUERIES} queries a round, medians of ${b.runs} rounds)`);
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const vector = () => Float32Array.from({ length: DIMS }, random);
  const rows = Array.from({ length: MODELS }, (_, i) => ({ oifm_id: `OIFM_BENCH_${String(i).padStart(6, "0")}`, vector: vector() }));
  const queries = Array.from({ length: QUERIES }, vector);
  const entry = (id: string) => ({ oifm_id: id, name: id, synonyms: [], tags: [] }) as unknown as IndexEntry;
  const lexical = rows.slice(0, 20).map((r) => entry(r.oifm_id));
  const parts = { isExact: () => false, entries: async (ids: readonly string[]) => ids.map(entry), carriesTags: () => true };

  const simd = new VectorIndex(rows, DIMS);
  const js = new VectorIndex(rows, DIMS, { js: true });
  const quantized = new Int8Array(MODELS * DIMS).map(() => Math.round(random() * 200));
  const kernel = int8Dot(quantized, MODELS, DIMS);
  const q8 = new Int8Array(DIMS).map(() => Math.round(random() * 200));
  const sums = new Int32Array(MODELS);

  const time = async (work: (q: Float32Array) => unknown): Promise<{ p50: number; p99: number }> => {
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let run = 0; run < b.runs; run++) {
      const each: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        await work(q);
        each.push(performance.now() - t);
      }
      p50s.push(percentile(each, 50));
      p99s.push(percentile(each, 99));
    }
    return { p50: median(p50s), p99: median(p99s) };
  };
  await time((q) => simd.nearest(q, 20)); // warm up
  const ours = await time(async (q) => fuse(lexical, simd.nearest(q, 20).map((n) => n.oifm_id), 10, parts));
  const plain = await time(async (q) => fuse(lexical, js.nearest(q, 20).map((n) => n.oifm_id), 10, parts));
  const floor = await time(() => kernel.dots(q8, sums));
  report.note(`kernel: ${simd.kernelKind}`);
  report.versus("hybrid: nearest vectors + fusion, p50", ours.p50, "straightforward", { name: "JavaScript loop", value: plain.p50 }, "ms", { text: "<= 1 ms", met: ours.p50 <= 1 });
  report.versus("hybrid: nearest vectors + fusion, p99", ours.p99, "straightforward", { name: "JavaScript loop", value: plain.p99 }, "ms");
  report.versus("hybrid: nearest vectors + fusion, p50 beside the scan alone", ours.p50, "floor", { name: "int8 SIMD scan only", value: floor.p50 }, "ms");
}
