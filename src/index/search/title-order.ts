// Order: the closest title first. The stores rank whole entries (BM25 over all the text of each);
// the first results are then put in order of how closely a name or synonym matches the query, the
// same way for every store.
import { wordsOf } from "../../model/words.js";
import { formsOf, heldKey, sameRoot, sameStem, STOP_WORDS, type Adjectives, type SearchedText } from "./terms.js";

/** How many of the first full-text results closestTitlesFirst puts in order (the same for every limit). */
export const REORDERED = 10;

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
}

function queryTerms(terms: readonly string[], adjectives?: Adjectives): QueryTerms {
  return { terms, keys: terms.map((t) => formsOf(t, adjectives).map(heldKey)), organs: terms.map((t) => adjectives?.get(t)) };
}

/** sameWord(w, the i-th term, adjectives), with the term's organ words looked up beforehand. */
function isTerm(w: string, q: QueryTerms, i: number): boolean {
  const t = q.terms[i]!;
  if (sameRoot(w, t) || sameStem(w, t)) return true;
  const organ = q.organs[i];
  return organ !== undefined && organ.includes(w);
}

function distanceOf(titles: readonly TitleWords[], q: QueryTerms): number {
  const { terms } = q;
  let best = NO_TITLE;
  for (const title of titles) {
    if (!holdsEveryKey(title.lower, q.keys)) continue;
    const words = title.meaningful;
    // A term held only in another form of its stem (enlarged: "thyroid enlargement") or as another
    // word for its organ ("hepatic" for "liver") counts half a word more.
    let loose = 0;
    let every = true;
    for (let i = 0; i < terms.length; i++) {
      if (someRoot(words, terms[i]!)) continue;
      if (!someTerm(words, q, i)) {
        every = false;
        break;
      }
      loose++;
    }
    if (every) best = Math.min(best, Math.max(0, words.length - terms.length) + loose / 2);
  }
  return best;
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
  for (const title of titlesOf(entry)) {
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

function nameDistanceOf(titles: readonly TitleWords[], q: QueryTerms): number {
  let n = 0;
  for (const w of titles[0]!.meaningful) {
    let matched = false;
    for (let i = 0; i < q.terms.length && !matched; i++) matched = isTerm(w, q, i);
    if (!matched) n++;
  }
  return n;
}

/** How many of `terms` the name and synonyms of `entry` hold between them (in some form). */
export function titlesCoverage(entry: Pick<SearchedText, "name" | "synonyms">, terms: readonly string[], adjectives?: Adjectives): number {
  const titles = titlesOf(entry);
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
}

/**
 * The name and synonyms of `entry`, lower-cased and cut into words once per entry object: search
 * looks at the same entries (held in memory) query after query. Entries are never changed in place.
 */
const titleWords = new WeakMap<object, TitleWords[]>();

function titlesOf(entry: Pick<SearchedText, "name" | "synonyms">): TitleWords[] {
  let titles = titleWords.get(entry);
  if (!titles) {
    titles = [entry.name, ...entry.synonyms].map((title) => {
      const lower = title.toLowerCase();
      const words = wordsOf(lower);
      return { lower, words, meaningful: words.filter((w) => !STOP_WORDS.has(w)) };
    });
    titleWords.set(entry, titles);
  }
  return titles;
}

/**
 * Full-text results (best first) with the first `n` put in order of titleDistance: an entry named
 * by the query's words, with the fewest other words, first; ties keep the store's order. The store
 * ranks whole entries (BM25 over all the text of each), so a long description or many attributes
 * can put "unilateral adrenal enlargement" before "adrenal enlargement"; this puts it right, the
 * same way for every store.
 */
export function closestTitlesFirst<T extends Pick<SearchedText, "name" | "synonyms">>(entries: readonly T[], terms: readonly string[], n: number, adjectives?: Adjectives): T[] {
  const head = entries.slice(0, n);
  const q = queryTerms(terms, adjectives);
  const distance: number[] = [];
  // Among titles equally close, the entry whose own name is closest.
  const named: number[] = [];
  for (const e of head) {
    const titles = titlesOf(e);
    const d = distanceOf(titles, q);
    distance.push(d);
    named.push(d === NO_TITLE ? 0 : nameDistanceOf(titles, q));
  }
  const order = head.map((_, i) => i).sort((a, b) => distance[a]! - distance[b]! || named[a]! - named[b]! || a - b);
  const out = order.map((i) => head[i]!);
  for (let i = n; i < entries.length; i++) out.push(entries[i]!);
  return out;
}
