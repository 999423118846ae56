// Order: the closest title first. The stores rank whole entries (BM25 over all the text of each);
// the first results are then put in order of how closely a name or synonym matches the query, the
// same way for every store.
import { wordsOf } from "../../model/words.js";
import { formsOf, heldKey, sameRoot, SEVERITY_WORDS, STOP_WORDS, type Adjectives, type SearchedText } from "./terms.js";
import { stemOf } from "./word-index.js";

/** How many of the first full-text results closestTitlesFirst puts in order (the same for every limit). */
export const REORDERED = 10;

/** What a term held in another form of the same word adds to a title's distance: less than any word. */
const OTHER_FORM = 1 / 64;

/** Stand-in for "no title holds every term". */
export const NO_TITLE = 1e9;

/**
 * How closely a title of `entry` matches: the fewest words beyond the query's (stop words aside)
 * of a name or synonym that holds every term; NO_TITLE when none does.
 */
export function titleDistance(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[], adjectives?: Adjectives): number {
  return distanceOf(titlesOf(entry), queryTerms(terms, adjectives));
}

/** A query's terms with what title matching asks of each, made once per query: titles are many, terms few. */
interface QueryTerms {
  terms: readonly string[];
  /** The text mayHold looks for of each form (formsOf) of each term. */
  keys: string[][];
  /** The other words for each term's organ (adjectives), if any. */
  organs: Array<readonly string[] | undefined>;
  /** For each term, the first letters (firstBit) a word matching it may begin with: its own, or an organ word's. */
  firsts: number[];
  /** Each term's Porter stem (stemOf), when first needed (null: not yet). */
  stems: Array<string | null>;
  /** Whether each term's own key (heldKey) is among its keys: then a word beginning with it shows the title holds one. */
  ownKey: boolean[];
  /** Whether each term only says how big or how bad (sizeWord): a title may lack it, at the cost of a word. */
  optional: boolean[];
}

/** Size words, beside SEVERITY_WORDS: "small", "large" before these name a part, not a size ("small bowel"). */
const SIZE_WORDS = new Set(["small", "large", "tiny", "big", "huge", "massive", "little"]);
const SIZED_PARTS = new Set(["bowel", "intestine", "intestinal", "cell", "cells", "vessel", "vessels", "airway", "airways"]);

/**
 * Whether the i-th of `terms` only says how big or how bad a finding is ("small pleural effusion",
 * "mild cardiomegaly"): a size or severity word, when another term names the finding. A title
 * without it names the finding still: the registry models size and severity as attributes.
 */
function sizeWord(terms: readonly string[], i: number): boolean {
  const t = terms[i]!;
  const size = SEVERITY_WORDS.has(t) || (SIZE_WORDS.has(t) && !SIZED_PARTS.has(terms[i + 1] ?? ""));
  return size && terms.some((u) => !SEVERITY_WORDS.has(u) && !SIZE_WORDS.has(u));
}

/**
 * The words of `terms` that name the finding: those with a letter, but size and severity words
 * (sizeWord). A result that lacks only those still answers the query (no second look).
 */
export function namingWords(terms: readonly string[]): string[] {
  return terms.filter((t, i) => /\p{L}/u.test(t) && !sizeWord(terms, i));
}

function queryTerms(terms: readonly string[], adjectives?: Adjectives): QueryTerms {
  const q: QueryTerms = { terms, keys: [], organs: [], firsts: [], stems: [], ownKey: [], optional: [] };
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    const optional = sizeWord(terms, i);
    q.optional.push(optional);
    const organ = adjectives?.get(t);
    // (sameRoot holds for any word and an empty term; a title may lack an optional term.)
    let firsts = t === "" || optional ? ANY_FIRST : firstBit(t);
    if (organ !== undefined) for (const w of organ) firsts |= firstBit(w);
    const own = heldKey(t);
    const keys = organ === undefined ? [own] : formsOf(t, adjectives).map(heldKey);
    q.keys.push(keys);
    q.organs.push(organ);
    q.firsts.push(firsts);
    q.stems.push(null);
    q.ownKey.push(keys.includes(own));
  }
  return q;
}

/**
 * A bit for the first letter of `w`: a-z each their own, digits one, every other letter one
 * (a quick test: sameRoot and sameStem hold only for words of the same first letter).
 */
function firstBit(w: string): number {
  const c = w.charCodeAt(0);
  if (c >= 97 && c <= 122) return 1 << (c - 97);
  return c >= 48 && c <= 57 ? 1 << 26 : 1 << 27;
}

const ANY_FIRST = (1 << 28) - 1;

/** sameWord(w, the i-th term, adjectives), with the term's organ words looked up beforehand. */
function isTerm(w: string, q: QueryTerms, i: number): boolean {
  return sameRoot(w, q.terms[i]!) || isLooser(w, q, i);
}

/** isTerm but for sameRoot: sameStem, with the term's stem made once, or an organ word of the term. */
function isLooser(w: string, q: QueryTerms, i: number): boolean {
  const t = q.terms[i]!;
  if (w.length >= 4 && t.length >= 4 && w.charCodeAt(0) === t.charCodeAt(0) && w.charCodeAt(1) === t.charCodeAt(1) && w.charCodeAt(2) === t.charCodeAt(2) && w.charCodeAt(3) === t.charCodeAt(3)) {
    let stem = q.stems[i]!;
    if (stem === null) {
      stem = stemOf(t);
      q.stems[i] = stem;
    }
    if (stemOf(w) === stem) return true;
  }
  const organ = q.organs[i];
  return organ !== undefined && organ.includes(w);
}

function distanceOf(titles: EntryTitles, q: QueryTerms): number {
  const { terms, ownKey } = q;
  let best = NO_TITLE;
  // A title with no word of a term's first letter (or an organ word's of it) holds no form of that term.
  if (!mayMatchEvery(titles.anyFirsts, q.firsts)) return best;
  const { text, at } = titles;
  const count = at[0]!;
  const w0 = 1 + 3 * count;
  for (let j = 0; j < count; j++) {
    const b = 1 + 3 * j;
    if (!mayMatchEvery(at[b]!, q.firsts)) continue;
    const first = at[b + 1]!;
    const words = at[b + 2]!;
    // (It is at least this far: no closer than the best so far.)
    if (Math.max(0, words - terms.length) >= best) continue;
    // A term held only in another form of its stem (enlarged: "thyroid enlargement") or as another
    // word for its organ ("hepatic" for "liver") counts half a word more.
    let loose = 0;
    // Optional terms (sizeWord) the title lacks: each counts a word more.
    let missing = 0;
    // Terms held in another form (number, ending): of titles otherwise equally close, the one
    // that holds the query's words as typed first ("wide metaphyses" before "wide metaphysis").
    let other = 0;
    let every = true;
    // Whether each term's word shows that the title holds its key (holdsEveryKey): a word that
    // begins with it, or an organ word of the term. Else the title's text is looked at.
    let keyed = true;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      let root = -1;
      for (let k = first; k < first + words; k++) {
        if (sameRootAt(text, at[w0 + 2 * k]!, at[w0 + 2 * k + 1]!, t)) {
          root = k;
          break;
        }
      }
      if (root >= 0) {
        if (keyed && !(ownKey[i] && beginsWithKeyAt(text, at[w0 + 2 * root]!, at[w0 + 2 * root + 1]!, t))) keyed = false;
        if (at[w0 + 2 * root + 1] !== t.length || !text.startsWith(t, at[w0 + 2 * root]!)) other++;
        continue;
      }
      // (No word is the term by sameRoot: only a looser form may be, which begins with its first 4
      // letters (sameStem) or is an organ word, one of its forms.)
      let looser = false;
      for (let k = first; k < first + words && !looser; k++) looser = isLooserAt(titles, j, k - first, at[w0 + 2 * k]!, at[w0 + 2 * k + 1]!, q, i);
      if (!looser && q.optional[i]) {
        missing++;
        continue;
      }
      if (!looser) {
        every = false;
        break;
      }
      if (!ownKey[i]) keyed = false;
      loose++;
    }
    if (!every || (!keyed && !holdsEveryKey(titles.list[j]!.lower, missing === 0 ? q.keys : q.keys.filter((_, i) => !q.optional[i])))) continue;
    best = Math.min(best, Math.max(0, words - (terms.length - missing)) + missing + loose / 2 + other * OTHER_FORM);
  }
  return best;
}

/** sameRoot(w, t) of the word `w` at `start` of `text`, `length` long. */
function sameRootAt(text: string, start: number, length: number, t: string): boolean {
  const tl = t.length;
  let i = 0;
  while (i < length && i < tl && text.charCodeAt(start + i) === t.charCodeAt(i)) i++;
  if (i === tl) return true; // w begins with t
  if (i >= 3 && i === length && ((tl === i + 1 && t.charCodeAt(i) === 0x73) || (tl === i + 2 && t.charCodeAt(i) === 0x65 && t.charCodeAt(i + 1) === 0x73))) return true; // w and "s" or "es"
  if (i >= 3 && i === length - 1 && text.charCodeAt(start + i) === 0x79 && tl === i + 3 && t.endsWith("ies")) return true; // body, bodies
  return i >= Math.max(4, Math.max(length, tl) - 3);
}

/** beginsWithKey of the word at `start` of `text`, `length` long. */
function beginsWithKeyAt(text: string, start: number, length: number, t: string): boolean {
  const n = Math.min(4, t.length);
  if (length < n) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(start + i) !== t.charCodeAt(i)) return false;
  return true;
}

/** isLooser of word `k` of title `j` of `titles` (at `start` of their text, `length` long). */
function isLooserAt(titles: EntryTitles, j: number, k: number, start: number, length: number, q: QueryTerms, i: number): boolean {
  const { text } = titles;
  const t = q.terms[i]!;
  if (length >= 4 && t.length >= 4 && text.charCodeAt(start) === t.charCodeAt(0) && text.charCodeAt(start + 1) === t.charCodeAt(1) && text.charCodeAt(start + 2) === t.charCodeAt(2) && text.charCodeAt(start + 3) === t.charCodeAt(3)) {
    let stem = q.stems[i]!;
    if (stem === null) {
      stem = stemOf(t);
      q.stems[i] = stem;
    }
    if (titles.list[j]!.stems[k] === stem) return true;
  }
  const organ = q.organs[i];
  if (organ === undefined) return false;
  for (const o of organ) if (o.length === length && text.startsWith(o, start)) return true;
  return false;
}

/** Whether words of first letters `firsts` (firstBit) may match a term of each of `terms`' first letters. */
function mayMatchEvery(firsts: number, terms: readonly number[]): boolean {
  for (let i = 0; i < terms.length; i++) if ((firsts & terms[i]!) === 0) return false;
  return true;
}

/** Whether `lower` may hold every term: some form of each (mayHold, with the keys made beforehand). */
function holdsEveryKey(lower: string, keys: readonly string[][]): boolean {
  for (const forms of keys) {
    let held = false;
    for (const k of forms) {
      if (lower.includes(k)) {
        held = true;
        break;
      }
    }
    if (!held) return false;
  }
  return true;
}

/** Whether one of `words` is `t` in some form (sameRoot). */
function someRoot(words: readonly string[], t: string): boolean {
  for (const w of words) if (sameRoot(w, t)) return true;
  return false;
}

/** Whether one of `words` is the i-th term in a looser form (isTerm). */
function someTerm(words: readonly string[], q: QueryTerms, i: number): boolean {
  for (const w of words) if (isTerm(w, q, i)) return true;
  return false;
}

/** How many of `terms` the name or a synonym of `entry` holds, at most (in some form). */
export function titleCoverage(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[]): number {
  let best = 0;
  for (const title of titlesOf(entry).list) {
    let n = 0;
    for (const t of terms) if (someRoot(title.words, t)) n++;
    if (n > best) best = n;
  }
  return best;
}

/**
 * How many words of the name of `entry` (stop words aside) no term matches: of two models named by
 * a query's words, the one whose own name adds fewer words is the one asked for ("pulmonary mass"
 * before "solitary pulmonary mass", which has "pulmonary mass" as a synonym).
 */
export function nameDistance(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[], adjectives?: Adjectives): number {
  return nameDistanceOf(titlesOf(entry), queryTerms(terms, adjectives));
}

function nameDistanceOf(titles: EntryTitles, q: QueryTerms): number {
  const { text, at } = titles;
  const w0 = 1 + 3 * at[0]!;
  // (The name is title 0.)
  const first = at[2]!;
  const words = at[3]!;
  let n = 0;
  for (let k = first; k < first + words; k++) {
    const start = at[w0 + 2 * k]!;
    const length = at[w0 + 2 * k + 1]!;
    let matched = false;
    for (let i = 0; i < q.terms.length && !matched; i++) matched = sameRootAt(text, start, length, q.terms[i]!) || isLooserAt(titles, 0, k - first, start, length, q, i);
    if (!matched) n++;
  }
  return n;
}

/** How many of `terms` the name and synonyms of `entry` hold between them (in some form). */
export function titlesCoverage(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[], adjectives?: Adjectives): number {
  const titles = titlesOf(entry).list;
  const q = queryTerms(terms, adjectives);
  let n = 0;
  for (let i = 0; i < terms.length; i++) {
    for (const title of titles) {
      if (someTerm(title.words, q, i)) {
        n++;
        break;
      }
    }
  }
  return n;
}

interface TitleWords {
  lower: string;
  words: string[];
  /** The words without stop words. */
  meaningful: string[];
  /** Their Porter stems (stemOf). */
  stems: string[];
}

/**
 * The name and synonyms of `entry`, lower-cased and cut into words once per entry object: search
 * looks at the same entries (held in memory) query after query. Entries are never changed in place.
 */
const titleWords = new WeakMap<object, EntryTitles>();

/**
 * The titles of an entry, and the same packed for title order (a few objects to read, not dozens;
 * figures: docs/performance.md, "Figures behind the code"):
 * their meaningful words one after another in `text`, and in `at` the number of titles, then of
 * each title the first letters of its words (firstBit), its first word's number and how many words
 * it has, then of each word where it starts in `text` and its length.
 */
interface EntryTitles {
  list: TitleWords[];
  text: string;
  at: Int32Array;
  /** The first letters of every title's words. */
  anyFirsts: number;
}

function titlesOf(entry: Pick<SearchedText, "name" | "synonyms">): EntryTitles {
  let titles = titleWords.get(entry);
  if (!titles) {
    titles = titlesFrom(entry);
    titleWords.set(entry, titles);
  }
  return titles;
}

function titlesFrom(entry: Pick<SearchedText, "name" | "synonyms">): EntryTitles {
  const list = [entry.name, ...entry.synonyms].map((title) => {
    const lower = title.toLowerCase();
    const words = wordsOf(lower);
    const meaningful = words.filter((w) => !STOP_WORDS.has(w));
    return { lower, words, meaningful, stems: meaningful.map(stemOf) };
  });
  const wordCount = list.reduce((n, title) => n + title.meaningful.length, 0);
  const at = new Int32Array(1 + 3 * list.length + 2 * wordCount);
  at[0] = list.length;
  const w0 = 1 + 3 * list.length;
  const parts: string[] = [];
  let length = 0;
  let k = 0;
  let anyFirsts = 0;
  list.forEach((title, j) => {
    let firsts = 0;
    at[1 + 3 * j + 1] = k;
    at[1 + 3 * j + 2] = title.meaningful.length;
    for (const w of title.meaningful) {
      firsts |= firstBit(w);
      at[w0 + 2 * k] = length;
      at[w0 + 2 * k + 1] = w.length;
      parts.push(w);
      length += w.length + 1;
      k++;
    }
    at[1 + 3 * j] = firsts;
    anyFirsts |= firsts;
  });
  // (One flat string, words apart by a space.)
  return { list, text: parts.join(" "), at, anyFirsts };
}

/**
 * The titles of the entries search holds in memory, by their number there (see WordIndex): made
 * once per entry when first asked for, and found without a lookup by object (titlesOf).
 */
export class HeldTitles {
  private readonly at: Array<EntryTitles | undefined> = [];

  /** The titles of `entry`, number `doc` of the held entries. */
  of(doc: number, entry: Pick<SearchedText, "name" | "synonyms">): EntryTitles {
    let titles = this.at[doc];
    if (titles === undefined) {
      titles = titlesFrom(entry);
      this.at[doc] = titles;
    }
    return titles;
  }
}

/**
 * Full-text results (best first) with the first `n` put in order of titleDistance: an entry named
 * by the query's words, with the fewest other words, first; ties keep the store's order. The store
 * ranks whole entries (BM25 over all the text of each), so a long description or many attributes
 * can put "unilateral adrenal enlargement" before "adrenal enlargement"; this puts it right, the
 * same way for every store. (`entries` itself when they are in that order already: not to be changed.)
 */
export function closestTitlesFirst<T extends Pick<SearchedText, "name" | "synonyms">>(entries: readonly T[], terms: readonly string[], n: number, adjectives?: Adjectives, held?: { titles: HeldTitles; docs: readonly number[] }): T[] {
  const count = Math.min(n, entries.length);
  const q = queryTerms(terms, adjectives);
  if (distances.length < count) {
    distances = new Float64Array(count);
    nameds = new Float64Array(count);
  }
  const distance = distances;
  // Among titles equally close, the entry whose own name is closest.
  const named = nameds;
  let inOrder = true;
  for (let i = 0; i < count; i++) {
    const titles = held ? held.titles.of(held.docs[i]!, entries[i]!) : titlesOf(entries[i]!);
    const d = distanceOf(titles, q);
    distance[i] = d;
    named[i] = d === NO_TITLE ? 0 : nameDistanceOf(titles, q);
    if (inOrder && i > 0 && (distance[i - 1]! > d || (distance[i - 1] === d && named[i - 1]! > named[i]!))) inOrder = false;
  }
  // Most often the store's order is already the closest first: then `entries` itself.
  if (inOrder) return entries as T[];
  // Else in order by insertion (a few entries): by distance, then name, ties in the store's order.
  const out = entries.slice();
  for (let i = 1; i < count; i++) {
    const e = out[i]!;
    const d = distance[i]!;
    const m = named[i]!;
    let j = i - 1;
    while (j >= 0 && (distance[j]! > d || (distance[j] === d && named[j]! > m))) {
      out[j + 1] = out[j]!;
      distance[j + 1] = distance[j]!;
      named[j + 1] = named[j]!;
      j--;
    }
    out[j + 1] = e;
    distance[j + 1] = d;
    named[j + 1] = m;
  }
  return out;
}

/** closestTitlesFirst's scratch space (it runs to its end without waiting, so one is enough). */
let distances = new Float64Array(16);
let nameds = new Float64Array(16);
