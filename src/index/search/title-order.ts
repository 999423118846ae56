// Order: the closest title first. The stores rank whole entries (BM25 over all the text of each);
// the first results are then put in order of how closely a name or synonym matches the query, the
// same way for every store.
import { wordsOf } from "../../model/words.js";
import { mayHold, sameRoot, STOP_WORDS, type SearchedText } from "./terms.js";

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
