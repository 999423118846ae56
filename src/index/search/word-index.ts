// The full-text search of the index, answered from memory: the models holding every word of a
// query, and (when too few do) those holding any word in their name, synonyms or description,
// ranked by BM25 as SQLite's FTS5 ranks them (same tokens: words of letters and digits,
// lower-cased, diacritics removed, Porter-stemmed; the same column weights and length
// normalization; the last word also as a prefix, for search-as-you-type). Asking the store cost a
// query per search and a read of each result's row; here each word's postings are read once, when
// the index is first searched (and again after any write), and a query adds up a few arrays. Every
// store answers alike, since the ranking is done here.
import { stemmer } from "stemmer";
import { tagKey } from "../../model/tags.js";
import { WORD } from "../../model/words.js";
import { BM25_WEIGHTS } from "../../store/sqlite/weights.js";

/** The searched text of an entry, as the full-text index holds it. */
export interface FillText {
  oifm_id: string;
  name: string;
  synonyms: readonly string[];
  description: string;
  tags: readonly string[];
  attributes: ReadonlyArray<{ name: string }>;
}

/** FTS5's bm25() constants and SQLite's column weights. */
const K1 = 1.2;
const B = 0.75;
const W = BM25_WEIGHTS;

/** The tokens of `text` as FTS5's `porter unicode61 remove_diacritics 2` tokenizer makes them. */
export function tokensOf(text: string): string[] {
  const lower = text.toLowerCase();
  // ASCII text has no diacritics to remove (most of the registry's text): no normalization needed.
  const words = (ASCII.test(lower) ? lower : lower.normalize("NFD").replace(DIACRITIC, "")).match(WORD) ?? [];
  return words.map(stemOf);
}

const ASCII = /^[\x00-\x7f]*$/;

/** Stems of the words seen so far: the same few thousand words recur across the models. */
const stems = new Map<string, string>();

/** The Porter stem of a lower-cased word (as FTS5's porter tokenizer makes it). */
export function stemOf(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stems.size < MAX_STEMS_HELD) stems.set(word, s);
  }
  return s;
}

const MAX_STEMS_HELD = 100_000;

const DIACRITIC = /\p{M}/gu;

interface Postings {
  /** Model numbers, ascending. */
  docs: number[];
  /** Each one's weighted count of the token in all five columns (10 per name, 8 per synonym, 3 per description, 1 per tag, 0.5 per attribute name occurrence). */
  all: number[];
  /** The same in the name, synonyms and description only (0: the token is only in tags or attribute names). */
  text: number[];
}

export class WordIndex {
  private readonly ids: string[] = [];
  /** Tokens of each model in all five full-text columns (BM25's document length). */
  private readonly lengths: number[] = [];
  private readonly tags: string[][] = [];
  private readonly postings = new Map<string, Postings>();
  private totalLength = 0;
  /** Every token, sorted: for the last term's prefix match. */
  private sorted: string[] = [];
  /** Scratch space of best(), one number per model, all zero between calls (so a query allocates little). */
  private score = new Float64Array(0);
  private freq = new Float64Array(0);
  /** How many terms each model holds, during a query. */
  private hits = new Uint8Array(0);
  /** The last term each model was counted for (BM25's idf counts the models holding a term). */
  private stamp = new Uint32Array(0);
  private tick = 0;
  /** The candidates of the current term, and every model scored so far. */
  private touched = new Int32Array(0);
  private scored = new Int32Array(0);

  add(entries: readonly FillText[]): void {
    for (const e of entries) {
      const doc = this.ids.length;
      this.ids.push(e.oifm_id);
      this.tags.push(e.tags.map(tagKey));
      this.slots.clear();
      this.slotTokens.length = 0;
      let length = this.count(e.name, W.name, true);
      for (const s of e.synonyms) length += this.count(s, W.synonyms, true);
      length += this.count(e.description, W.description, true);
      for (const t of e.tags) length += this.count(t, W.tags, false);
      for (const a of e.attributes) length += this.count(a.name, W.attributes, false);
      this.lengths.push(length);
      this.totalLength += length;
      const tokens = this.slotTokens;
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i]!;
        const p = this.postings.get(token);
        if (p) {
          p.docs.push(doc);
          p.all.push(this.slotAll[i]!);
          p.text.push(this.slotText[i]!);
        } else this.postings.set(token, { docs: [doc], all: [this.slotAll[i]!], text: [this.slotText[i]!] });
      }
    }
  }

  // The entry being added: each token's slot, in order of first appearance, and its weight in all
  // columns and in name, synonyms and description (reused entry after entry: a read of the whole
  // index allocates no pair per token of each entry).
  private readonly slots = new Map<string, number>();
  private readonly slotTokens: string[] = [];
  private slotAll = new Float64Array(64);
  private slotText = new Float64Array(64);

  /** The tokens of `text` counted into the entry being added; how many there are (its part of BM25's length). */
  private count(text: string, weight: number, inText: boolean): number {
    const tokens = tokensOf(text);
    for (const t of tokens) {
      let i = this.slots.get(t);
      if (i === undefined) {
        i = this.slotTokens.length;
        this.slots.set(t, i);
        this.slotTokens.push(t);
        if (i === this.slotAll.length) {
          const all = new Float64Array(i * 2);
          const text = new Float64Array(i * 2);
          all.set(this.slotAll);
          text.set(this.slotText);
          [this.slotAll, this.slotText] = [all, text];
        }
        this.slotAll[i] = 0;
        this.slotText[i] = 0;
      }
      this.slotAll[i] = this.slotAll[i]! + weight;
      if (inText) this.slotText[i] = this.slotText[i]! + weight;
    }
    return tokens.length;
  }

  /** Ready to answer (once, after the last add). */
  finish(): this {
    this.sorted = [...this.postings.keys()].sort();
    return this;
  }

  /**
   * The best `limit` models (model numbers, best first) holding every one of `terms` (the last also
   * as a prefix) in any of the five columns, as FTS5's `"a" AND "b" *` ranks them; leaving out
   * `skip` and models without every one of `tags` (tagKeys); ties in model order. A term that is
   * several tokens (which FTS5 reads as a phrase) counts as each of them.
   */
  every(terms: readonly string[], limit: number, skip: ReadonlySet<string>, tags?: readonly string[]): number[] {
    return this.ranked(terms, limit, skip, tags, true);
  }

  /**
   * The best `limit` models (model numbers, best first) holding any of `terms` (the last also as a
   * prefix) in their name, synonyms or description, as FTS5's
   * `{name synonyms description} : ("a" OR "b" *)` ranks them; otherwise as `every`. A term that is
   * not one token matches nothing.
   */
  any(terms: readonly string[], limit: number, skip: ReadonlySet<string>, tags?: readonly string[]): number[] {
    return this.ranked(terms, limit, skip, tags, false);
  }

  /** The oifm_id of model number `doc`. */
  id(doc: number): string {
    return this.ids[doc]!;
  }

  private ranked(terms: readonly string[], limit: number, skip: ReadonlySet<string>, tags: readonly string[] | undefined, every: boolean): number[] {
    const n = this.ids.length;
    if (n === 0 || terms.length === 0 || limit <= 0) return [];
    const tokens: string[] = [];
    for (const term of terms) {
      const t = tokensOf(term);
      if (t.length === 1) tokens.push(t[0]!);
      else if (every) tokens.push(...t);
      else tokens.push(""); // a term without a letter or digit matches nothing
    }
    if (this.score.length !== n) {
      this.score = new Float64Array(n);
      this.freq = new Float64Array(n);
      this.hits = new Uint8Array(n);
      this.stamp = new Uint32Array(n);
      this.touched = new Int32Array(n);
      this.scored = new Int32Array(n);
    }
    const { score, freq, hits, stamp, touched, scored } = this;
    const avgLength = this.totalLength / n;
    let nScored = 0;
    const last = tokens.length - 1;
    let counted = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token === "") continue;
      counted++;
      // Every-term: only a model holding the terms before this one can still match.
      const open = !every || counted === 1;
      const tick = ++this.tick;
      // How many models hold the term (BM25's idf counts them all), and its weighted count in each
      // candidate (for the last term: any token it begins).
      let holding = 0;
      let nTouched = 0;
      const one = i === last ? undefined : this.postings.get(token);
      const lists = i === last ? this.prefixed(token) : one ? [one] : [];
      for (const p of lists) {
        const weights = every ? p.all : p.text;
        const docs = p.docs;
        for (let j = 0; j < docs.length; j++) {
          const w = weights[j]!;
          if (w === 0) continue;
          const doc = docs[j]!;
          if (stamp[doc] !== tick) {
            stamp[doc] = tick;
            holding++;
          }
          if (!open && hits[doc] !== counted - 1) continue;
          if (freq[doc] === 0) touched[nTouched++] = doc;
          freq[doc] = freq[doc]! + w;
        }
      }
      if (every && nTouched === 0) {
        for (let k = 0; k < nScored; k++) score[scored[k]!] = hits[scored[k]!] = 0;
        return [];
      }
      const idf = Math.log((n - holding + 0.5) / (holding + 0.5));
      const weight = idf > 0 ? idf : 1e-6;
      for (let k = 0; k < nTouched; k++) {
        const doc = touched[k]!;
        const f = freq[doc]!;
        freq[doc] = 0;
        if (hits[doc] === 0) scored[nScored++] = doc;
        hits[doc] = hits[doc]! + 1;
        score[doc] = score[doc]! + (weight * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * this.lengths[doc]!) / avgLength));
      }
    }
    // The best `limit`, kept in order as they come (best score first, ties in model order).
    const top = new TopList(limit);
    for (let k = 0; k < nScored; k++) {
      const doc = scored[k]!;
      const s = score[doc]!;
      const h = hits[doc]!;
      score[doc] = 0;
      hits[doc] = 0;
      if (every && h < counted) continue;
      if (!top.wouldTake(s, doc)) continue;
      if (skip.has(this.ids[doc]!)) continue;
      if (tags && !tags.every((t) => this.tags[doc]!.includes(t))) continue;
      top.add(s, doc);
    }
    return top.docs();
  }

  /** The postings of every token starting with `prefix`. */
  private prefixed(prefix: string): Postings[] {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const lists: Postings[] = [];
    for (let i = lo; i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) lists.push(this.postings.get(this.sorted[i]!)!);
    return lists;
  }
}

/** The best `limit` (score, model number) pairs seen, best first: higher score, then lower number. */
class TopList {
  private readonly scores: number[] = [];
  private readonly nums: number[] = [];

  constructor(private readonly limit: number) {}

  /** Whether (score, doc) would be among the best (cheap test before the filters). */
  wouldTake(score: number, doc: number): boolean {
    const n = this.nums.length;
    if (n < this.limit) return true;
    const s = this.scores[n - 1]!;
    return score > s || (score === s && doc < this.nums[n - 1]!);
  }

  add(score: number, doc: number): void {
    const { scores, nums } = this;
    // Where it goes: after every better one (binary search).
    let lo = 0;
    let hi = nums.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (scores[mid]! > score || (scores[mid] === score && nums[mid]! < doc)) lo = mid + 1;
      else hi = mid;
    }
    scores.splice(lo, 0, score);
    nums.splice(lo, 0, doc);
    if (nums.length > this.limit) {
      scores.pop();
      nums.pop();
    }
  }

  docs(): number[] {
    return this.nums;
  }
}
