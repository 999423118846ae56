// General models for a specific phrase: the names and synonyms of every indexed model, so that a
// query no title holds whole ("segmental pulmonary emboli", "comminuted fracture") can find the
// models whose whole title is in it ("pulmonary embolism" is not, "fracture" is). Each title is
// filed under the first 4 letters of its rarest word, so a query looks at few titles: only those
// whose rarest word it may hold.
import { wordsOf } from "../model/words.js";
import { allAtOnce, type Slices, type Steps } from "./search/slices.js";
import { formsOf, sameWord, STOP_WORDS, type Adjectives, type SearchedText } from "./search/terms.js";

interface Title {
  id: string;
  /** Its words, stop words aside. */
  words: string[];
  /** How many of them count toward its length (not weak; see the constructor). */
  length: number;
}

/** What a title is filed under: the first 4 letters of a word (all of a shorter one). */
const keyOf = (w: string) => w.slice(0, 4);

export class TitleIndex {
  private readonly entries: Array<Pick<SearchedText, "name" | "synonyms"> & { oifm_id: string }> = [];
  /** The titles filed by key: made when first asked for (most searches never need general models), or ahead by prepare(). */
  private filed: Map<string, Title[]> | undefined;

  /**
   * @param weak - words that do not count toward a title's length (side, number, severity:
   * "multiple fractures" is one word long), counted once per title rather than per search
   */
  constructor(private readonly weak: ReadonlySet<string> = new Set()) {}

  add(entries: readonly Pick<SearchedText, "name" | "synonyms">[] & ReadonlyArray<{ oifm_id: string }>): void {
    for (const e of entries) this.entries.push(e);
  }

  /** Ready to answer (once, after the last add). */
  finish(): this {
    return this;
  }

  private get byKey(): Map<string, Title[]> {
    return (this.filed ??= allAtOnce(this.filing()));
  }

  /**
   * File the titles now, a slice at a time (`slices`), rather than on the first search that needs
   * general models, which would hold the thread for all of it: the same table, in the same order.
   */
  async prepare(slices: Slices): Promise<void> {
    if (this.filed) return;
    const byKey = await slices.run(this.filing());
    this.filed ??= byKey;
  }

  /** The titles filed by the key of their rarest word, a piece at a time. */
  private *filing(): Steps<Map<string, Title[]>> {
    const titles: Title[] = [];
    for (const e of this.entries) {
      this.titlesOf(e, titles);
      yield;
    }
    const counts = new Map<string, number>();
    for (const t of titles) {
      countKeys(counts, t);
      yield;
    }
    const byKey = new Map<string, Title[]>();
    for (const t of titles) {
      file(byKey, counts, t);
      yield;
    }
    return byKey;
  }

  /** The titles (name and synonyms) of `e` with a word other than stop words, added to `titles`. */
  private titlesOf(e: Pick<SearchedText, "name" | "synonyms"> & { oifm_id: string }, titles: Title[]): void {
    for (const title of [e.name, ...e.synonyms]) {
      const words = wordsOf(title).filter((w) => !STOP_WORDS.has(w));
      if (words.length > 0) titles.push({ id: e.oifm_id, words, length: strongWords(words, this.weak) });
    }
  }

  /**
   * Models with a title whose every word is among `terms` (in some form), each with the most words
   * of such a title not counting weak words (see the constructor): the more words, the closer the
   * model. Best first; ties by model ID.
   */
  contained(terms: readonly string[], adjectives?: Adjectives): Array<{ id: string; words: number }> {
    const best = new Map<string, number>();
    for (const key of new Set(terms.flatMap((t) => formsOf(t, adjectives)).map(keyOf))) {
      const titles = this.byKey.get(key);
      if (titles === undefined) continue;
      for (const t of titles) {
        const length = t.length;
        if (length === 0 || (best.get(t.id) ?? 0) >= length) continue;
        if (allAmong(t.words, terms, adjectives)) best.set(t.id, length);
      }
    }
    return [...best].map(([id, words]) => ({ id, words })).sort((a, b) => b.words - a.words || (a.id < b.id ? -1 : 1));
  }
}


/** How many titles have a word with each key of `t`'s words, counted into `counts` (once per title). */
function countKeys(counts: Map<string, number>, t: Title): void {
  for (const k of new Set(t.words.map(keyOf))) counts.set(k, (counts.get(k) ?? 0) + 1);
}

/** `t` filed in `byKey` under the key of its rarest word (`counts`; ties: the first). */
function file(byKey: Map<string, Title[]>, counts: ReadonlyMap<string, number>, t: Title): void {
  let key = keyOf(t.words[0]!);
  for (const w of t.words) if (counts.get(keyOf(w))! < counts.get(key)!) key = keyOf(w);
  const list = byKey.get(key);
  if (list) list.push(t);
  else byKey.set(key, [t]);
}

/** How many of `words` are not in `weak`. */
function strongWords(words: readonly string[], weak: ReadonlySet<string>): number {
  let n = 0;
  for (const w of words) if (!weak.has(w)) n++;
  return n;
}

/** Whether every one of `words` is one of `terms` in some form (sameWord). */
function allAmong(words: readonly string[], terms: readonly string[], adjectives?: Adjectives): boolean {
  for (const w of words) {
    let found = false;
    for (const q of terms) {
      if (sameWord(w, q, adjectives)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}
