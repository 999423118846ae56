// The radiology lexicon (the .tsv files of lexicon/: radiology-lexicon.tsv, the other-names files and
// descriptions.tsv): abbreviations, spelling variants, equivalent terms and plain descriptions as
// reports and people write them, each with the words the registry uses instead. Read and
// checked once when this module loads (a malformed line stops the program, naming the line and the
// reason), compiled to a map from a term's first word to its entries, and applied to a query's words
// in one pass: the longest term starting at each word is replaced by its expansion (a site term
// instead adds its organ word for finding general models). Adjective entries (an organ and its
// adjectives: liver, hepatic) rewrite nothing: titles match either word (see sameWord in search/terms.ts).
import { CodedError } from "../model/errors.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { wordsOf } from "../model/words.js";
import { oneLetterLess, withinOneEdit } from "./search/near-words.js";
import { MAX_TERMS, SEVERITY_WORDS, UNITS } from "./search/terms.js";

/** A lexicon file that cannot be used: which line, and why. */
export class LexiconError extends CodedError {
  constructor(message: string) {
    super("lexicon", message);
  }
}

export const LEXICON_KINDS = ["abbreviation", "spelling", "equivalent", "site", "number", "adjective"] as const;
export type LexiconKind = (typeof LEXICON_KINDS)[number];

export interface LexiconEntry {
  term: string[];
  expansion: string[];
  kind: LexiconKind;
  source: string;
  /** Where the entry is written: the file (as given to parseLexicon) and its line. */
  file: string;
  line: number;
}

const HEADER = "term\texpansion\tkind\tsource";

/** The entries of a lexicon text; throws a LexiconError naming `file`, the line and the reason for a malformed line. */
export function parseLexicon(text: string, file: string): LexiconEntry[] {
  const entries: LexiconEntry[] = [];
  const seen = new Map<string, number>();
  let header = false;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const n = i + 1;
    if (line.trim() === "" || line.startsWith("#")) return;
    const fail = (reason: string) => {
      throw new LexiconError(`${file} line ${n}: ${reason}`);
    };
    if (!header) {
      if (line !== HEADER) fail(`expected the header "term, expansion, kind, source" (tab-separated) before any entry`);
      header = true;
      return;
    }
    const cells = line.split("\t");
    if (cells.length !== 4) fail(`expected 4 tab-separated cells (term, expansion, kind, source), got ${cells.length}`);
    const [termText, expansionText, kind, source] = cells.map((c) => c.trim()) as [string, string, string, string];
    const term = wordsOf(termText);
    const expansion = wordsOf(expansionText);
    if (term.length === 0) fail("the term has no letter or digit");
    if (expansion.length === 0) fail(`the expansion of "${termText}" has no letter or digit`);
    if (!(LEXICON_KINDS as readonly string[]).includes(kind)) fail(`unknown kind "${kind}"; use one of ${LEXICON_KINDS.join(", ")}`);
    if (source === "") fail(`"${termText}" has no source or rationale`);
    if (term.join(" ") === expansion.join(" ")) fail(`"${termText}" expands to itself`);
    if (kind === "adjective" && term.length !== 1) fail(`the adjective entry "${termText}" must name one word (an organ), its expansion that organ's adjectives`);
    const key = term.join(" ");
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(`"${termText}" is already defined on line ${earlier}`);
    seen.set(key, n);
    entries.push({ term, expansion, kind: kind as LexiconKind, source, file, line: n });
  });
  if (!header) throw new LexiconError(`${file}: no header line "term, expansion, kind, source"`);
  return entries;
}

/** A lexicon ready to apply: a term's first word -> its entries, longest term first. */
export class Lexicon {
  /** A term's first word (past articles) -> its entries with their words past articles, longest first. */
  private readonly byFirst = new Map<string, Candidate[]>();

  /** Each word of an adjective entry -> all the words of its entry (the organ and its adjectives). */
  readonly adjectives = new Map<string, readonly string[]>();

  /** With `built` (fromCompiled), its terms and adjectives as they were filed, in that order; else made from `entries`. */
  constructor(
    readonly entries: readonly LexiconEntry[],
    built?: { candidates: Iterable<Candidate>; adjectives: Iterable<readonly [string, readonly string[]]> },
  ) {
    if (built) {
      for (const [w, group] of built.adjectives) this.adjectives.set(w, group);
      for (const c of built.candidates) this.add(c.entry, c.core, c.reversed, c.loose);
      return;
    }
    for (const e of entries) {
      if (e.kind === "adjective") {
        const group = [...e.term, ...e.expansion];
        for (const w of group) this.adjectives.set(w, [...new Set([...(this.adjectives.get(w) ?? []), ...group])]);
        continue;
      }
      this.add(e, coreWords(e.term), false);
    }
    for (const [core, entry] of reversedTerms(entries)) this.add(entry, core, true);
    // (Stable: of terms equally long, those written in the files before the reversed ones.)
    for (const list of this.byFirst.values()) list.sort((a, b) => b.core.length - a.core.length);
  }

  /** This lexicon as the build writes it (see fromCompiled), its files named relative to `folder`. */
  compiled(folder: string): CompiledLexicon {
    const index = new Map(this.entries.map((e, i) => [e, i]));
    const relative = (file: string) => (file.startsWith(folder) ? file.slice(folder.length) : file);
    return {
      format: COMPILED_FORMAT,
      entries: this.entries.map((e) => [e.term, e.expansion, e.kind, e.source, relative(e.file), e.line]),
      // (The numberless words only where they differ: most terms have none.)
      candidates: [...this.byFirst.values()].flat().map((c) => [index.get(c.entry)!, c.core, c.loose.join(" ") === c.core.join(" ") ? 0 : c.loose, c.reversed ? 1 : 0]),
      adjectives: [...this.adjectives],
    };
  }

  /**
   * The lexicon the build compiled (compiled()): checked and built then, so a program reads it
   * without parsing its files again; file names are resolved against `folder`.
   */
  static fromCompiled(data: CompiledLexicon, folder: string): Lexicon {
    if (data.format !== COMPILED_FORMAT) throw new LexiconError(`the compiled lexicon is of format ${String(data.format)}, not ${COMPILED_FORMAT}: run the build again`);
    if (!Array.isArray(data.entries) || !Array.isArray(data.candidates) || !Array.isArray(data.adjectives)) {
      throw new LexiconError("the compiled lexicon lacks its entries, terms or adjectives: run the build again");
    }
    const entries = data.entries.map(([term, expansion, kind, source, file, line]): LexiconEntry => ({ term, expansion, kind, source, file: folder + file, line }));
    const candidates = data.candidates.map(([i, core, loose, reversed]): Candidate => ({ entry: entries[i]!, core, loose: loose === 0 ? core : loose, reversed: reversed === 1 }));
    return new Lexicon(entries, { candidates, adjectives: data.adjectives });
  }

  private add(entry: LexiconEntry, core: readonly string[], reversed: boolean, loose: readonly string[] = core.map(numberless)): void {
    const list = this.byFirst.get(loose[0]!) ?? [];
    list.push({ entry, core, loose, reversed });
    this.byFirst.set(loose[0]!, list);
  }

  /**
   * What the lexicon makes of `query`: `text`, its words with each term replaced by its expansion
   * (undefined when only site terms, or none, are in it); `siteWords`, the words site terms add
   * ("lung" for "upper lobe"), which only help find general models, since the registry's own
   * titles seldom name the site word as well; `siteTerms`, the site terms' own words; `whole`,
   * whether one term is the whole query (but for articles), as the lexicon's writers saw it.
   */
  rewrite(query: string, indexed?: IndexedWords): Rewrite {
    const joined = indexed && query.includes("-") ? this.joinHyphenated(query, indexed) : undefined;
    const words = wordsOf(joined ?? query);
    const first = this.pass(indexed ? this.nearTermWords(words, indexed) : words, undefined, words);
    if (first.out === undefined) return { text: joined === undefined ? undefined : words.join(" "), siteWords: first.siteWords, siteTerms: first.siteTerms };
    const whole = first.expansions === 1 && first.kept === 0;
    // Then the terms that join a word an expansion gave to a word of the query or of another
    // expansion ("rt effusion", "small eff", "rt eff": "right effusion", "small effusion"), which the
    // first pass could not see; never a term within one expansion's words.
    const second = this.pass(first.out, first.from);
    return { text: (second.out ?? first.out).join(" "), siteWords: [...first.siteWords, ...second.siteWords], siteTerms: [...first.siteTerms, ...second.siteTerms], whole };
  }

  /**
   * `words` with each of 5 letters or more that no term holds, and that neither the index holds nor
   * is one typing error from a word it holds (near words correct those), replaced by the term word
   * one typing error away (a letter added, dropped or replaced, or two neighbours swapped; of
   * several, the one most terms hold): "scared lungs" for "scarred lungs", "colarbone" for
   * "collarbone". For matching only: a word no term takes is shown as typed.
   */
  private nearTermWords(words: readonly string[], indexed: IndexedWords): readonly string[] {
    // Made at the first search that can use it, typing error or not: a server's warm-up pays for
    // it, not the first request with a typing error.
    const termWords = this.termWordTable();
    let out: string[] | undefined;
    // (Only the words search takes, and none longer than a term word and a letter.)
    for (let i = 0; i < Math.min(words.length, MAX_TERMS); i++) {
      const w = words[i]!;
      if (w.length < 5 || w.length > termWords.longest + 1 || !/^\p{L}+$/u.test(w) || indexed.has(w)) continue;
      if (termWords.has(w) || indexed.nearest(w) !== undefined) continue;
      const near = termWords.near(w, indexed);
      if (near === undefined) continue;
      out ??= [...words];
      out[i] = near;
    }
    return out ?? words;
  }

  /**
   * `query` with each pair of words written with a hyphen joined into one word where the index or a
   * term holds that word and the index lacks one of the halves ("intra-cranial": intracranial,
   * "pneumo-thorax": pneumothorax, "sub-segmental": subsegmental), since words are cut at hyphens;
   * undefined when none is. A pair whose joined form nothing holds ("fluid-fluid") or whose halves
   * are both indexed words ("x-ray", "bulls-eye") stays two words.
   */
  private joinHyphenated(query: string, indexed: IndexedWords): string | undefined {
    const termWords = this.termWordTable();
    let changed = false;
    const out = query.replace(HYPHENATED, (pair: string, a: string, b: string) => {
      const word = `${a}${b}`.toLowerCase();
      // Both halves indexed: the registry writes the pair apart too ("bulls-eye", "x-ray", "non-obstructive").
      if ((indexed.has(a.toLowerCase()) && indexed.has(b.toLowerCase())) || (!indexed.has(word) && !termWords.has(word))) return pair;
      changed = true;
      return `${a}${b}`;
    });
    return changed ? out : undefined;
  }

  /** The words of the terms, for nearTermWords and joinHyphenated: made when first needed. */
  private termWords: TermWords | undefined;

  private termWordTable(): TermWords {
    return (this.termWords ??= new TermWords(this.byFirst.values()));
  }

  /**
   * One pass over `words`: the longest term at each word replaced by its expansion. `out` is
   * undefined when nothing was replaced; `from` tells where each of its words comes from (0: the
   * words passed in; n: the n-th expansion). With `from` (a second pass), only a term whose words
   * come from two places, one an expansion, is taken.
   */
  private pass(words: readonly string[], from?: readonly number[], shown: readonly string[] = words): { out: string[] | undefined; from: number[]; siteWords: string[]; siteTerms: string[]; expansions: number; kept: number } {
    let out: string[] | undefined;
    const outFrom: number[] = [];
    let expansions = 0;
    // Words no term took, but articles.
    let kept = 0;
    const siteWords: string[] = [];
    const siteTerms: string[] = [];
    let numberlessWords: string[] | undefined;
    // (A term whose second word is not among the query's words, or their numberless forms, cannot
    // match: it is passed over without walking the query.)
    const sides: string[] = [];
    for (let i = 0; i < words.length; ) {
      if (sides.length > 0) sides.length = 0;
      // A term as written first; else one whose words differ from the query's only in number
      // ("small effusions", "right pleural effusions"; "thoracic empyemas").
      const candidates = this.byFirst.get(numberless(words[i]!));
      let found = candidates && firstMatch(candidates, false, words, words, i, sides, from);
      if (candidates && found === undefined) {
        numberlessWords ??= words.map(numberless);
        found = firstMatch(candidates, true, numberlessWords, words, i, sides, from);
      }
      const entry = found?.entry;
      const end = found?.end ?? i + 1;
      if (entry === undefined || entry.kind === "site") {
        if (entry) {
          siteWords.push(...entry.expansion.filter((w) => !entry.term.includes(w)));
          siteTerms.push(...entry.term);
        }
        out?.push(...shown.slice(i, end));
        for (let k = i; k < end; k++) {
          outFrom.push(from?.[k] ?? 0);
          if (!ARTICLES.has(words[k]!)) kept++;
        }
        i = end;
        continue;
      }
      out ??= shown.slice(0, i);
      out.push(...sides, ...entry.expansion);
      expansions++;
      for (const _ of sides) outFrom.push(0);
      for (const _ of entry.expansion) outFrom.push(expansions);
      i = end;
    }
    return { out, from: outFrom, siteWords, siteTerms, expansions, kept };
  }
}

/**
 * The first (longest) of `candidates` that matches `these` (the query's words, or with `loose` their
 * numberless forms) at `start`, and where it ends: a reversed term only as the whole query
 * (onlyBeside, on the query's `words`), and in a second pass (`from`) only a term that joins two
 * places (joins).
 */
function firstMatch(candidates: readonly Candidate[], loose: boolean, these: readonly string[], words: readonly string[], start: number, sides: string[], from: readonly number[] | undefined): { entry: LexiconEntry; end: number } | undefined {
  for (const candidate of candidates) {
    const core = loose ? candidate.loose : candidate.core;
    // (Its second word is not among the query's words after this one: it cannot match.)
    if (core.length > 1 && these.indexOf(core[1]!, start + 1) < 0) continue;
    const e = matchEnd(core, these, start, sides);
    if (e > 0 && !(candidate.reversed && !onlyBeside(words, start, e)) && (from === undefined || joins(from, start, e))) return { entry: candidate.entry, end: e };
    if (sides.length > 0) sides.length = 0;
  }
  return undefined;
}

/** What the lexicon makes of a query (Lexicon.rewrite). */
export interface Rewrite {
  /** The query with each term replaced by its expansion; undefined when nothing (or only site terms) was. */
  text: string | undefined;
  /** The words site terms add ("lung" for "upper lobe"), for general models only. */
  siteWords: string[];
  /** The words of the site terms the query holds ("upper", "lobe"). */
  siteTerms: string[];
  /** Whether one term is the whole query (but for articles). */
  whole?: boolean;
}

/** What the lexicon asks of the index's words (its Vocabulary) to forgive typing errors in term words. */
export interface IndexedWords {
  has(word: string): boolean;
  /** The indexed word one typing error from `word`, if any. */
  nearest(word: string): string | undefined;
}

/**
 * The words of a lexicon's terms, and how many terms hold each, with each one-letter deletion of
 * each word of 5 letters or more filed under it: a word one typing error from a term word shares
 * a deletion with it (or is one), so few words are compared.
 */
class TermWords {
  private readonly count = new Map<string, number>();
  private readonly byDeletion = new Map<string, string[]>();
  /** The length of the longest term word. */
  readonly longest: number = 0;

  constructor(lists: Iterable<readonly Candidate[]>) {
    for (const list of lists) for (const c of list) for (const w of c.core) this.count.set(w, (this.count.get(w) ?? 0) + 1);
    for (const w of this.count.keys()) {
      if (w.length > this.longest) this.longest = w.length;
      if (w.length < 5) continue;
      for (const d of [w, ...oneLetterLess(w)]) {
        const list = this.byDeletion.get(d);
        if (list === undefined) this.byDeletion.set(d, [w]);
        else if (!list.includes(w)) list.push(w);
      }
    }
  }

  has(w: string): boolean {
    return this.count.has(w);
  }

  /**
   * The term word one typing error from `w` that most terms hold, but the other number of `w` (the
   * terms match that anyway) and words the index holds; undefined when none, or two tie.
   */
  near(w: string, indexed: IndexedWords): string | undefined {
    let best: string | undefined;
    let bestCount = 0;
    let tie = false;
    for (const d of [w, ...oneLetterLess(w)]) {
      for (const t of this.byDeletion.get(d) ?? []) {
        if (t === best || !withinOneEdit(w, t) || numberless(t) === numberless(w) || indexed.has(t)) continue;
        const n = this.count.get(t)!;
        if (n > bestCount) [best, bestCount, tie] = [t, n, false];
        else if (n === bestCount) tie = true;
      }
    }
    return tie ? undefined : best;
  }
}

interface Candidate {
  entry: LexiconEntry;
  /** The term's words past articles. */
  core: readonly string[];
  /** Their numberless forms. */
  loose: readonly string[];
  /** Whether this is the other order of the term (reversedTerms). */
  reversed: boolean;
}

/**
 * A word without the mark of its number, to match a term's word in the other number: lesions,
 * lesion: lesion; bodies, body: body; masses, mass: mass; bruises, bruise: bruis. Words of fewer
 * than four letters and those ending in ss, us or is are kept as they are; Latin plurals are lexicon
 * lines of their own (kind number).
 */
export function numberless(w: string): string {
  if (w.length < 4 || w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) return w;
  if (w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  const v = w.endsWith("s") ? w.slice(0, -1) : w;
  return v.length >= 4 && v.endsWith("e") ? v.slice(0, -1) : v;
}

/** Whether words [start, end) come from two places (`from`: see pass), one of them an expansion. */
function joins(from: readonly number[], start: number, end: number): boolean {
  let expanded = false;
  let places = false;
  for (let k = start; k < end; k++) {
    if (from[k]! > 0) expanded = true;
    if (from[k] !== from[start]) places = true;
  }
  return expanded && places;
}

/**
 * The other order of each "A of B" term, B one word and A one to three words ("osteoarthritis of
 * the knee": "knee osteoarthritis"; "thinning of bone": "bone thinning"), and of each "B A" term
 * without "of" ("LAD stenosis": "stenosis of the LAD"; "C2 fracture": "fracture of C2"), as people
 * write them; each expands as its term does. None that a file writes as a term, and none that two
 * terms would give with different expansions. (Applied only to a whole query: see onlyBeside.)
 */
function reversedTerms(entries: readonly LexiconEntry[]): Array<[string[], LexiconEntry]> {
  const written = new Set(entries.filter((e) => e.kind !== "adjective").map((e) => coreWords(e.term).join(" ")));
  // (null: two terms give it, with different expansions.)
  const found = new Map<string, LexiconEntry | null>();
  for (const e of entries) {
    if (e.kind === "adjective" || e.kind === "site") continue;
    const core = coreWords(e.term);
    const of = core.length - 2;
    let key: string;
    if (of >= 1 && of <= 3 && core[of] === "of") key = [core[of + 1]!, ...core.slice(0, of)].join(" ");
    else if (core.length >= 2 && core.length <= 4 && !core.some((w) => JOINING_WORDS.has(w))) key = [...core.slice(1), "of", core[0]!].join(" ");
    else continue;
    if (written.has(key)) continue;
    const same = found.get(key);
    if (same === undefined) found.set(key, e);
    else if (same !== null && same.expansion.join(" ") !== e.expansion.join(" ")) found.set(key, null);
  }
  const out: Array<[string[], LexiconEntry]> = [];
  for (const [key, e] of found) if (e !== null) out.push([key.split(" "), e]);
  return out;
}

/** Words that join a phrase's parts ("air in the chest", "heart is enlarged"): a term holding one is no "B A" compound to write as "A of B". */
const JOINING_WORDS = new Set(["of", "in", "into", "on", "at", "around", "under", "over", "above", "below", "behind", "near", "next", "with", "within", "without", "from", "to", "by", "for", "after", "and", "or", "no", "not", "is", "are", "was", "has", "have", "s", "p", "o"]);

/**
 * Whether the words of `words` outside [start, end) only say side, size or severity (articles,
 * side words and their letters, severity words, numbers and units): a reversed term is then the
 * whole finding. Inside a longer phrase its words may be part of a registry title ("areas of bone
 * destruction"), which a rewrite would hide.
 */
function onlyBeside(words: readonly string[], start: number, end: number): boolean {
  for (let k = 0; k < words.length; k++) {
    if (k >= start && k < end) continue;
    const w = words[k]!;
    if (!(ARTICLES.has(w) || SIDES.has(w) || SIDE_LETTERS.has(w) || SEVERITY_WORDS.has(w) || UNITS.has(w) || /\d/.test(w))) return false;
  }
  return true;
}

/** Two words written with a hyphen between them (letters only: "T2-weighted" and "L4-5" are left alone). */
const HYPHENATED = /(?<![\p{L}\p{N}])(\p{L}+)-(\p{L}+)(?![\p{L}\p{N}])/gu;

/** Articles: a term matches with or without them ("air under skin", "air under the skin"). */
const ARTICLES = new Set(["a", "an", "the"]);
/**
 * Words a plain description puts inside a phrase without changing what it names ("air trapped
 * under the skin", "blood pooled around the lung"): one of them, or one side word, may stand
 * between a term's words.
 */
const FILLERS = new Set(["trapped", "pooled", "pooling", "collected", "collecting", "accumulated", "accumulating"]);
/** Side words: one may stand inside a term ("osteoarthritis of the right knee"); it is kept, before the expansion. */
const SIDES = new Set(["right", "left", "bilateral"]);

/** Sides as reports abbreviate them ("R knee OA", "OA of the R knee"): beside a whole-query term, or inside a term as a side word. */
const SIDE_LETTERS = new Set(["r", "l", "rt", "lt", "bilat"]);

/** Parts a side word names, not places ("enlarged right ventricle" is not "enlarged ventricles" on the right). */
const SIDE_NAMED = new Set(["ventricle", "ventricles", "ventricular", "atrium", "atria", "atrial", "heart"].flatMap((w) => [w, numberless(w)]));

/** A term's words without its articles, but a last "a", which is a letter ("triple a", "hepatitis a"). */
function coreWords(term: readonly string[]): readonly string[] {
  const core = term.filter((w, i) => !ARTICLES.has(w) || (w === "a" && i === term.length - 1));
  return core.length > 0 ? core : term;
}

/**
 * Where a term whose words past articles are `core` ends when it starts at `words[start]`, or -1:
 * articles may stand anywhere between its words, and one filler or side word (a side word is
 * pushed to `sides`).
 */
function matchEnd(core: readonly string[], words: readonly string[], start: number, sides: string[]): number {
  let k = start;
  let skipped = 0;
  for (let j = 0; j < core.length; j++) {
    if (j > 0) {
      while (k < words.length && words[k] !== core[j]) {
        const w = words[k]!;
        if (ARTICLES.has(w)) k++;
        else if (skipped === 0 && (FILLERS.has(w) || ((SIDES.has(w) || SIDE_LETTERS.has(w)) && !SIDE_NAMED.has(words[k + 1] ?? "")))) {
          if (!FILLERS.has(w)) sides.push(w);
          skipped++;
          k++;
        } else break;
      }
    }
    if (words[k] !== core[j]) {
      if (sides.length > 0) sides.length = 0;
      return -1;
    }
    k++;
  }
  return k;
}

/** The entries of several lexicon files, in order; a term defined in two files is refused naming both lines. */
export function parseLexiconFiles(files: ReadonlyArray<{ text: string; file: string }>): LexiconEntry[] {
  const entries: LexiconEntry[] = [];
  const seen = new Map<string, LexiconEntry>();
  // Terms match with or without articles: two terms that differ only by them are one term, which
  // may not lead to two places.
  const cores = new Map<string, LexiconEntry>();
  for (const { text, file } of files) {
    for (const e of parseLexicon(text, file)) {
      const key = e.term.join(" ");
      const earlier = seen.get(key);
      if (earlier) throw new LexiconError(`${file} line ${e.line}: "${key}" is already defined in ${earlier.file} line ${earlier.line}`);
      seen.set(key, e);
      if (e.kind !== "adjective") {
        const core = coreWords(e.term).join(" ");
        const same = cores.get(core);
        if (same && same.expansion.join(" ") !== e.expansion.join(" ")) {
          throw new LexiconError(`${file} line ${e.line}: "${key}" is "${same.term.join(" ")}" of ${same.file} line ${same.line} but for articles, which terms match without, and expands otherwise`);
        }
        cores.set(core, e);
      }
      entries.push(e);
    }
  }
  return entries;
}

/** The compiled lexicon's format (Lexicon.compiled); a program refuses another. */
const COMPILED_FORMAT = 1;

/** The file the build writes beside the lexicon files (scripts/copy-assets.mjs). */
export const COMPILED_FILE = "compiled.json";

/** What the build writes of a lexicon: its entries, its terms as the matcher files them, its adjectives. */
export interface CompiledLexicon {
  format: number;
  /** term, expansion, kind, source, file (relative), line. */
  entries: Array<[string[], string[], LexiconKind, string, string, number]>;
  /** Entry number, core words, numberless words (0: the core words), reversed (1): grouped by first word, longest first. */
  candidates: Array<[number, readonly string[], readonly string[] | 0, 0 | 1]>;
  adjectives: Array<[string, readonly string[]]>;
}

/** The lexicon files of `folder` (every .tsv, in name order), parsed and checked. */
export function readLexiconFolder(folder: string): Lexicon {
  const files = readdirSync(folder)
    .filter((name) => name.endsWith(".tsv"))
    .sort()
    .map((name) => ({ text: readFileSync(folder + name, "utf8"), file: folder + name }));
  return new Lexicon(parseLexiconFiles(files));
}

/** The lexicon compiled in `file` (its lexicon files named against `folder`); a LexiconError naming the file if it cannot be read as one. */
export function readCompiledLexicon(file: string, folder: string): Lexicon {
  try {
    return Lexicon.fromCompiled(JSON.parse(readFileSync(file, "utf8")) as CompiledLexicon, folder);
  } catch (e) {
    if (e instanceof LexiconError) throw new LexiconError(`${file}: ${e.message}`);
    throw new LexiconError(`${file}: not a compiled lexicon (${e instanceof Error ? e.message : String(e)}); run the build again`);
  }
}

let shipped: Lexicon | undefined;

/**
 * The lexicon the index ships, read when first asked for: the build's compiled form beside this
 * module (dist/), else (the sources, as tests run them) every .tsv file of the lexicon folder.
 */
export function shippedLexicon(): Lexicon {
  if (!shipped) {
    const folder = fileURLToPath(new URL("./lexicon/", import.meta.url));
    const compiled = folder + COMPILED_FILE;
    shipped = existsSync(compiled) ? readCompiledLexicon(compiled, folder) : readLexiconFolder(folder);
  }
  return shipped;
}
