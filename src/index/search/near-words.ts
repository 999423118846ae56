// Near words: typing errors and the other number of Latin and Greek nouns.
//
// A search whose best result lacks one of the query's words is looked at again: each word that no
// indexed model uses is replaced by the indexed word one typing error away (a letter added,
// dropped, replaced, or two neighbours swapped) that most models use; a Latin or Greek noun is
// replaced by its other number when that form is indexed ("diverticula" -> "diverticulum", which
// stemming does not join). If the search with the replaced words finds a model with all of them,
// its results come first. All of this is done here, on the words and entries any store returns,
// so every store gives the same answers.
import { WORD, wordsOf } from "../../model/words.js";
import { allAtOnce, type Slices, type Steps } from "./slices.js";
import { hasWordStarting, mayHold, sameRoot, searchedWords, type SearchedText } from "./terms.js";

/** Whether `entry` has each of `terms` (in some form) in its searched text. */
export function hasEveryTerm(entry: SearchedText, terms: readonly string[]): boolean {
  const text = searchedLower(entry);
  if (terms.every((t) => hasWordStarting(text, t))) return true;
  if (!terms.every((t) => mayHold(text, t))) return false;
  const words = wordsOf(text);
  return terms.every((t) => words.some((w) => sameRoot(w, t)));
}

/**
 * The searched text of `entry`, lower-cased, made once per entry object: search asks this of the
 * same entries (held in memory) query after query, and a description is long. Entries are never
 * changed in place.
 */
const lowered = new WeakMap<object, string>();

function searchedLower(entry: SearchedText): string {
  let text = lowered.get(entry);
  if (text === undefined) {
    text = [entry.name, ...entry.synonyms, entry.description, ...entry.tags, ...entry.attributes.map((a) => a.name)].join("\n").toLowerCase();
    lowered.set(entry, text);
  }
  return text;
}

/** A word's other number when it has a Latin or Greek ending: diverticulum/diverticula, embolus/emboli, stenosis/stenoses, vertebra/vertebrae, apex/apices, ganglion/ganglia, thorax/thoraces. */
export function otherNumberForms(word: string): string[] {
  const forms: string[] = [];
  for (const [pattern, replacement] of NUMBER_RULES) {
    if (pattern.test(word)) forms.push(word.replace(pattern, replacement));
  }
  return forms;
}

/** otherNumberForms' endings and what each becomes, in the order tried. */
const NUMBER_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/um$/, "a"],
  [/a$/, "um"],
  [/us$/, "i"],
  [/([^aeiou])i$/, "$1us"],
  [/is$/, "es"],
  [/([^s])es$/, "$1is"],
  [/a$/, "ae"],
  [/ae$/, "a"],
  [/(ex|ix)$/, "ices"],
  [/ices$/, "ex"],
  [/ices$/, "ix"],
  [/on$/, "a"],
  [/a$/, "on"],
  [/ax$/, "aces"], // thorax/thoraces, pneumothorax/pneumothoraces
  [/aces$/, "ax"],
];

/**
 * Words filed under each of their forms with a letter left out (words of 3 letters or more), to
 * find the words one typing error from another. Words are only ever added: one table serves the
 * vocabularies of successive reads of an index, most of whose words are the same, and each
 * vocabulary takes from it only its own words.
 */
export class NearWordTable {
  private readonly filed = new Set<string>();
  /** A word with one letter left out -> the words filed that it comes from. */
  readonly deletions = new Map<string, string[]>();

  /** How many words are filed. */
  get size(): number {
    return this.filed.size;
  }

  /** File `w` (once). */
  file(w: string): void {
    if (this.filed.has(w)) return;
    this.filed.add(w);
    if (w.length < MIN_CORRECTED - 1) return;
    for (const d of oneLetterLess(w)) {
      const list = this.deletions.get(d);
      if (list) list.push(w);
      else this.deletions.set(d, [w]);
    }
  }
}

/** The words of the indexed entries, with how many entries use each, and the near words of a word. */
export class Vocabulary {
  /** Word -> number of entries using it; counted when first needed (most searches never need it), or ahead by prepare(). */
  private counted: Map<string, number> | undefined;
  private readonly entries: SearchedText[] = [];
  /**
   * The near-word table holding (at least) these words: filed when a near word is first asked for
   * (most searches never need one), or ahead by prepare(). It may hold words of an earlier read
   * too (see NearWordTable), which are never answered.
   */
  private readonly table: NearWordTable;
  private filed = false;

  /**
   * The words of `pages` of entries (read a page at a time, so that a large index is never held whole).
   * @param table - the near-word table of an earlier read of the index to add to (see shareTable)
   */
  static async read(pages: AsyncIterable<readonly SearchedText[]>, table?: NearWordTable): Promise<Vocabulary> {
    const entries: SearchedText[] = [];
    for await (const page of pages) entries.push(...page);
    return new Vocabulary(entries, table);
  }

  constructor(entries: Iterable<SearchedText> | Map<string, number>, table = new NearWordTable()) {
    this.table = table;
    if (entries instanceof Map) this.counted = entries;
    else for (const e of entries) this.entries.push(e);
  }

  private get counts(): Map<string, number> {
    return (this.counted ??= allAtOnce(this.counting()));
  }

  private get deletions(): Map<string, string[]> {
    if (!this.filed) {
      allAtOnce(this.filing(this.counts.keys()));
      this.filed = true;
    }
    return this.table.deletions;
  }

  /**
   * Make the word counts and file the words in the near-word table now, a slice at a time
   * (`slices`), rather than on the first search that needs them, which would hold the thread for
   * all of it (words already filed by an earlier read cost nothing).
   */
  async prepare(slices: Slices): Promise<void> {
    if (!this.counted) {
      const counts = await slices.run(this.counting());
      this.counted ??= counts;
    }
    if (!this.filed) {
      await slices.run(this.filing(this.counted.keys()));
      this.filed = true;
    }
  }

  /** How many entries use each word, a piece at a time. */
  private *counting(): Steps<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const e of this.entries) {
      countWords(counts, e);
      yield;
    }
    return counts;
  }

  /** `words` filed in the near-word table, a piece at a time. */
  private *filing(words: Iterable<string>): Steps<void> {
    for (const w of words) {
      this.table.file(w);
      yield;
    }
  }

  /**
   * The near-word table, for the next read of the index to add to, once it holds these words;
   * undefined (the next read makes a new one) before, or when it holds more than twice as many
   * words as are indexed now (words no longer indexed would pile up).
   */
  shareTable(): NearWordTable | undefined {
    if (!this.filed || !this.counted) return undefined;
    return this.table.size > 2 * this.counted.size + SHARED_SLACK ? undefined : this.table;
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
    return this.near(word)[0];
  }

  /** Every indexed word one typing error from `word`, the most used first (ties: alphabetical). */
  near(word: string): string[] {
    if (word.length < MIN_CORRECTED || !/^\p{L}+$/u.test(word)) return [];
    const candidates = new Set<string>(this.deletions.get(word) ?? []); // a letter dropped
    const less = oneLetterLess(word);
    for (const d of less) {
      if (this.counts.has(d)) candidates.add(d); // a letter added
      for (const w of this.deletions.get(d) ?? []) candidates.add(w); // replaced, or swapped
    }
    // (The table may hold words of an earlier read that are no longer indexed.)
    const out = [...candidates].filter((c) => c !== word && this.counts.has(c) && withinOneEdit(word, c));
    return out.sort((a, b) => this.count(b) - this.count(a) || (a < b ? -1 : 1));
  }
}

/** Words shorter than this are never corrected: too many words are one letter from them. */
const MIN_CORRECTED = 4;

/** `e`'s words counted into `counts` (once each). */
function countWords(counts: Map<string, number>, e: SearchedText): void {
  for (const w of new Set(searchedWords(e))) counts.set(w, (counts.get(w) ?? 0) + 1);
}

/** Words a shared near-word table may hold beyond twice those indexed (see shareTable). */
const SHARED_SLACK = 1000;

/** `w` with one letter left out, at each place. */
export function oneLetterLess(w: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/** At most one edit apart: a letter added, dropped or replaced, or two neighbours swapped. */
export function withinOneEdit(a: string, b: string): boolean {
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
 * Other choices than `chosen` (replacementTerms' answer): for each word no entry uses that has more
 * than one near word, `chosen` with that word's next near words instead, at most `most` in all.
 * "nodles" is one typing error from "nodes" and from "nodules"; the commoner is not always meant.
 */
export function otherReplacements(terms: readonly string[], vocabulary: Vocabulary, chosen: ReadonlyMap<string, string>, most: number): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  for (const t of terms) {
    if (vocabulary.has(t) || !chosen.has(t)) continue;
    for (const other of vocabulary.near(t)) {
      if (out.length >= most) return out;
      if (other !== chosen.get(t)) out.push(new Map(chosen).set(t, other));
    }
  }
  return out;
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
