// The registry's folder-level generated files, as pure functions of the definitions:
//   index.md  - the Markdown index of all definitions
//   ids.json  - the ID registry: oifm_ids (ID -> file name), attribute_ids (ID -> [file name, attribute name])
// Both are byte-identical to the registry's own (fixtures/registry), with the one documented
// exception of index.md links for definitions whose file name is not the slug of their name.
//
// Rules found in the registry's files:
// - Order: both files list definitions in order of their file name, compared by code point
//   (Python's sorted() over the defs folder), not by model name or ID. Attributes follow in the
//   order they appear inside each definition.
// - Neither file ends with a newline.
// - index.md: "# Finding Model Index", blank line, "<n> entries", blank line, then a table with
//   one row per definition: ID | name<br/>[Text](text/..) [JSON](defs/..) | synonyms | tags |
//   contributors | attribute names, each list joined with ", " (an absent list is an empty cell,
//   so the cell is "|  |"). Contributors are shown by `name` for both people and organizations.
//   The registry escapes nothing: Markdown characters (`*`, `_`), tabs and non-ASCII go in raw
//   (and so do they here; only "|" and line breaks, which the corpus never has, are escaped: see cell()).
// - ids.json is Python's json.dumps() with its defaults: ", " and ": " separators, no indent,
//   ensure_ascii (every character outside printable ASCII, including DEL, as \uXXXX in lower-case
//   hex, astral characters as surrogate pairs), keys in insertion order (a repeated ID keeps its
//   first position and takes the last value).

import type { ModelSummary } from "./summary.js";
import { slugOf } from "./slug.js";

export interface RegistryEntry {
  /** The definition file's base name, e.g. `abdominal_abscess.fm.json`. */
  filename: string;
  /** The model, or just the parts these files show (a full model will do). */
  model: ModelSummary;
}

/**
 * The name of the Markdown text file written for a definition (base name, under `text/`).
 * The exporter and the index both use this, so index links always reach the file written.
 */
export function textFileName(entry: RegistryEntry): string {
  return slugOf(entry.model.name) + ".md";
}

export interface IndexMarkdownOptions {
  /**
   * How the Text and JSON links of each row are formed.
   * - "working" (default): JSON links to `defs/<entry.filename>` (the file that exists) and Text
   *   links to `text/<textFileName(entry)>` (the file the exporter writes).
   * - "registry": what the registry did, both links from the slug of the name:
   *   `text/<slug>.md` and `defs/<slug>.fm.json`. For a definition whose file name is not
   *   `<slug>.fm.json` (breast_malignancy_risk.fm.json, composite_metrics_hippocampal_occupancy_score.fm.json)
   *   the JSON link is broken. Only for reproducing the registry's bytes.
   */
  links?: "working" | "registry";
  /**
   * Where the definitions are, relative to index.md, for the JSON links (default "defs", the
   * registry's layout). Only used with "working" links.
   */
  defsPath?: string;
}

/** Code point order (Python's str ordering); `<` alone would compare UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) encode code points above FFFF, so they sort after E000-FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

function byFileName(entries: readonly RegistryEntry[]): RegistryEntry[] {
  return entries.slice().sort((p, q) => compareCodePoints(p.filename, q.filename));
}

// A "|" would end the table cell and a line break would end the row. The registry has neither
// in any indexed text and does not escape; we escape "|" as "\|" (GFM's table escape) and write a
// line break as <br/> (as the Name cell already does), so such a model keeps its row intact.
// Text without these characters is left exactly as the registry writes it.
const CELL_UNSAFE = /[|\r\n]/;
const CELL_UNSAFE_ALL = /\r\n|[|\r\n]/g;

function cell(text: string): string {
  if (!CELL_UNSAFE.test(text)) return text;
  return text.replace(CELL_UNSAFE_ALL, (c) => (c === "|" ? "\\|" : "<br/>"));
}

function listCell(items: readonly string[] | undefined): string {
  if (items === undefined || items.length === 0) return "";
  return cell(items.join(", "));
}

/** The registry's index.md of the given definitions (any order; sorted by file name here). */
export function toIndexMarkdown(entries: readonly RegistryEntry[], opts: IndexMarkdownOptions = {}): string {
  const registryLinks = opts.links === "registry";
  const defsPath = registryLinks ? "defs" : (opts.defsPath ?? "defs");
  const defsPrefix = defsPath === "" || defsPath === "." ? "" : defsPath.replace(/\/?$/, "/");
  const sorted = byFileName(entries);
  const lines: string[] = new Array(sorted.length + 6);
  lines[0] = "# Finding Model Index";
  lines[1] = "";
  lines[2] = `${sorted.length} entries`;
  lines[3] = "";
  lines[4] = "| ID | Name | Synonyms | Tags | Contributors | Attributes |";
  lines[5] = "|----|------|----------|------|--------------|------------|";
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    const m = entry.model;
    let textLink: string;
    let jsonLink: string;
    if (registryLinks) {
      const slug = slugOf(m.name);
      textLink = slug + ".md";
      jsonLink = slug + ".fm.json";
    } else {
      textLink = textFileName(entry);
      jsonLink = entry.filename;
    }
    const contributors = m.contributors;
    let contributorCell = "";
    if (contributors !== undefined && contributors.length > 0) {
      const names: string[] = new Array(contributors.length);
      // People and organizations alike are shown by their `name`.
      for (let j = 0; j < contributors.length; j++) names[j] = contributors[j]!.name;
      contributorCell = cell(names.join(", "));
    }
    const attrs = m.attributes;
    const attrNames: string[] = new Array(attrs.length);
    for (let j = 0; j < attrs.length; j++) attrNames[j] = attrs[j]!.name;
    lines[i + 6] =
      "| " + cell(m.oifm_id) +
      " | " + cell(m.name) + "<br/>[Text](text/" + textLink + ") [JSON](" + defsPrefix + jsonLink + ")" +
      " | " + listCell(m.synonyms) +
      " | " + listCell(m.tags) +
      " | " + contributorCell +
      " | " + listCell(attrNames) +
      " |";
  }
  return lines.join("\n");
}

// Python json.dumps(ensure_ascii=True) string form: JSON.stringify already writes the same short
// escapes (\" \\ \b \f \n \r \t) and \u00XX for other control characters and lone surrogates, in
// lower-case hex; what remains is every code unit from DEL (7F) up, as \uXXXX.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

function pyString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  return JSON.stringify(s).replace(NON_ASCII, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** `"key": value` members in Python dict order: a repeated key keeps its place and takes the last value. */
class Members {
  private readonly parts: string[] = [];
  private readonly at = new Map<string, number>();
  set(key: string, value: string): void {
    const i = this.at.get(key);
    const member = pyString(key) + ": " + value;
    if (i === undefined) {
      this.at.set(key, this.parts.length);
      this.parts.push(member);
    } else {
      this.parts[i] = member;
    }
  }
  toString(): string {
    return "{" + this.parts.join(", ") + "}";
  }
}

/** The registry's ids.json of the given definitions (any order; sorted by file name here). */
export function toIdsJson(entries: readonly RegistryEntry[]): string {
  const sorted = byFileName(entries);
  const models = new Members();
  const attributes = new Members();
  for (const { filename, model } of sorted) {
    const file = pyString(filename);
    models.set(model.oifm_id, file);
    const attrs = model.attributes;
    for (let j = 0; j < attrs.length; j++) {
      const attr = attrs[j]!;
      attributes.set(attr.oifma_id, "[" + file + ", " + pyString(attr.name) + "]");
    }
  }
  return '{"oifm_ids": ' + models.toString() + ', "attribute_ids": ' + attributes.toString() + "}";
}
