// Turning what a user typed into search terms the stores can use safely: lower-cased words of
// letters and digits. Punctuation, quotes, operators and emoji never reach a query language. Also
// the rough word forms (sameRoot) that near-word correction, title order and general models share.
import { WORD_CHAR, wordsOf } from "../../model/words.js";

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
export function mayHold(text: string, t: string): boolean {
  return text.includes(t.length <= 4 ? t : t.slice(0, 4));
}

/** Whether lower-cased `text` has a word beginning with `t` (then sameRoot holds for it). */
export function hasWordStarting(text: string, t: string): boolean {
  for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
    if (i === 0 || !WORD_CHAR.test(text[i - 1]!)) return true;
  }
  return false;
}
