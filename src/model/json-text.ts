// Turning the bytes of a model file into a JSON value, with errors a person can act on: where
// the problem is (line and column), what it is, and no stack trace. Numeric attribute bounds whose
// source text JavaScript would not write back the same way (`1.0`, `1e3`) are recorded (see
// number-text.ts).
import { isUtf8 } from "node:buffer";
import { createRequire } from "node:module";
import type { ParseError } from "jsonc-parser";
import { recordNumberText } from "./number-text.js";

// jsonc-parser only serves malformed files, so it is loaded only for one: otherwise every command
// that reads model files would pay for loading it (docs/performance.md, "Figures behind the code").
const require = createRequire(import.meta.url);
const jsoncParser = () => require("jsonc-parser") as typeof import("jsonc-parser");

/**
 * How deeply a model file may nest lists and objects. A finding model needs seven levels; past
 * this a file is refused as that file's error, before anything walks it (a recursive walk of
 * thousands of levels would exhaust the stack and stop the whole run).
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonTextError {
  message: string;
  line?: number;
  column?: number;
}

export type JsonTextResult =
  | {
      ok: true;
      value: unknown;
      /** The text as decoded, without a byte order mark; `hadBom` says whether there was one. */
      text: string;
      hadBom: boolean;
    }
  | { ok: false; error: JsonTextError };

/** Parse a file's bytes (or already decoded text) as JSON. A UTF-8 byte order mark is allowed. */
export function parseJsonText(input: Uint8Array | string): JsonTextResult {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    if (!isUtf8(input)) return { ok: false, error: invalidUtf8(input) };
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");
  }
  const hadBom = text.charCodeAt(0) === 0xfeff;
  if (hadBom) text = text.slice(1);
  if (!/\S/.test(text)) return { ok: false, error: { message: "the file is empty; expected a JSON object" } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // The loose parser that locates a syntax error recurses once per level: refuse deep text first.
    return { ok: false, error: nestingError(text) ?? locateSyntaxError(text, (e as Error).message) };
  }
  // V8's parser does not recurse, so a deep value parses; the walk below does recurse (and stops
  // past MAX_JSON_DEPTH). Only a file that fails validation can be that deep, so callers look for
  // depth there (nestingError) rather than in every valid file.
  if (mayNeedNumberSource(text, value) && !recordNumberTexts(text, value)) return { ok: false, error: nestingError(text)! };
  return { ok: true, value, text, hadBom };
}

/**
 * Where `text` (JSON) nests lists and objects deeper than MAX_JSON_DEPTH, as an error; undefined
 * when it does not. A scan of the text that skips strings, without parsing it.
 */
export function nestingError(text: string): JsonTextError | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const k = text.charCodeAt(i);
        if (k === 92 /* \ */) i++;
        else if (k === 34) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_JSON_DEPTH) return { message: `the JSON nests lists and objects more than ${MAX_JSON_DEPTH} levels deep; a finding model needs far fewer`, ...lineAndColumn(text, i) };
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    }
  }
  return undefined;
}

/** Line and column (both from 1) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function locateSyntaxError(text: string, v8Message: string): JsonTextError {
  // V8 names the problem well and usually gives an offset; jsonc-parser finds an offset (and says
  // what it expected) when V8 does not.
  const at = / in JSON at position (\d+)/.exec(v8Message);
  let offset: number | undefined = at ? Number(at[1]) : undefined;
  let message = v8Message.replace(/ in JSON at position \d+.*$/s, "").replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, "");
  if (offset === undefined) {
    const errors: ParseError[] = [];
    const { parse: parseLoosely, printParseErrorCode } = jsoncParser();
    parseLoosely(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first) {
      offset = first.offset;
      message += ` (${describeLooseError(printParseErrorCode(first.error))})`;
    } else if (/Unexpected end/.test(v8Message)) {
      offset = text.length;
    }
  }
  const where = offset === undefined ? {} : lineAndColumn(text, offset);
  return { message: `malformed JSON: ${message}`, ...where };
}

function describeLooseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function invalidUtf8(bytes: Uint8Array): JsonTextError {
  // Only on the error path: find the first bad byte so the user can fix it.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  // The streaming decoder accepts a prefix that ends inside a character; back up to its first byte.
  while (lo > 0 && !isUtf8(bytes.subarray(0, lo))) lo--;
  const good = Buffer.from(bytes.subarray(0, lo)).toString("utf8");
  const { line, column } = lineAndColumn(good, good.length);
  return { message: `the file is not valid UTF-8 (bad byte 0x${(bytes[lo] ?? 0).toString(16).padStart(2, "0")} at byte ${lo})`, line, column };
}

// Only `minimum` and `maximum` keep their source text (the registry writes them as read; every
// other number is a whole number it normalizes). Cheap tests first: a model without numeric bounds
// (most of them), or a text without a number JavaScript would write differently (trailing zeros
// in a fraction, an exponent, -0, more digits than a double holds) skips the exact pairing below.
// A match inside a string is harmless: it only sends the file down the slower, exact path.
function mayNeedNumberSource(text: string, value: unknown): boolean {
  const attributes = (value as { attributes?: unknown } | null)?.attributes;
  if (!Array.isArray(attributes)) return false;
  const hasBounds = attributes.some((a) => typeof a?.minimum === "number" || typeof a?.maximum === "number");
  return hasBounds && NUMBER_NEEDS_SOURCE.test(text);
}
const NUMBER_NEEDS_SOURCE = /":\s*(?:-?\d+\.\d*0(?!\d)|-?\d+(?:\.\d+)?[eE]|-0(?![.\d])|-?\d{16})/;
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Record the source text of the numbers of `value`; false (nothing recorded) when it nests past MAX_JSON_DEPTH. */
function recordNumberTexts(text: string, value: unknown): boolean {
  const places: Array<[object, string, number]> = [];
  if (!collectNumbers(value, places, 0)) return false;
  const tokens: string[] = [];
  for (const m of text.matchAll(TOKEN)) if (m[0].charCodeAt(0) !== 34 /* " */) tokens.push(m[0]);
  // Object keys come back in source order unless a key looks like an array index or repeats;
  // then the pairing is unsure and JavaScript's own form is used.
  if (places.length !== tokens.length) return true;
  places.forEach(([owner, key, num], i) => {
    const source = tokens[i]!;
    if (Number(source) === num && JSON.stringify(num) !== source) recordNumberText(owner, key, source);
  });
  return true;
}

/** The numbers of `value` (at `depth`) in source order; false when it nests past MAX_JSON_DEPTH. */
function collectNumbers(value: unknown, out: Array<[object, string, number]>, depth: number): boolean {
  if (value === null || typeof value !== "object") return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "number") out.push([value, String(i), item]);
      else if (!collectNumbers(item, out, depth + 1)) return false;
    }
  } else {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "number") out.push([value, key, item]);
      else if (!collectNumbers(item, out, depth + 1)) return false;
    }
  }
  return true;
}
