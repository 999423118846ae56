// The models' vectors in memory, for the nearest ones to a query by cosine: every vector compared
// (brute force; fine to tens of thousands of models), first in int8 with the SIMD kernel, then the
// best few candidates again in float32 so that the order is the exact cosine order.
import { int8Dot, type Int8Dot } from "./int8-dot.js";

export interface Neighbour {
  oifm_id: string;
  /** Cosine similarity, -1 to 1. */
  score: number;
}

export class VectorIndex {
  readonly size: number;
  /** Numbers per vector, as the provider gives them. */
  readonly dims: number;
  private readonly ids: string[];
  /** Unit vectors, float32, padded to `padded` numbers each. */
  private readonly unit: Float32Array;
  /** 1 / the scale each row was quantized with: an int8 dot times it approximates the cosine (times the query's scale). */
  private readonly rowScale: Float32Array;
  private readonly padded: number;
  private readonly kernel: Int8Dot;
  private readonly sums: Int32Array;
  readonly kernelKind: Int8Dot["kind"];

  /** `rows` all of `dims` numbers (others are left out). `js` forces the JavaScript kernel (to compare). */
  constructor(rows: ReadonlyArray<{ oifm_id: string; vector: Float32Array }>, dims: number, options: { js?: boolean } = {}) {
    const kept = rows.filter((r) => r.vector.length === dims);
    this.size = kept.length;
    this.dims = dims;
    this.padded = Math.ceil(dims / 16) * 16;
    this.ids = kept.map((r) => r.oifm_id);
    this.unit = new Float32Array(this.size * this.padded);
    this.rowScale = new Float32Array(this.size);
    const quantized = new Int8Array(this.size * this.padded);
    for (const [r, row] of kept.entries()) {
      const at = r * this.padded;
      unitInto(row.vector, this.unit, at);
      this.rowScale[r] = 1 / quantizeInto(this.unit.subarray(at, at + dims), quantized, at);
    }
    this.kernel = int8Dot(quantized, this.size, this.padded, options);
    this.kernelKind = this.kernel.kind;
    this.sums = new Int32Array(this.size);
  }

  /** The `k` vectors nearest to `query` (of `dims` numbers), nearest first. */
  nearest(query: Float32Array, k: number): Neighbour[] {
    if (query.length !== this.dims) throw new Error(`a query vector of ${query.length} numbers for vectors of ${this.dims}`);
    if (this.size === 0 || k <= 0) return [];
    const unitQuery = new Float32Array(this.padded);
    unitInto(query, unitQuery, 0);
    const q8 = new Int8Array(this.padded);
    quantizeInto(unitQuery.subarray(0, this.dims), q8, 0);
    this.kernel.dots(q8, this.sums);
    // The best candidates by the int8 estimate, then in exact order by float32.
    const candidates = topByScore(this.size, Math.min(this.size, Math.max(4 * k, 64)), (r) => this.sums[r]! * this.rowScale[r]!);
    const exact = candidates.map((r) => {
      let s = 0;
      const at = r * this.padded;
      for (let j = 0; j < this.dims; j++) s += unitQuery[j]! * this.unit[at + j]!;
      return { r, s };
    });
    exact.sort((a, b) => b.s - a.s || a.r - b.r);
    return exact.slice(0, k).map((e) => ({ oifm_id: this.ids[e.r]!, score: e.s }));
  }
}

/** Write `v` scaled to length 1 into `out` at `at`. */
function unitInto(v: Float32Array, out: Float32Array, at: number): void {
  let norm = 0;
  for (const x of v) norm += x * x;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < v.length; j++) out[at + j] = v[j]! * inv;
}

/** `v` in int8 at `at` of `out`, its largest number at ±127; returns the scale used (max 127 / largest). */
function quantizeInto(v: Float32Array, out: Int8Array, at: number): number {
  let max = 0;
  for (const x of v) if (Math.abs(x) > max) max = Math.abs(x);
  const scale = max > 0 ? 127 / max : 1;
  for (let j = 0; j < v.length; j++) out[at + j] = Math.round(v[j]! * scale);
  return scale;
}

/** Indexes of the `k` highest scores of `n`, in no particular order (a min-heap of k). */
function topByScore(n: number, k: number, score: (i: number) => number): number[] {
  const heap: number[] = [];
  const vals: number[] = [];
  const swap = (a: number, b: number) => {
    [heap[a], heap[b]] = [heap[b]!, heap[a]!];
    [vals[a], vals[b]] = [vals[b]!, vals[a]!];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && vals[l]! < vals[m]!) m = l;
      if (r < heap.length && vals[r]! < vals[m]!) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = score(i);
    if (heap.length < k) {
      heap.push(i);
      vals.push(s);
      for (let c = heap.length - 1; c > 0; ) {
        const p = (c - 1) >> 1;
        if (vals[p]! <= vals[c]!) break;
        swap(p, c);
        c = p;
      }
    } else if (s > vals[0]!) {
      heap[0] = i;
      vals[0] = s;
      down(0);
    }
  }
  return heap;
}
