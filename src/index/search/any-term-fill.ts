// The any-term fill, answered from memory: when too few models hold every word of a query, the
// rest of the results are the models holding any word in their name, synonyms or description,
// ranked by BM25 as SQLite's FTS5 ranks them (same tokens: words of letters and digits, lower-cased,
// diacritics removed, Porter-stemmed; the same weights and length normalization). Asking the store
// made it score every model holding any query word, one row at a time, for each query: most of a
// search's time. Here each word's postings are read once, when the index is first searched, and a
// query adds up a few arrays. Built with the near-word list (one pass over the entries), so every
// store answers the fill alike.
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

/** FTS5's bm25() constants; the column weights are SQLite's own (tags and attribute names are not filled on). */
const K1 = 1.2;
const B = 0.75;
const { name: NAME_WEIGHT, synonyms: SYNONYM_WEIGHT, description: DESCRIPTION_WEIGHT } = BM25_WEIGHTS;

/** The tokens of `text` as FTS5's `porter unicode61 remove_diacritics 2` tokenizer makes them. */
export function tokensOf(text: string): string[] {
  const words = text.toLowerCase().normalize("NFD").replace(DIACRITIC, "").match(WORD) ?? [];
  return words.map(stemOf);
}

/** Stems of the words seen so far: the same few thousand words recur across the models. */
const stems = new Map<string, string>();

function stemOf(word: string): string {
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
  /** Each one's weighted count of the token (10 per name, 8 per synonym, 3 per description occurrence). */
  weights: number[];
}

export class AnyTermFill {
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

  add(entries: readonly FillText[]): void {
    for (const e of entries) {
      const doc = this.ids.length;
      this.ids.push(e.oifm_id);
      this.tags.push(e.tags.map(tagKey));
      const weights = new Map<string, number>();
      const count = (text: string, weight: number) => {
        const tokens = tokensOf(text);
        for (const t of tokens) weights.set(t, (weights.get(t) ?? 0) + weight);
        return tokens.length;
      };
      let length = count(e.name, NAME_WEIGHT);
      for (const s of e.synonyms) length += count(s, SYNONYM_WEIGHT);
      length += count(e.description, DESCRIPTION_WEIGHT);
      for (const t of e.tags) length += tokensOf(t).length;
      for (const a of e.attributes) length += tokensOf(a.name).length;
      this.lengths.push(length);
      this.totalLength += length;
      for (const [token, weight] of weights) {
        const p = this.postings.get(token);
        if (p) {
          p.docs.push(doc);
          p.weights.push(weight);
        } else this.postings.set(token, { docs: [doc], weights: [weight] });
      }
    }
  }

  /** Ready to answer (once, after the last add). */
  finish(): this {
    this.sorted = [...this.postings.keys()].sort();
    return this;
  }

  /**
   * The best `limit` models (oifm_ids, best first) holding any of `terms` (the last also as a
   * prefix, for search-as-you-type) in their name, synonyms or description, leaving out `skip` and
   * models without every one of `tags` (lower-cased); ties in model order.
   */
  best(terms: readonly string[], limit: number, skip: ReadonlySet<string>, tags?: readonly string[]): string[] {
    const n = this.ids.length;
    if (n === 0 || terms.length === 0 || limit <= 0) return [];
    if (this.score.length !== n) {
      this.score = new Float64Array(n);
      this.freq = new Float64Array(n);
    }
    const { score, freq } = this;
    const avgLength = this.totalLength / n;
    const scored: number[] = [];
    terms.forEach((term, i) => {
      const tokens = tokensOf(term);
      if (tokens.length !== 1) return; // a term is one word; one without a letter or digit matches nothing
      // The phrase's weighted count in each model holding it (for the last term: any token it begins).
      const touched: number[] = [];
      const lists = i === terms.length - 1 ? this.prefixed(tokens[0]!) : [this.postings.get(tokens[0]!)].filter((p) => p !== undefined);
      for (const p of lists) {
        for (let j = 0; j < p.docs.length; j++) {
          const doc = p.docs[j]!;
          if (freq[doc] === 0) touched.push(doc);
          freq[doc] = freq[doc]! + p.weights[j]!;
        }
      }
      const idf = Math.log((n - touched.length + 0.5) / (touched.length + 0.5));
      const weight = idf > 0 ? idf : 1e-6;
      for (const doc of touched) {
        const f = freq[doc]!;
        freq[doc] = 0;
        if (score[doc] === 0) scored.push(doc);
        score[doc] = score[doc]! + (weight * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * this.lengths[doc]!) / avgLength));
      }
    });
    const ranked: Array<[number, number]> = [];
    for (const doc of scored) {
      const s = score[doc]!;
      score[doc] = 0;
      if (skip.has(this.ids[doc]!)) continue;
      if (tags && !tags.every((t) => this.tags[doc]!.includes(t))) continue;
      ranked.push([doc, s]);
    }
    ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const out: string[] = [];
    for (let k = 0; k < ranked.length && k < limit; k++) out.push(this.ids[ranked[k]![0]]!);
    return out;
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
