// Canonical JSON, byte for byte as the registry writes its files (Python's json.dumps with
// indent=2 and ensure_ascii=False): 2-space indent, keys in the schema's order, absent fields
// left out, numbers as they were read, no newline at the end.
import { hasNumberText, numberText } from "./number-text.js";
import type { FindingModelBase, FindingModelFull } from "./types.js";

/** Keys in the schema's order, each with its quoted form followed by ": " (pretty) or ":" (compact). */
type Order = readonly (readonly [key: string, quoted: string, quotedCompact: string])[];
const order = (...keys: string[]): Order => keys.map((k) => [k, `${JSON.stringify(k)}: `, `${JSON.stringify(k)}:`] as const);
const ROOT = order("oifm_id", "name", "description", "synonyms", "tags", "contributors", "attributes", "index_codes");
const CHOICE = order("oifma_id", "name", "description", "type", "values", "required", "max_selected", "index_codes");
const NUMERIC = order("oifma_id", "name", "description", "type", "minimum", "maximum", "unit", "required", "index_codes");
const VALUE = order("value_code", "name", "description", "index_codes");
const CODE = order("system", "code", "display");
const PERSON = order("github_username", "email", "name", "organization_code", "url");
const ORGANIZATION = order("name", "code", "url");
const NONE = order();

// Indent strings by depth, made once: models nest at most six levels deep.
const INDENTS = Array.from({ length: 16 }, (_, depth) => "\n" + "  ".repeat(depth));

/** The canonical text of a model, as the registry would write it to its `.fm.json` file. */
export function toCanonicalJson(model: FindingModelBase | FindingModelFull): string {
  return writeObject(model as unknown as Record<string, unknown>, ROOT, 0);
}

/**
 * The same model as compact JSON: keys in the same order, numbers as read, no whitespace. What
 * the index stores: parsed, it is the same model, and it is a third of the size.
 */
export function toCompactJson(model: FindingModelBase | FindingModelFull): string {
  return writeObject(model as unknown as Record<string, unknown>, ROOT, -1);
}

function orderFor(key: string, item: Record<string, unknown>): Order {
  switch (key) {
    case "attributes":
      return item.type === "numeric" ? NUMERIC : CHOICE;
    case "values":
      return VALUE;
    case "index_codes":
      return CODE;
    case "contributors":
      return "github_username" in item ? PERSON : ORGANIZATION;
    default:
      return NONE;
  }
}

// Depth -1 (and below) writes compact JSON: no line breaks, no indent.
function indent(depth: number): string {
  if (depth < 0) return "";
  return INDENTS[depth] ?? "\n" + "  ".repeat(depth);
}

function writeObject(o: Record<string, unknown>, keys: Order, depth: number): string {
  const compact = depth < 0;
  const inner = indent(compact ? depth : depth + 1);
  const exact = hasNumberText(o);
  let s = "";
  for (const [key, quoted, quotedCompact] of keys) {
    const value = o[key];
    if (value === undefined || value === null) continue;
    s += (s === "" ? "{" : ",") + inner + (compact ? quotedCompact : quoted);
    if (Array.isArray(value)) s += writeArray(key, value, compact ? depth : depth + 1);
    else if (typeof value === "number" && exact) s += numberText(o, key, value);
    else s += JSON.stringify(value);
  }
  return s === "" ? "{}" : s + indent(depth) + "}";
}

function writeArray(key: string, list: unknown[], depth: number): string {
  if (list.length === 0) return "[]";
  const compact = depth < 0;
  const inner = indent(compact ? depth : depth + 1);
  let s = "[";
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    s += (i === 0 ? "" : ",") + inner;
    if (item !== null && typeof item === "object") s += writeObject(item as Record<string, unknown>, orderFor(key, item as Record<string, unknown>), compact ? depth : depth + 1);
    else s += JSON.stringify(item);
  }
  return s + indent(depth) + "]";
}

/**
 * The same text as toCanonicalJson, faster, for a model straight from validateFindingModel that
 * nobody has changed since: the validator builds objects in canonical key order with absent
 * fields left out, so the engine's own JSON.stringify writes the right text unless a number must
 * keep its source form.
 */
export function toCanonicalJsonFresh(model: FindingModelFull): string {
  for (const attribute of model.attributes) if (hasNumberText(attribute)) return toCanonicalJson(model);
  return JSON.stringify(model, null, 2);
}

/** toCompactJson of a model straight from validateFindingModel, by the engine's own JSON.stringify where it can (as above). */
export function toCompactJsonFresh(model: FindingModelFull): string {
  for (const attribute of model.attributes) if (hasNumberText(attribute)) return toCompactJson(model);
  return JSON.stringify(model);
}
