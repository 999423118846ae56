// Validation of finding model data against the registry's rules (its published JSON Schema), with
// the normalizations the registry applies on load. Every problem is reported, not just the first,
// each with a JSON path and a message a person can act on.
//
// Hand-written rather than zod or ajv: this runs on every file of every commit, and loading either
// library costs more than a large share of reading and parsing the whole registry (docs/performance.md,
// "Peers" and "Figures behind the code"); the messages here also say what is expected in the
// registry's own terms.
// The result is a fresh object in canonical key order, so the canonical writer can rely on it.
import { OIFMA_ID_PATTERN, OIFM_ID_PATTERN, SOURCE_CODE_PATTERN, valueCode } from "./ids.js";
import { copyNumberText, numberText } from "./number-text.js";
import type {
  Attribute,
  ChoiceAttribute,
  ChoiceValue,
  Contributor,
  FindingModelBase,
  FindingModelFull,
  IndexCode,
  NumericAttribute,
  Organization,
  Person,
} from "./types.js";

/** One problem found in a model: where (a JSON path such as `$.attributes[1].name`) and what. */
export interface ModelIssue {
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; model: T } | { ok: false; issues: ModelIssue[] };

/** Check a parsed JSON value as a full (ID-carrying) finding model and normalize it. */
export function validateFindingModel(value: unknown): ValidationResult<FindingModelFull> {
  return run(value, true) as ValidationResult<FindingModelFull>;
}

/** Check a parsed JSON value as a finding model without IDs (IDs are allowed but not required). */
export function validateFindingModelBase(value: unknown): ValidationResult<FindingModelBase> {
  return run(value, false);
}

function run(value: unknown, full: boolean): ValidationResult<FindingModelBase | FindingModelFull> {
  const c = new Checker(full);
  const model = c.model(value);
  return c.issues.length === 0 && model ? { ok: true, model } : { ok: false, issues: c.issues };
}

type Json = Record<string, unknown>;

const ROOT_KEYS = ["oifm_id", "name", "description", "synonyms", "tags", "contributors", "attributes", "index_codes"];
const CHOICE_KEYS = ["oifma_id", "name", "description", "type", "values", "required", "max_selected", "index_codes"];
const NUMERIC_KEYS = ["oifma_id", "name", "description", "type", "minimum", "maximum", "unit", "required", "index_codes"];
const VALUE_KEYS = ["value_code", "name", "description", "index_codes"];
const CODE_KEYS = ["system", "code", "display"];
const PERSON_KEYS = ["github_username", "email", "name", "organization_code", "url"];
const ORGANIZATION_KEYS = ["name", "code", "url"];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ID_FORM = "OIFM_, 3-4 capital letters (the organization code), _ and 6 digits, e.g. OIFM_MSFT_123456";
const ATTRIBUTE_ID_FORM = "OIFMA_, 3-4 capital letters, _ and 6 digits, e.g. OIFMA_MSFT_123456";

// Rules of the string fields, made once (this runs for every string of every file).
type StringRule = { required?: boolean; min?: number; max?: number; pattern?: RegExp; form?: string };
const REQUIRED: StringRule = { required: true };
const REQUIRED_3: StringRule = { required: true, min: 3 };
const REQUIRED_5: StringRule = { required: true, min: 5 };
const OPTIONAL: StringRule = {};
const OPTIONAL_3: StringRule = { min: 3 };
const MODEL_ID: StringRule = { pattern: OIFM_ID_PATTERN, form: ID_FORM };
const ATTRIBUTE_ID: StringRule = { pattern: OIFMA_ID_PATTERN, form: ATTRIBUTE_ID_FORM };
const REQUIRED_MODEL_ID: StringRule = { ...MODEL_ID, required: true };
const REQUIRED_ATTRIBUTE_ID: StringRule = { ...ATTRIBUTE_ID, required: true };
const ATTRIBUTE_NAME: StringRule = { required: true, min: 3, max: 100 };
const ATTRIBUTE_DESCRIPTION: StringRule = { min: 5, max: 500 };
const SOURCE_CODE: StringRule = { required: true, pattern: SOURCE_CODE_PATTERN, form: "3-4 capital letters, e.g. MSFT" };
const E_MAIL: StringRule = { required: true, pattern: EMAIL, form: "an e-mail address such as name@example.org" };
const URL_TEXT: StringRule = { min: 1, max: 2083 };

/**
 * The JSON path of something: `at` is the path of its parent, `i` its position in that list (-1
 * when it is not in a list). Paths are only written out for a problem: building one for every
 * field checked made most of the garbage of a run.
 */
function where(at: string, i: number): string {
  return i < 0 ? at : `${at}[${i}]`;
}

class Checker {
  readonly issues: ModelIssue[] = [];
  constructor(private readonly full: boolean) {}

  private fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  model(value: unknown): FindingModelBase | FindingModelFull | undefined {
    const o = this.object(value, "$", -1, "a finding model object");
    if (!o) return undefined;
    this.unknownKeys(o, ROOT_KEYS, "$", -1);
    const out: Json = {};
    const id = this.string(o, "oifm_id", "$", -1, this.full ? REQUIRED_MODEL_ID : MODEL_ID);
    if (id !== undefined) out.oifm_id = id;
    out.name = this.string(o, "name", "$", -1, REQUIRED_5);
    out.description = this.string(o, "description", "$", -1, REQUIRED_5);
    this.put(out, "synonyms", this.stringList(o, "synonyms"));
    this.put(out, "tags", this.stringList(o, "tags"));
    this.put(out, "contributors", this.contributors(o));
    out.attributes = this.attributes(o);
    this.put(out, "index_codes", this.indexCodes(o, "index_codes", "$", -1));
    return out as unknown as FindingModelFull;
  }

  private attributes(o: Json): Attribute[] {
    const path = "$.attributes";
    const list = o.attributes;
    if (list === undefined || list === null) {
      this.fail(path, "attributes is required: a list of at least one choice or numeric attribute");
      return [];
    }
    if (!Array.isArray(list)) {
      this.fail(path, `expected a list of attributes, got ${describe(list)}`);
      return [];
    }
    if (list.length === 0) this.fail(path, "a finding model needs at least one attribute");
    const seen = new Map<string, number>();
    const out: Attribute[] = [];
    for (let i = 0; i < list.length; i++) {
      const attribute = this.attribute(list[i], path, i);
      if (!attribute) continue;
      out.push(attribute);
      const id = attribute.oifma_id;
      if (id === undefined) continue;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else this.fail(`${path}[${i}].oifma_id`, `attribute ID ${id} is already used by attributes[${first}]; each attribute needs its own ID`);
    }
    return out;
  }

  private attribute(value: unknown, at: string, i: number): Attribute | undefined {
    const o = this.object(value, at, i, "an attribute object");
    if (!o) return undefined;
    const path = where(at, i);
    const type = o.type;
    if (type !== "choice" && type !== "numeric") {
      const got = type === undefined ? "it is missing" : `got ${describe(type)}`;
      this.fail(`${path}.type`, `type must be "choice" or "numeric"; ${got}`);
      return undefined;
    }
    this.unknownKeys(o, type === "choice" ? CHOICE_KEYS : NUMERIC_KEYS, path, -1);
    const out: Json = {};
    const id = this.string(o, "oifma_id", path, -1, this.full ? REQUIRED_ATTRIBUTE_ID : ATTRIBUTE_ID);
    if (id !== undefined) out.oifma_id = id;
    out.name = this.string(o, "name", path, -1, ATTRIBUTE_NAME);
    this.put(out, "description", this.string(o, "description", path, -1, ATTRIBUTE_DESCRIPTION));
    out.type = type;
    if (type === "choice") {
      const values = this.choiceValues(o, path, id);
      out.values = values;
      out.required = this.boolean(o, "required", path);
      out.max_selected = this.maxSelected(o, path, values.length);
    } else {
      const minimum = this.number(o, "minimum", path);
      const maximum = this.number(o, "maximum", path);
      if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
        this.fail(`${path}.maximum`, `maximum (${maximum}) is less than minimum (${minimum})`);
      }
      this.put(out, "minimum", minimum);
      this.put(out, "maximum", maximum);
      this.put(out, "unit", this.string(o, "unit", path, -1, OPTIONAL));
      out.required = this.boolean(o, "required", path);
      copyNumberText(o, out);
    }
    this.put(out, "index_codes", this.indexCodes(o, "index_codes", path, -1));
    return out as unknown as ChoiceAttribute | NumericAttribute;
  }

  private choiceValues(o: Json, at: string, attributeId: string | undefined): ChoiceValue[] {
    const path = `${at}.values`;
    const list = o.values;
    if (!Array.isArray(list)) {
      const got = list === undefined || list === null ? "they are missing" : `got ${describe(list)}`;
      this.fail(path, `a choice attribute needs a list of at least 2 values; ${got}`);
      return [];
    }
    if (list.length < 2) this.fail(path, `a choice attribute needs at least 2 values; it has ${list.length}`);
    const out: ChoiceValue[] = [];
    for (let i = 0; i < list.length; i++) {
      const v = this.object(list[i], path, i, "a value object");
      if (!v) continue;
      this.unknownKeys(v, VALUE_KEYS, path, i);
      const value: Json = {};
      // The registry derives value codes from the attribute ID and the value's position.
      if (attributeId !== undefined) value.value_code = valueCode(attributeId, i);
      else if (v.value_code !== undefined && v.value_code !== null) this.fail(`${path}[${i}].value_code`, "a value code needs an attribute ID (oifma_id) on its attribute");
      value.name = this.string(v, "name", path, i, REQUIRED);
      this.put(value, "description", this.string(v, "description", path, i, OPTIONAL));
      this.put(value, "index_codes", this.indexCodes(v, "index_codes", path, i));
      out.push(value as unknown as ChoiceValue);
    }
    return out;
  }

  private maxSelected(o: Json, at: string, valueCount: number): number {
    const v = o.max_selected;
    if (v === undefined || v === null) return 1;
    if (v === "all") return Math.max(valueCount, 1);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      this.fail(`${at}.max_selected`, `max_selected must be a whole number of at least 1, or "all"; got ${describe(v)}`);
      return 1;
    }
    return valueCount > 0 && v > valueCount ? valueCount : v;
  }

  private contributors(o: Json): Contributor[] | undefined {
    const path = "$.contributors";
    const list = o.contributors;
    if (list === undefined || list === null) return undefined;
    if (!Array.isArray(list)) {
      this.fail(path, `expected a list of people and organizations, got ${describe(list)}`);
      return undefined;
    }
    const out: Contributor[] = [];
    for (let i = 0; i < list.length; i++) {
      const c = this.object(list[i], path, i, "a person or organization object");
      if (!c) continue;
      // A person has a GitHub username, e-mail and organization; anything else is an organization.
      const isPerson = "github_username" in c || "email" in c || "organization_code" in c;
      out.push(isPerson ? this.person(c, where(path, i)) : this.organization(c, where(path, i)));
    }
    return out;
  }

  private person(c: Json, path: string): Person {
    this.unknownKeys(c, PERSON_KEYS, path, -1);
    const out: Json = {
      github_username: this.string(c, "github_username", path, -1, REQUIRED_3),
      email: this.string(c, "email", path, -1, E_MAIL),
      name: this.string(c, "name", path, -1, REQUIRED_3),
      organization_code: this.string(c, "organization_code", path, -1, SOURCE_CODE),
    };
    this.put(out, "url", this.url(c, path));
    return out as unknown as Person;
  }

  private organization(c: Json, path: string): Organization {
    this.unknownKeys(c, ORGANIZATION_KEYS, path, -1);
    const out: Json = {
      name: this.string(c, "name", path, -1, REQUIRED_5),
      code: this.string(c, "code", path, -1, SOURCE_CODE),
    };
    this.put(out, "url", this.url(c, path));
    return out as unknown as Organization;
  }

  private url(c: Json, path: string): string | undefined {
    const url = this.string(c, "url", path, -1, URL_TEXT);
    if (url !== undefined && !isUri(url)) this.fail(`${path}.url`, `url must be an absolute URL such as https://example.org; got ${JSON.stringify(url)}`);
    return url;
  }

  /** The index codes `o[key]`, where `o` is at `where(at, i)`. */
  private indexCodes(o: Json, key: string, at: string, i: number): IndexCode[] | undefined {
    const list = o[key];
    if (list === undefined || list === null) return undefined;
    const path = `${where(at, i)}.${key}`;
    if (!Array.isArray(list)) {
      this.fail(path, `expected a list of index codes ({system, code, display}), got ${describe(list)}`);
      return undefined;
    }
    if (list.length === 0) this.fail(path, `${key} must not be an empty list; leave it out instead`);
    const out: IndexCode[] = [];
    for (let j = 0; j < list.length; j++) {
      const c = this.object(list[j], path, j, "an index code object ({system, code, display})");
      if (!c) continue;
      this.unknownKeys(c, CODE_KEYS, path, j);
      const code: Json = {
        system: this.string(c, "system", path, j, REQUIRED_3),
        code: this.string(c, "code", path, j, REQUIRED_3),
      };
      this.put(code, "display", this.string(c, "display", path, j, OPTIONAL_3));
      out.push(code as unknown as IndexCode);
    }
    return out;
  }

  /** A list of strings at the top of the model (synonyms, tags). */
  private stringList(o: Json, key: string): string[] | undefined {
    const path = `$.${key}`;
    const list = o[key];
    if (list === undefined || list === null) return undefined;
    if (!Array.isArray(list)) {
      this.fail(path, `expected a list of strings, got ${describe(list)}`);
      return undefined;
    }
    if (list.length === 0) this.fail(path, `${key} must not be an empty list; leave it out instead`);
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] !== "string") this.fail(`${path}[${i}]`, `expected a string, got ${describe(list[i])}`);
    }
    return list as string[];
  }

  /** The string `o[key]`, where `o` is at `where(at, i)`. */
  private string(o: Json, key: string, at: string, i: number, rule: StringRule): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (rule.required) this.fail(`${where(at, i)}.${key}`, `${key} is required${rule.min ? ` (text of at least ${rule.min} characters)` : ""}`);
      return undefined;
    }
    if (typeof v !== "string") {
      this.fail(`${where(at, i)}.${key}`, `${key} must be a string, got ${describe(v)}`);
      return undefined;
    }
    // A string has at most as many characters (code points) as UTF-16 units and at least half as
    // many, so only a length near a bound needs counting.
    const { min, max } = rule;
    if ((min !== undefined && v.length >> 1 < min) || (max !== undefined && v.length > max)) {
      const length = characterCount(v);
      if (min !== undefined && length < min) this.fail(`${where(at, i)}.${key}`, `${key} must be at least ${min} characters long; got ${length}: ${JSON.stringify(v)}`);
      if (max !== undefined && length > max) this.fail(`${where(at, i)}.${key}`, `${key} must be at most ${max} characters long; got ${length}`);
    }
    if (rule.pattern && !rule.pattern.test(v)) this.fail(`${where(at, i)}.${key}`, `${JSON.stringify(v)} is not a valid ${key}: expected ${rule.form}`);
    return v;
  }

  private number(o: Json, key: string, at: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number") {
      this.fail(`${at}.${key}`, `${key} must be a number, got ${describe(v)}`);
      return undefined;
    }
    // JSON.parse reads a number beyond a double's range (1e400) as Infinity, which JSON cannot write back.
    if (!Number.isFinite(v)) {
      const text = numberText(o, key, v);
      this.fail(`${at}.${key}`, `${key} must be a finite number; ${text === "null" ? "the file's value" : text} is beyond the range of a double (about ±1.8e308)`);
      return undefined;
    }
    return v;
  }

  private boolean(o: Json, key: string, at: string): boolean {
    const v = o[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") {
      this.fail(`${at}.${key}`, `${key} must be true or false, got ${describe(v)}`);
      return false;
    }
    return v;
  }

  /** `value` as an object, where it is at `where(at, i)`. */
  private object(value: unknown, at: string, i: number, what: string): Json | undefined {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Json;
    this.fail(where(at, i), `expected ${what}, got ${describe(value)}`);
    return undefined;
  }

  private unknownKeys(o: Json, allowed: string[], at: string, i: number): void {
    for (const key in o) {
      if (allowed.includes(key)) continue;
      const near = closest(key, allowed);
      const hint = near ? `did you mean "${near}"?` : `allowed here: ${allowed.join(", ")}`;
      this.fail(`${where(at, i)}.${key}`, `unknown field "${key}" (${hint}); the registry would drop it`);
    }
  }

  private put(out: Json, key: string, value: unknown): void {
    if (value !== undefined) out[key] = value;
  }
}

/** Length in Unicode code points, as the registry (Python) counts it. */
function characterCount(s: string): number {
  // Only strings with surrogate pairs differ from .length; avoid the spread in the common case.
  return /[\uD800-\uDBFF]/.test(s) ? [...s].length : s.length;
}

function isUri(s: string): boolean {
  return URL.canParse(s) && /^[a-z][a-z0-9+.-]*:/i.test(s);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v === "number" ? "the number" : typeof v} ${String(v)}`;
}

/** The allowed key nearest to a misspelt one (edit distance at most 2), if any. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

