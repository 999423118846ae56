// Dot products of one int8 vector with many, in WebAssembly SIMD: sixteen int8 products per step
// (widened to int16, multiplied and summed pairwise into int32 lanes), several times what a
// JavaScript loop over Float32Arrays manages (figures: docs/performance.md). The module is small
// enough to write out byte by byte here rather than ship a compiler for it. Where WebAssembly SIMD
// is missing, the same sums in JavaScript.

/** The module: one function dot(q, m, n, d, out) over an imported memory; d a multiple of 16. */
function moduleBytes(): Uint8Array {
  const simd = (op: number, ...rest: number[]) => [0xfd, ...leb(op), ...rest];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const load = simd(0x00, 0x00, 0x00);
  const extendLow = simd(0x87);
  const extendHigh = simd(0x88);
  const dot = simd(0xba);
  const add = simd(0xae);
  const lane = (l: number) => simd(0x1b, l);
  // Locals: 0 q, 1 m (row), 2 n (rows left), 3 d, 4 out; 5 unused, 6 j; 7 acc, 8 a, 9 b.
  const body = [
    ...[0x02, 0x02, 0x7f, 0x03, 0x7b],
    ...get(2), 0x45, 0x04, 0x40, 0x0f, 0x0b, // no rows: return
    0x03, 0x40, // loop over rows
    ...simd(0x0c, ...new Array<number>(16).fill(0)), ...set(7),
    0x41, 0x00, ...set(6),
    0x03, 0x40, // loop over 16-byte steps
    ...get(0), ...get(6), 0x6a, ...load, ...set(8),
    ...get(1), ...get(6), 0x6a, ...load, ...set(9),
    ...get(7),
    ...get(8), ...extendLow, ...get(9), ...extendLow, ...dot, ...add,
    ...get(8), ...extendHigh, ...get(9), ...extendHigh, ...dot, ...add,
    ...set(7),
    ...get(6), 0x41, 0x10, 0x6a, ...tee(6), ...get(3), 0x49, 0x0d, 0x00,
    0x0b,
    ...get(4),
    ...get(7), ...lane(0), ...get(7), ...lane(1), 0x6a, ...get(7), ...lane(2), 0x6a, ...get(7), ...lane(3), 0x6a,
    0x36, 0x02, 0x00, // i32.store
    ...get(4), 0x41, 0x04, 0x6a, ...set(4),
    ...get(1), ...get(3), 0x6a, ...set(1),
    ...get(2), 0x41, 0x01, 0x6b, ...tee(2), 0x0d, 0x00,
    0x0b,
    0x0b,
  ];
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const name = (s: string) => [s.length, ...Buffer.from(s, "ascii")];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(2, [0x01, ...name("env"), ...name("memory"), 0x02, 0x00, 0x01]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name("dot"), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** The little of the WebAssembly API used here (the project's TypeScript settings carry no DOM types). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const WebAssembly = (globalThis as unknown as { WebAssembly?: Wasm }).WebAssembly;

/** Dot products of a query with `rows` int8 vectors of `dims` numbers (a multiple of 16), laid out one after another. */
export interface Int8Dot {
  /** "wasm-simd" or "js": which one runs. */
  readonly kind: "wasm-simd" | "js";
  /** out[r] = query · matrix row r. */
  dots(query: Int8Array, out: Int32Array): void;
}

/** A kernel over `matrix` (rows × dims int8). `js` forces the JavaScript one (to compare). */
export function int8Dot(matrix: Int8Array, rows: number, dims: number, options: { js?: boolean } = {}): Int8Dot {
  if (dims % 16 !== 0) throw new Error(`int8Dot needs dims in multiples of 16, got ${dims}`);
  if (!options.js) {
    const wasm = wasmKernel(matrix, rows, dims);
    if (wasm) return wasm;
  }
  return {
    kind: "js",
    dots(query, out) {
      for (let r = 0, o = 0; r < rows; r++, o += dims) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < dims; j += 2) {
          a += query[j]! * matrix[o + j]!;
          b += query[j + 1]! * matrix[o + j + 1]!;
        }
        out[r] = a + b;
      }
    },
  };
}

let compiled: object | false | undefined;

function wasmKernel(matrix: Int8Array, rows: number, dims: number): Int8Dot | undefined {
  if (compiled === undefined) {
    try {
      if (!WebAssembly) throw new Error("no WebAssembly");
      const bytes = moduleBytes();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : false;
    } catch {
      compiled = false;
    }
  }
  if (compiled === false || !WebAssembly) return undefined;
  // Memory: the matrix, then the query, then the sums (4-byte aligned).
  const queryAt = matrix.length;
  const outAt = Math.ceil((queryAt + dims) / 16) * 16;
  const bytes = outAt + rows * 4;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const dot = instance.exports.dot as (q: number, m: number, n: number, d: number, out: number) => void;
  new Int8Array(memory.buffer, 0, matrix.length).set(matrix);
  const queryView = new Int8Array(memory.buffer, queryAt, dims);
  const outView = new Int32Array(memory.buffer, outAt, rows);
  return {
    kind: "wasm-simd",
    dots(query, out) {
      queryView.set(query);
      dot(queryAt, 0, rows, dims, outAt);
      out.set(outView);
    },
  };
}
