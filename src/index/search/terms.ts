// Turning what a user typed into search terms the stores can use safely: lower-cased words of
// letters and digits. Punctuation, quotes, operators and emoji never reach a query language. Also
// the rough word forms (sameRoot) that near-word correction, title order and general models share.
import { WORD_CHAR, wordsOf } from "../../model/words.js";
import { stemOf } from "./word-index.js";

export const MAX_TERMS = 32;
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

// How much of a finding a report says ("mild", "moderate", "4 mm"), not which finding it is. Few
// registry titles hold these words, so an any-term fill with them ranks models that happen to
// have "mild" in a name ("mild bowel wall thickening") over the finding asked for; the every-word
// search keeps them, so that such a model is still found by its whole name.
// Size words ("small", "large") are not here: they name findings too ("small bowel").
export const SEVERITY_WORDS = new Set(["mild", "mildly", "moderate", "moderately", "severe", "severely", "minimal", "minimally", "marked", "markedly", "slight", "slightly", "trace"]);
export const UNITS = new Set(["mm", "cm", "ml", "cc"]);
const MEASURE = /^\d+(mm|cm|ml|cc)$/;
const NUMBER = /^\d+$/;

/**
 * `terms` without measurements ("4 mm", "2.5 cm", "3mm") and severity words, when a word
 * remains: the words that name the finding, for the any-term fill.
 */
export function findingTerms(terms: readonly string[]): string[] {
  const kept = terms.filter((t, i) => {
    if (SEVERITY_WORDS.has(t) || MEASURE.test(t)) return false;
    if (UNITS.has(t)) return !(i > 0 && NUMBER.test(terms[i - 1]!));
    if (NUMBER.test(t)) {
      let j = i + 1;
      while (j < terms.length && NUMBER.test(terms[j]!)) j++;
      return !(j < terms.length && UNITS.has(terms[j]!));
    }
    return true;
  });
  return kept.some((t) => /\p{L}/u.test(t)) ? kept : [...terms];
}

/** The searched text of an entry: what the full-text search of every store reads. */
export interface SearchedText {
  name: string;
  synonyms: readonly string[];
  description: string;
  tags: readonly string[];
  attributes: ReadonlyArray<{ name: string }>;
}

/** Every word of the searched text of `e`. */
export function searchedWords(e: SearchedText): string[] {
  return wordsOf([e.name, ...e.synonyms, e.description, ...e.tags, ...e.attributes.map((a) => a.name)].join("\n"));
}

/**
 * Whether the word `w` may be the term `t` in another form (plural, -ed, -ing, ...), roughly what
 * stemming joins: they differ in at most their last 3 letters, or `t` begins `w` (a word being typed).
 */
export function sameRoot(w: string, t: string): boolean {
  if (w.startsWith(t)) return true;
  let i = 0;
  while (i < w.length && i < t.length && w.charCodeAt(i) === t.charCodeAt(i)) i++;
  // A short word and its plural ("pad", "pads"; "rib", "ribs") share fewer than 4 letters: the term ends "s" or "es" after it.
  // (Self-contained: the web page is sent this function's text; 0x73 is "s", 0x65 "e".)
  if (i >= 3 && i === w.length && ((t.length === i + 1 && t.charCodeAt(i) === 0x73) || (t.length === i + 2 && t.charCodeAt(i) === 0x65 && t.charCodeAt(i + 1) === 0x73))) return true;
  if (i >= 3 && i === w.length - 1 && w.endsWith("y") && t.length === i + 3 && t.endsWith("ies")) return true; // body, bodies
  return i >= Math.max(4, Math.max(w.length, t.length) - 3);
}

/**
 * Whether the word `w` and the term `t` have the same Porter stem (and the same first 4 letters):
 * longer endings that the full-text search joins too (enlarged/enlargement, dilated/dilatation). A
 * looser match than sameRoot: titles matched only so rank after those matched by sameRoot.
 */
export function sameStem(w: string, t: string): boolean {
  if (w.length < 4 || t.length < 4) return false;
  for (let i = 0; i < 4; i++) if (w.charCodeAt(i) !== t.charCodeAt(i)) return false;
  return stemOf(w) === stemOf(t);
}

/** An organ word -> the words that name the same organ (itself, its adjectives: liver, hepatic), from the lexicon. */
export type Adjectives = ReadonlyMap<string, readonly string[]>;

/** sameRoot or sameStem, or (with `adjectives`) the same organ ("hepatic" for "liver"). */
export function sameWord(w: string, t: string, adjectives?: Adjectives): boolean {
  if (sameRoot(w, t) || sameStem(w, t)) return true;
  const same = adjectives?.get(t);
  return same !== undefined && same.includes(w);
}

/** `t` and the words `adjectives` say name the same organ. */
export function formsOf(t: string, adjectives?: Adjectives): readonly string[] {
  return adjectives?.get(t) ?? [t];
}

/**
 * Whether lower-cased `text` may hold a word that sameRoot joins with `t`: it holds the first 4
 * letters of `t` (all of a shorter one). A quick test before cutting text into words.
 */
export function mayHold(text: string, t: string): boolean {
  return text.includes(heldKey(t));
}

/** What mayHold looks for in a text: the first 4 letters of `t` (all of a shorter one). */
export function heldKey(t: string): string {
  return t.length <= 4 ? t : t.slice(0, 4);
}

/** Whether lower-cased `text` has a word beginning with `t` (then sameRoot holds for it). */
export function hasWordStarting(text: string, t: string): boolean {
  for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
    if (i === 0 || !WORD_CHAR.test(text[i - 1]!)) return true;
  }
  return false;
}
