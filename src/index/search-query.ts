// Turning what a user typed into search terms the stores can use safely: lower-cased words of
// letters and digits. Punctuation, quotes, operators and emoji never reach a query language.

import { InvalidRequestError } from "./errors.js";
import { MAX_LIMIT } from "./limits.js";
import { WORD, WORD_CHAR, wordsOf } from "../model/words.js";

/** A search request that cannot be answered: blank query, bad limit. */
export class SearchQueryError extends InvalidRequestError {
  static override readonly errorCode = "invalid-query";
}

const MAX_TERMS = 32;
const MAX_TERM_LENGTH = 64;

// Words that carry no meaning of their own in a finding's name ("calcification in gallbladder or
// common bile duct"): left out when other words remain. Each one matches most models, so keeping
// them made a query both slower and ranked by noise. "without", "no" and "not" do carry meaning.
export const STOP_WORDS = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "its", "it", "of", "on", "or", "the", "to", "with"]);

/** The words of `query`: runs of letters and digits, lower-cased, at most 32 of 64 characters each. */
export function searchTerms(query: string): string[] {
  const words = wordsOf(query).map((w) => w.slice(0, MAX_TERM_LENGTH));
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  return (meaningful.length > 0 ? meaningful : words).slice(0, MAX_TERMS);
}

/** The query trimmed, or an error saying why it cannot be searched. */
export function checkQuery(query: unknown): string {
  if (typeof query !== "string") throw new SearchQueryError(`the search query must be text; got ${typeof query}`);
  const trimmed = query.trim();
  if (trimmed === "") throw new SearchQueryError("the search query is blank: give at least one word to search for");
  return trimmed;
}

export function checkLimit(limit: unknown, name = "limit"): number {
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new SearchQueryError(`${name} must be a whole number from 1 to ${MAX_LIMIT}; got ${String(limit)}`);
  }
  return limit;
}

export function checkTags(tags: unknown): string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) throw new SearchQueryError("tags must be a list of tag names");
  const cleaned = (tags as string[]).map((t) => t.trim()).filter((t) => t !== "");
  return cleaned.length > 0 ? cleaned : undefined;
}

// --- near words: typing errors and the other number of Latin and Greek nouns -------------------
//
// A search whose best result lacks one of the query's words is looked at again: each word that no
// indexed model uses is replaced by the indexed word one typing error away (a letter added,
// dropped, replaced, or two neighbours swapped) that most models use; a Latin or Greek noun is
// replaced by its other number when that form is indexed ("diverticula" -> "diverticulum", which
// stemming does not join). If the search with the replaced words finds a model with all of them,
// its results come first. All of this is done here, on the words and entries any store returns,
// so every store gives the same answers.

/** The searched text of an entry: what the full-text search of every store reads. */
export interface SearchedText {
  name: string;
  synonyms: readonly string[];
  description: string;
  tags: readonly string[];
  attributes: ReadonlyArray<{ name: string }>;
}

function searchedWords(e: SearchedText): string[] {
  return wordsOf([e.name, ...e.synonyms, e.description, ...e.tags, ...e.attributes.map((a) => a.name)].join("\n"));
}

/**
 * Whether the word `w` may be the term `t` in another form (plural, -ed, -ing, ...), roughly what
 * stemming joins: they differ in at most their last 3 letters, or `t` begins `w` (a word being typed).
 */
export function sameRoot(w: string, t: string): boolean {
  if (w.startsWith(t)) return true;
  let i = 0;
  while (i < w.length && i < t.length && w[i] === t[i]) i++;
  // A short word and its plural ("pad", "pads"; "rib", "ribs") share fewer than 4 letters.
  if (i >= 3 && i === w.length && t.length - i <= 2 && /^e?s$/.test(t.slice(i))) return true;
  if (i >= 3 && i === w.length - 1 && w.endsWith("y") && t.slice(i) === "ies") return true; // body, bodies
  return i >= Math.max(4, Math.max(w.length, t.length) - 3);
}

/**
 * Whether lower-cased `text` may hold a word that sameRoot joins with `t`: it holds the first 4
 * letters of `t` (all of a shorter one). A quick test before cutting text into words.
 */
function mayHold(text: string, t: string): boolean {
  return text.includes(t.length <= 4 ? t : t.slice(0, 4));
}

/** Whether lower-cased `text` has a word beginning with `t` (then sameRoot holds for it). */
function hasWordStarting(text: string, t: string): boolean {
  for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
    if (i === 0 || !WORD_CHAR.test(text[i - 1]!)) return true;
  }
  return false;
}

/** Whether `entry` has each of `terms` (in some form) in its searched text. */
export function hasEveryTerm(entry: SearchedText, terms: readonly string[]): boolean {
  const text = [entry.name, ...entry.synonyms, entry.description, ...entry.tags, ...entry.attributes.map((a) => a.name)].join("\n").toLowerCase();
  if (terms.every((t) => hasWordStarting(text, t))) return true;
  if (!terms.every((t) => mayHold(text, t))) return false;
  const words = wordsOf(text);
  return terms.every((t) => words.some((w) => sameRoot(w, t)));
}

// --- order: the closest title first ----------------------------------------------------------------

/** How many of the first full-text results closestTitlesFirst puts in order (the same for every limit). */
export const REORDERED = 10;

/** Stand-in for "no title holds every term". */
export const NO_TITLE = 1e9;

/**
 * How closely a title of `entry` matches: the fewest words beyond the query's (stop words aside)
 * of a name or synonym that holds every term; NO_TITLE when none does.
 */
export function titleDistance(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[]): number {
  let best = NO_TITLE;
  for (const title of [entry.name, ...entry.synonyms]) {
    const lower = title.toLowerCase();
    if (!terms.every((t) => mayHold(lower, t))) continue;
    const words = wordsOf(lower).filter((w) => !STOP_WORDS.has(w));
    if (terms.every((t) => words.some((w) => sameRoot(w, t)))) best = Math.min(best, Math.max(0, words.length - terms.length));
  }
  return best;
}

/** How many of `terms` the name or a synonym of `entry` holds, at most (in some form). */
export function titleCoverage(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[]): number {
  let best = 0;
  for (const title of [entry.name, ...entry.synonyms]) {
    const words = wordsOf(title);
    const n = terms.filter((t) => words.some((w) => sameRoot(w, t))).length;
    if (n > best) best = n;
  }
  return best;
}

/**
 * Full-text results (best first) with the first `n` put in order of titleDistance: an entry named
 * by the query's words, with the fewest other words, first; ties keep the store's order. The store
 * ranks whole entries (BM25 over all the text of each), so a long description or many attributes
 * can put "unilateral adrenal enlargement" before "adrenal enlargement"; this puts it right, the
 * same way for every store.
 */
export function closestTitlesFirst<T extends Pick<SearchedText, "name" | "synonyms">>(entries: readonly T[], terms: readonly string[], n: number): T[] {
  const head = entries.slice(0, n).map((e, i) => ({ e, i, d: titleDistance(e, terms) }));
  head.sort((a, b) => a.d - b.d || a.i - b.i);
  return [...head.map((h) => h.e), ...entries.slice(n)];
}

/** A word's other number when it has a Latin or Greek ending: diverticulum/diverticula, embolus/emboli, stenosis/stenoses, vertebra/vertebrae, apex/apices, ganglion/ganglia, thorax/thoraces. */
export function otherNumberForms(word: string): string[] {
  const forms: string[] = [];
  const rule = (pattern: RegExp, replacement: string) => {
    if (pattern.test(word)) forms.push(word.replace(pattern, replacement));
  };
  rule(/um$/, "a");
  rule(/a$/, "um");
  rule(/us$/, "i");
  rule(/([^aeiou])i$/, "$1us");
  rule(/is$/, "es");
  rule(/([^s])es$/, "$1is");
  rule(/a$/, "ae");
  rule(/ae$/, "a");
  rule(/(ex|ix)$/, "ices");
  rule(/ices$/, "ex");
  rule(/ices$/, "ix");
  rule(/on$/, "a");
  rule(/a$/, "on");
  rule(/ax$/, "aces"); // thorax/thoraces, pneumothorax/pneumothoraces
  rule(/aces$/, "ax");
  return forms;
}

/** The words of the indexed entries, with how many entries use each, and the near words of a word. */
export class Vocabulary {
  /** Word -> number of entries using it. */
  private readonly counts: Map<string, number> = new Map();
  /** A word with one letter left out -> the words it comes from (words of 4 letters or more). */
  private readonly deletions = new Map<string, string[]>();

  /** The words of `pages` of entries (read a page at a time, so that a large index is never held whole). */
  static async read(pages: AsyncIterable<readonly SearchedText[]>): Promise<Vocabulary> {
    const counts = new Map<string, number>();
    for await (const page of pages) {
      for (const e of page) for (const w of new Set(searchedWords(e))) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    return new Vocabulary(counts);
  }

  constructor(entries: Iterable<SearchedText> | Map<string, number>) {
    if (entries instanceof Map) this.counts = entries;
    else for (const e of entries) for (const w of new Set(searchedWords(e))) this.counts.set(w, (this.counts.get(w) ?? 0) + 1);
    for (const w of this.counts.keys()) {
      if (w.length < MIN_CORRECTED - 1) continue;
      for (const d of oneLetterLess(w)) {
        const list = this.deletions.get(d);
        if (list) list.push(w);
        else this.deletions.set(d, [w]);
      }
    }
  }

  get size(): number {
    return this.counts.size;
  }

  has(word: string): boolean {
    return this.counts.has(word);
  }

  /** How many entries use `word`. */
  count(word: string): number {
    return this.counts.get(word) ?? 0;
  }

  /** The indexed word one typing error from `word` that most entries use (ties: alphabetical); undefined if none. */
  nearest(word: string): string | undefined {
    if (word.length < MIN_CORRECTED || !/^\p{L}+$/u.test(word)) return undefined;
    const candidates = new Set<string>(this.deletions.get(word) ?? []); // a letter dropped
    const less = oneLetterLess(word);
    for (const d of less) {
      if (this.counts.has(d)) candidates.add(d); // a letter added
      for (const w of this.deletions.get(d) ?? []) candidates.add(w); // replaced, or swapped
    }
    let best: string | undefined;
    for (const c of candidates) {
      if (c === word || !withinOneEdit(word, c)) continue;
      if (best === undefined || this.count(c) > this.count(best) || (this.count(c) === this.count(best) && c < best)) best = c;
    }
    return best;
  }
}

/** Words shorter than this are never corrected: too many words are one letter from them. */
const MIN_CORRECTED = 4;

function oneLetterLess(w: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/** At most one edit apart: a letter added, dropped or replaced, or two neighbours swapped. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // replaced
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swapped
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * The query's words to try instead (word -> replacement), or undefined when there is none: a word
 * no entry uses becomes its other number or its nearest indexed word; a Latin or Greek noun also
 * its other number when that is indexed.
 */
export function replacementTerms(terms: readonly string[], vocabulary: Vocabulary): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const t of terms) {
    const known = vocabulary.has(t);
    const other = otherNumberForms(t).filter((f) => vocabulary.has(f) && vocabulary.count(f) > (known ? vocabulary.count(t) : 0));
    const replacement = other[0] ?? (known ? commoner(t, vocabulary) : vocabulary.nearest(t));
    if (replacement !== undefined) out.set(t, replacement);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * For an indexed word that few entries use, a word one typing error away that many more use: the
 * registry's own text has typing errors too ("calcifcation"), which must not hide the word meant.
 */
function commoner(word: string, vocabulary: Vocabulary): string | undefined {
  const count = vocabulary.count(word);
  if (count > RARE_WORD) return undefined;
  const near = vocabulary.nearest(word);
  return near !== undefined && vocabulary.count(near) >= COMMONER_FACTOR * count ? near : undefined;
}

/** A word used by at most this many entries is rare... */
const RARE_WORD = 2;
/** ...and gives way to a near word used by at least this many times as many entries. */
const COMMONER_FACTOR = 10;

/** `query` with each of its words replaced as `replacements` says (for the exact-match lookup). */
export function replaceWords(query: string, replacements: ReadonlyMap<string, string>): string {
  return query.toLowerCase().replace(WORD, (w) => replacements.get(w) ?? w);
}
