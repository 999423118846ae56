// Markdown rendering of a finding model, byte-identical to the registry's own `<slug>.md` files.
//
// The registry renders with the Python `findingmodel` package: `FindingModelFull.as_markdown()`
// fills a Jinja template (trim_blocks, lstrip_blocks), then `str.strip()`s the result and
// collapses every run of three or more newlines to two (`re.sub(r"\n{3,}", "\n\n", ...)`).
// This file emits exactly what the template emits, then applies the same two clean-ups; many of
// the template's stray blank lines only disappear in that final collapse. Every quirk noted below
// was checked against all 2,382 registry models.

import type {
  AttributeIded,
  ChoiceAttributeIded,
  Contributor,
  FindingModelFull,
  IndexCode,
  NumericAttributeIded,
} from "./types.js";
import { isPerson } from "./types.js";
import { numberText } from "./number-text.js";

/** Render `model` exactly as the registry's Markdown files do. */
export function toMarkdown(model: FindingModelFull): string {
  const out: string[] = [];

  out.push("# ", capitalize(model.name));
  if (model.oifm_id) out.push("—`", model.oifm_id, "`");
  out.push("\n");

  // Each optional block starts with a newline, so consecutive blocks are separated by a blank
  // line. All are skipped when falsy (missing, "" or []), as Jinja's `{% if %}` does.
  if (hasItems(model.synonyms)) out.push("\n**Synonyms:** ", model.synonyms.join(", "), "\n");
  if (hasItems(model.tags)) out.push("\n**Tags:** ", model.tags.join(", "), "\n");
  if (model.description) out.push("\n", model.description, "\n");
  // Model-level codes put the colon inside the bold ("**Codes:**"); attribute-level codes put it
  // outside ("**Codes**:"). Both spellings are the template's.
  if (hasItems(model.index_codes)) {
    out.push("\n**Codes:** ");
    pushIndexCodes(out, model.index_codes);
    out.push("\n");
  }

  out.push("\n## Attributes\n\n");
  for (const attribute of model.attributes) renderAttribute(out, attribute);

  // Python builds this footer and the template appends it after the last attribute's trailing
  // newline; the final collapse reduces the run of newlines before "---" to one blank line.
  if (hasItems(model.contributors)) {
    out.push("\n\n---\n\n**Contributors**\n\n");
    model.contributors.forEach((contributor, i) => {
      if (i > 0) out.push("\n");
      renderContributor(out, contributor);
    });
  }

  // strip() drops the trailing newline and, when there is no contributors footer, the two
  // trailing spaces of the last line ("- **value**  " or "Mininum: 0  "). Python's whitespace
  // set is used, not JavaScript's.
  const text = pyStrip(out.join(""));
  // The collapse also reaches into the model's own text (a description starting or ending with
  // newlines loses the extras next to the template's newlines).
  return text.includes("\n\n\n") ? text.replace(/\n{3,}/g, "\n\n") : text;
}

function renderAttribute(out: string[], attribute: AttributeIded): void {
  // The name goes through Jinja's `capitalize` (Python's str.capitalize): "CT density" -> "Ct density".
  out.push("### ", capitalize(attribute.name), "—`", attribute.oifma_id, "`\n\n");
  // The description is followed by two spaces (a Markdown line break) but no newline of its own;
  // the newline comes from the codes line or its stand-in. Without a description this leaves
  // three newlines after the heading, which the final collapse turns into one blank line.
  if (attribute.description) out.push(attribute.description, "  ");
  if (hasItems(attribute.index_codes)) {
    out.push("\n**Codes**: ");
    pushIndexCodes(out, attribute.index_codes);
    out.push("  \n");
  } else {
    out.push("\n");
  }

  if (attribute.type === "choice") renderChoice(out, attribute);
  else renderNumeric(out, attribute);
  out.push("\n");
}

function renderChoice(out: string[], attribute: ChoiceAttributeIded): void {
  const maxSelected = attribute.max_selected;
  // A whitespace-control slip in the template: "Select up to N" is followed directly by the
  // values, while "Select one" gets a blank line before them.
  // Python prints max_selected as an int (pydantic coerces it), so a source "3.0" prints "3".
  if (maxSelected && maxSelected > 1) out.push("*(Select up to ", String(maxSelected), ")*\n");
  else out.push("*(Select one)*\n\n");

  for (const value of attribute.values) {
    out.push("- **", value.name, "**");
    if (value.description) out.push(": ", value.description);
    out.push("  \n");
    if (hasItems(value.index_codes)) {
      out.push("_");
      pushIndexCodes(out, value.index_codes);
      out.push("_\n");
    }
  }
}

function renderNumeric(out: string[], attribute: NumericAttributeIded): void {
  // "Mininum" (sic) is the template's spelling. Its test is `is defined`, which is always true
  // for the Python model's field, so a missing minimum prints Python's "None"; 0 prints as 0.
  const minimum = attribute.minimum;
  out.push("Mininum: ", minimum == null ? "None" : pyNumber(attribute, "minimum", minimum), "  \n");
  // The maximum's test is plain truthiness, so a maximum of 0 is not printed at all.
  const maximum = attribute.maximum;
  if (maximum) out.push("Maximum: ", pyNumber(attribute, "maximum", maximum), "  \n");
  // The unit line, unlike the others, has no trailing spaces.
  if (attribute.unit) out.push("Unit: ", attribute.unit, "\n");
}

function renderContributor(out: string[], contributor: Contributor): void {
  if (isPerson(contributor)) {
    out.push("- ", contributor.name, " (", contributor.organization_code, ") — [Email](mailto:", contributor.email, ")");
    if (contributor.url) out.push(" — [Link](", contributor.url, ")");
  } else if (contributor.url) {
    out.push("- [", contributor.name, "](", contributor.url, ") (", contributor.code, ")");
  } else {
    out.push("- ", contributor.name, " (", contributor.code, ")");
  }
}

/** Python's `_index_codes_str`: "SYSTEM CODE display" per code (display only when truthy), joined by "; ". */
function pushIndexCodes(out: string[], codes: readonly IndexCode[]): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (i > 0) out.push("; ");
    out.push(c.system, " ", c.code);
    if (c.display) out.push(" ", c.display);
  }
}

/** Jinja truthiness of an optional list: present and non-empty. */
function hasItems<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list !== null && list.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Python semantics

/**
 * How Python prints the number `owner[key]`. pydantic keeps an `int | float` field an int when
 * the JSON has an integer literal and a float otherwise, and Jinja prints `str()` of it. The
 * recorded source text tells the two apart: an int prints its digits ("0", never "-0"), a float
 * prints Python's `repr` ("1.0", "1e-05"), which is also the form canonical files are written in.
 */
function pyNumber(owner: object, key: string, value: number): string {
  const text = numberText(owner, key, value);
  const isFloat = text.includes(".") || text.includes("e") || text.includes("E");
  if (!isFloat) return Number.isSafeInteger(value) ? String(value) : text;
  return pyFloatRepr(value);
}

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
function pyFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const sign = x < 0 ? "-" : "";
  // toExponential() with no argument gives the shortest round-trip digits, as Python's repr does.
  const exponential = Math.abs(x).toExponential(); // "d.ddde+N"
  const e = exponential.indexOf("e");
  const mantissa = exponential.slice(0, e);
  const exp = Number(exponential.slice(e + 1));
  if (exp < -4 || exp >= 16) {
    const magnitude = Math.abs(exp);
    return sign + mantissa + (exp < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + magnitude;
  }
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  if (exp < 0) return sign + "0." + "0".repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length) + ".0";
  return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
}

/**
 * Python's `str.capitalize()`, which Jinja's `capitalize` filter calls: the first character in
 * title case and every other character in lower case, so acronyms are flattened ("MRI" -> "Mri").
 */
function capitalize(s: string): string {
  if (s.length === 0) return s;
  const first = s.codePointAt(0)!;
  if (first < 0x80 && isAscii(s)) return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

  const firstChar = String.fromCodePoint(first);
  // Lower-case the whole string, not just the tail, so a final sigma sees its real left context
  // ("AΣ" -> "Aς", as in Python); then swap the first character's lower form for its title form.
  // A first character's lower form never depends on context, so its length is known.
  const lower = s.toLowerCase();
  return titleCase(firstChar) + lower.slice(firstChar.toLowerCase().length);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * Title case of one character. JavaScript only has upper case; the two differ for the Latin
 * digraphs (ǆ -> ǅ), ligatures and ß (ß -> "Ss", not "SS"), Georgian Mkhedruli (title case is the
 * letter itself), and Greek letters with iota subscript (ᾳ -> ᾼ, not "ΑΙ").
 */
function titleCase(ch: string): string {
  return TITLE_CASE.get(ch.codePointAt(0)!) ?? ch.toUpperCase();
}

const TITLE_CASE: ReadonlyMap<number, string> = buildTitleCase();

function buildTitleCase(): Map<number, string> {
  const map = new Map<number, string>();
  const set = (from: number, to: number, title: string) => {
    for (let cp = from; cp <= to; cp++) map.set(cp, title);
  };
  // Latin digraphs: all three forms title-case to the mixed form.
  set(0x01c4, 0x01c6, "\u01c5");
  set(0x01c7, 0x01c9, "\u01c8");
  set(0x01ca, 0x01cc, "\u01cb");
  set(0x01f1, 0x01f3, "\u01f2");
  // Georgian Mkhedruli letters upper-case to Mtavruli but title-case to themselves.
  for (let cp = 0x10d0; cp <= 0x10ff; cp++) if (cp !== 0x10fb && cp !== 0x10fc) map.set(cp, String.fromCodePoint(cp));
  // SpecialCasing.txt title forms that differ from the upper forms.
  const special: [number, string][] = [
    [0x00df, "Ss"], [0xfb00, "Ff"], [0xfb01, "Fi"], [0xfb02, "Fl"], [0xfb03, "Ffi"], [0xfb04, "Ffl"],
    [0xfb05, "St"], [0xfb06, "St"], [0x0587, "\u0535\u0582"], [0xfb13, "\u0544\u0576"],
    [0xfb14, "\u0544\u0565"], [0xfb15, "\u0544\u056b"], [0xfb16, "\u054e\u0576"], [0xfb17, "\u0544\u056d"],
    [0x1fb2, "\u1fba\u0345"], [0x1fb4, "\u0386\u0345"], [0x1fb7, "\u0391\u0342\u0345"],
    [0x1fc2, "\u1fca\u0345"], [0x1fc4, "\u0389\u0345"], [0x1fc7, "\u0397\u0342\u0345"],
    [0x1ff2, "\u1ffa\u0345"], [0x1ff4, "\u038f\u0345"], [0x1ff7, "\u03a9\u0342\u0345"],
  ];
  for (const [cp, title] of special) map.set(cp, title);
  // Greek with iota subscript: the lower forms title-case to the prosgegrammeni forms, which
  // title-case to themselves.
  for (const base of [0x1f80, 0x1f90, 0x1fa0]) {
    for (let i = 0; i < 8; i++) {
      const title = String.fromCodePoint(base + 8 + i);
      map.set(base + i, title);
      map.set(base + 8 + i, title);
    }
  }
  for (const [lower, title] of [[0x1fb3, 0x1fbc], [0x1fc3, 0x1fcc], [0x1ff3, 0x1ffc]] as const) {
    map.set(lower, String.fromCodePoint(title));
    map.set(title, String.fromCodePoint(title));
  }
  return map;
}

/** Python's `str.strip()`: its whitespace set differs from `String.prototype.trim`'s (U+001C-U+001F
 * and U+0085 are whitespace to Python; U+FEFF is not). */
function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPyWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isPyWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}
