// The index of a folder of finding models: kept in step with the files by sync, answering
// lookups and searches. It talks to a Store (SQLite by default); reads go through a query cache
// that every write clears, and every operation is timed by a performance monitor.
import { CodedError } from "../model/errors.js";
import { nameKey } from "../model/names.js";
import { carriesTags, tagKey } from "../model/tags.js";
import { parseJsonText } from "../model/json-text.js";
import { toIdsJson, toIndexMarkdown, type RegistryEntry } from "../model/registry-files.js";
import type { FindingModelFull, Organization, Person } from "../model/types.js";
import { PerformanceMonitor } from "../perf/monitor.js";
import { cacheKey, QueryCache } from "../perf/query-cache.js";
import type { IndexEntry, OpenElsewhere, Page, SlugMatch, Store, StoreStats } from "../store/store.js";
import { hasEveryTerm, otherReplacements, replacementTerms, replaceWords, Vocabulary } from "./search/near-words.js";
import { checkLimit, checkQuery, checkTags, SearchQueryError } from "./search/query-input.js";
import { findingTerms, searchTerms, type Adjectives } from "./search/terms.js";
import { closestTitlesFirst, HeldTitles, nameDistance, namingWords, NO_TITLE, REORDERED, titleCoverage, titlesCoverage, titleDistance } from "./search/title-order.js";
import { shippedLexicon, type IndexedWords, type Lexicon, type Rewrite } from "./lexicon.js";
import { DEFAULT_LIST_LIMIT, DEFAULT_SEARCH_LIMIT } from "./limits.js";
import { TitleIndex } from "./title-index.js";
import { Slices } from "./search/slices.js";
import { WordIndex } from "./search/word-index.js";
import { ExactTitles } from "./search/exact-titles.js";
import { hasWord, wordsOf } from "../model/words.js";
import { syncFiles, syncFolder, type SyncOptions, type SyncReport } from "./sync.js";
import { syncOnThread, syncThreadAvailable } from "./sync-on-thread.js";
import { HeldData } from "./held-data.js";
import path from "node:path";
import { checkIndex, type IndexCheckReport } from "./check-index.js";
import { embedIndex } from "./embeddings/embed-index.js";
import { hybridSearch, type SearchAnswer } from "./embeddings/hybrid.js";
import type { EmbeddingsProvider } from "./embeddings/provider.js";
import { SemanticSearch, type SemanticOptions } from "./embeddings/semantic-search.js";

export interface IndexOptions {
  /** Query cache size and freshness; false for no cache. Default 1,000 results for 5 minutes. */
  cache?: { max: number; ttlMs: number } | false;
  /** Where operations are timed (default a monitor of the index's own, `index.monitor`). */
  monitor?: PerformanceMonitor;
  /**
   * Where vectors for semantic (hybrid) search come from: made for each model at sync, for each
   * query at search (see docs/search.md). Without one, search is lexical only.
   */
  embeddings?: EmbeddingsProvider;
  /** Time budget of a query's vector and the pause after the service failed (see SemanticSearch). */
  semantic?: SemanticOptions;
  /** Told once why hybrid searches are answered from words only (until they are answered hybrid again). */
  onSearchNote?: (note: string) => void;
  /**
   * After another connection changes the index, how long searches may still answer from the index
   * as it was while the search data is read again (default 0: they wait for it). A server sets it
   * so that its searches do not all wait after every sync (see held-data.ts). When set, the tables
   * of near words and of the titles of general models are made with the rest of the search data,
   * a few milliseconds at a time, rather than by the first search that needs them.
   */
  staleSearchMs?: number;
}

/**
 * Search features that the benchmark and tests turn off to measure what each adds; every one is on
 * by default. Not part of the public API; reached through index/internal.ts.
 */
export interface SearchTuning {
  /**
   * Look again when the best result lacks a word of the query: with typing errors corrected and
   * Latin/Greek plurals swapped (see search/near-words.ts). Default true; false only to measure it.
   */
  nearWords?: boolean;
  /**
   * Put the first full-text results in order of how closely a name or synonym matches the query
   * (see closestTitlesFirst in search/title-order.ts). Default true; false only to measure it.
   */
  titleOrder?: boolean;
  /**
   * Rewrite queries with the radiology lexicon (abbreviations, spellings, equivalent terms; see
   * lexicon.ts). Default the lexicon the index ships; false for none (only to measure it).
   */
  lexicon?: Lexicon | false;
  /**
   * When no name or synonym holds the whole query, put first the models whose whole name or
   * synonym is in the query (see title-index.ts). Default true; false only to measure it.
   */
  generalModels?: boolean;
}

/** How search finds models: from words only, or from words and meaning (vectors) fused. */
export type SearchMode = "lexical" | "hybrid";
export const SEARCH_MODES: readonly SearchMode[] = ["lexical", "hybrid"];

export interface SearchOptions {
  /** At most this many results (1 to 1,000; default 10). */
  limit?: number;
  /** Only models carrying every one of these tags (case-insensitive). */
  tags?: string[];
}

export class FindingModelIndex {
  readonly monitor: PerformanceMonitor;
  private readonly cache: QueryCache<unknown> | undefined;
  private readonly nearWords: boolean;
  private readonly titleOrder: boolean;
  /** The lexicon, read on the first search that needs it; false: none. */
  private lexicon: Lexicon | false | undefined;
  private readonly generalModels: boolean;
  /**
   * What search answers from (entries, words, titles), read when a search first needs it; read
   * again after every write, and when the store's change mark says another connection wrote (see
   * lookForChanges and held-data.ts).
   */
  private readonly searchData: HeldData<LexicalData>;
  /**
   * Whether the near-word tables and the titles of general models are made with the rest of the
   * search data, a slice at a time (a server: staleSearchMs), rather than by the first search that
   * needs them (a program that searches a few times, most of which never need them).
   */
  private readonly prepareAhead: boolean;
  /** This connection's writes under way: meanwhile lookups read the store, as the held data may be about to go stale. */
  private writing = 0;
  /** The store's change mark when last looked at, when (performance.now()), and a look under way. */
  private mark: string | undefined;
  private markSeenAt = -Infinity;
  private markLook: Promise<void> | undefined;
  private readonly semantic: SemanticSearch | undefined;
  private readonly onSearchNote: ((note: string) => void) | undefined;
  /** The last note given to onSearchNote (not given again until a hybrid answer succeeds). */
  private noted: string | undefined;

  constructor(
    readonly store: Store,
    options: IndexOptions = {},
  ) {
    // The options object may carry SearchTuning too (index/internal.ts passes it whole).
    const tuning: SearchTuning = options as IndexOptions & SearchTuning;
    this.monitor = options.monitor ?? new PerformanceMonitor();
    const cache = options.cache ?? { max: 1000, ttlMs: 5 * 60_000 };
    this.cache = cache ? new QueryCache<unknown>(cache) : undefined;
    this.nearWords = tuning.nearWords ?? true;
    this.titleOrder = tuning.titleOrder ?? true;
    this.lexicon = tuning.lexicon;
    this.generalModels = tuning.generalModels ?? true;
    const provider = options.embeddings;
    this.semantic = provider
      ? new SemanticSearch(provider, async () => {
          const [entries, vectors] = await Promise.all([store.allEntries(), store.embeddings(provider.model)]);
          return { entries, vectors };
        }, options.semantic)
      : undefined;
    this.onSearchNote = options.onSearchNote;
    // Answers cached from the data as it was go once the data of the index as it is has been read.
    this.searchData = new HeldData(() => this.readSearchData(), { staleMs: options.staleSearchMs ?? 0, onCurrent: () => this.cache?.invalidate() });
    this.prepareAhead = (options.staleSearchMs ?? 0) > 0;
  }

  // --- writes: each clears the query cache, so no read sees results older than the last write ---

  /**
   * Bring the index in step with the `*.fm.json` files under `dir`: add new models, update changed
   * ones, remove those whose file is gone, in one transaction. By default all or nothing: when any
   * file is invalid or clashes with another, the index does not change (see `skipInvalid`).
   * @param dir - the folder of model files (searched recursively)
   * @param options - `skipInvalid`, `strictSynonyms`, `confirmRemoval`, `onProgress`, `threads`
   * @returns what changed (`added`, `updated`, `removed`, `unchanged`, `skipped`), each failing
   * file's `errors`, `warnings`, whether it was `applied`, and the time taken; throws a
   * SyncDirectoryError when `dir` is not a folder, a SyncDeclinedError when `confirmRemoval` said no
   * @example
   * ```ts
   * import { openIndex } from "findingmodel";
   *
   * const index = await openIndex({ db: "findingmodel.db" });
   * const report = await index.sync("defs");
   * console.log(report.added, report.updated, report.removed, report.unchanged);
   * for (const e of report.errors) console.error(`${e.file} ${e.path}: ${e.message}`);
   * await index.close();
   * ```
   */
  async sync(dir: string, options: SyncOptions = {}): Promise<SyncReport> {
    const elsewhere = options.onThread && !options.confirmRemoval && syncThreadAvailable() ? this.store.openElsewhere : undefined;
    if (elsewhere) return this.syncOnThread(elsewhere, dir, options);
    return this.ownWrite(async () => this.withVectors(await this.monitor.time("sync", () => syncFolder(this.store, dir, options)), options));
  }

  /**
   * sync on a thread of its own, through a connection of its own: this thread's reads go on
   * meanwhile, from the index as it was until the sync commits (searches, with staleSearchMs, for
   * that long after it). The search data of the synced index is read before this returns, so that
   * what the caller asks next is answered from it.
   */
  private async syncOnThread(where: OpenElsewhere, dir: string, options: SyncOptions): Promise<SyncReport> {
    // Whether the index may have changed (unknown when the sync failed).
    let changed = true;
    try {
      const report = await this.withVectors(await this.monitor.time("sync", () => syncOnThread(where, dir, options)), options);
      changed = report.applied || (report.embeddings?.embedded ?? 0) > 0 || (report.embeddings?.pruned ?? 0) > 0;
      return report;
    } finally {
      if (changed) {
        this.changedElsewhere();
        // (A failure to read it is the next search's to report.)
        await this.searchData.current().catch(() => undefined);
      }
    }
  }

  /**
   * Add or update the model in one file (named relative to `root`, default its own folder), with
   * the same checks as a sync. Throws an IndexWriteError listing the problems when it fails.
   */
  async addOrUpdateFromFile(file: string, options: SyncOptions & { root?: string } = {}): Promise<"added" | "updated" | "unchanged"> {
    const root = options.root ?? path.dirname(file);
    return this.ownWrite(async () => {
      const report = await this.monitor.time("addOrUpdateFromFile", () => syncFiles(this.store, { root, files: [file] }, { ...options, skipInvalid: false }));
      if (report.errors.length > 0) throw new IndexWriteError(report.errors.map((e) => `${e.file} ${e.path}: ${e.message}`).join("\n"));
      await this.withVectors(report, options);
      return report.added > 0 ? "added" : report.updated > 0 ? "updated" : "unchanged";
    });
  }

  /** Remove the model with this ID, name or synonym; false when there is none. */
  async remove(idOrName: string): Promise<boolean> {
    const entry = await this.store.getEntry(idOrName);
    if (!entry) return false;
    return this.ownWrite(async () => {
      await this.monitor.time("remove", () => this.store.apply({ upserts: [], deletes: [entry.oifm_id], people: [], organizations: [] }));
      return true;
    });
  }

  /** Remove every model whose file is not among `filenames` (relative names, as the index records them); returns how many. */
  async removeUnused(filenames: readonly string[]): Promise<number> {
    const keep = new Set(filenames.map((f) => f.split(path.sep).join("/")));
    const unused = (await this.store.fileStates()).filter((s) => !keep.has(s.filename)).map((s) => s.oifm_id);
    if (unused.length === 0) return 0;
    return this.ownWrite(async () => {
      await this.monitor.time("removeUnused", () => this.store.apply({ upserts: [], deletes: unused, people: [], organizations: [] }));
      return unused.length;
    });
  }

  // --- lookups ---

  /**
   * The entry with this ID, or with this name or synonym (case-insensitive). From search's data
   * held in memory when it is of the index as it is (read since the last change this index saw, and
   * none of its own writes under way; another connection's change is seen within
   * Store.changeMarkEveryMs, as for cached answers); else from the store.
   */
  get(idOrNameOrSynonym: string): Promise<IndexEntry | undefined> {
    return this.cached("get", [idOrNameOrSynonym], () => {
      const held = this.writing === 0 ? this.searchData.ifCurrent() : undefined;
      // (The store's order: the ID, then a name, then a synonym; exact-titles.ts keeps it.)
      if (held) return Promise.resolve(held.exact.matches(idOrNameOrSynonym, 1)[0]);
      return this.store.getEntry(idOrNameOrSynonym);
    });
  }

  async contains(idOrNameOrSynonym: string): Promise<boolean> {
    return (await this.get(idOrNameOrSynonym)) !== undefined;
  }

  /**
   * The whole model, as its file holds it (canonical form).
   * @param oifmId - the model's ID (e.g. "OIFM_MSFT_134126")
   * @returns the model, or undefined when the index has none with this ID
   * @example
   * ```ts
   * import { openIndex } from "findingmodel";
   *
   * const index = await openIndex({ db: "findingmodel.db", readonly: true });
   * const entry = await index.get("pneumothorax"); // by ID, name or synonym
   * const model = entry && (await index.getFull(entry.oifm_id));
   * console.log(model?.attributes.map((a) => a.name));
   * await index.close();
   * ```
   */
  async getFull(oifmId: string): Promise<FindingModelFull | undefined> {
    const json = await this.monitor.time("getFull", () => this.store.getModelJson(oifmId));
    return json === undefined ? undefined : parseModel(json);
  }

  /** Whole models for many IDs in one query; IDs not in the index are absent from the map. */
  async getFullBatch(oifmIds: readonly string[]): Promise<Map<string, FindingModelFull>> {
    const found = await this.monitor.time("getFullBatch", () => this.store.getModelJsonBatch(oifmIds));
    return new Map([...found].map(([id, json]) => [id, parseModel(json)]));
  }

  count(): Promise<number> {
    return this.cached("count", [], () => this.store.count());
  }
  countPeople(): Promise<number> {
    return this.cached("countPeople", [], () => this.store.countPeople());
  }
  countOrganizations(): Promise<number> {
    return this.cached("countOrganizations", [], () => this.store.countOrganizations());
  }
  getPerson(githubUsername: string): Promise<Person | undefined> {
    return this.cached("getPerson", [githubUsername], () => this.store.getPerson(githubUsername));
  }
  getOrganization(code: string): Promise<Organization | undefined> {
    return this.cached("getOrganization", [code], () => this.store.getOrganization(code));
  }
  people(): Promise<Person[]> {
    return this.cached("people", [], () => this.store.people());
  }
  organizations(): Promise<Organization[]> {
    return this.cached("organizations", [], () => this.store.organizations());
  }

  /** A page of entries ordered by name, with the total. */
  async list(options: { limit?: number; offset?: number } = {}): Promise<Page<IndexEntry>> {
    const limit = checkLimit(options.limit ?? DEFAULT_LIST_LIMIT);
    const offset = checkOffset(options.offset ?? 0);
    return this.cached("list", [limit, offset], () => this.store.list(limit, offset));
  }

  /** Every tag with the number of models carrying it. */
  tags(): Promise<Array<{ tag: string; count: number }>> {
    return this.cached("tags", [], () => this.store.tags());
  }

  /** Entries whose slug name (the file-name form of the name) matches `pattern`. */
  async searchBySlug(pattern: string, options: { match?: SlugMatch; limit?: number; offset?: number } = {}): Promise<Page<IndexEntry>> {
    const match = options.match ?? "contains";
    if (!["exact", "prefix", "contains"].includes(match)) throw new SearchQueryError(`match must be exact, prefix or contains; got ${String(match)}`);
    const limit = checkLimit(options.limit ?? DEFAULT_LIST_LIMIT);
    const offset = checkOffset(options.offset ?? 0);
    const slug = pattern.trim().toLowerCase().replace(/[^a-z0-9]/g, "_");
    if (slug === "") throw new SearchQueryError("the slug pattern is blank");
    return this.cached("searchBySlug", [slug, match, limit, offset], () => this.store.searchBySlug(slug, match, limit, offset));
  }

  // --- search ---

  /**
   * Models matching `query`: those whose ID, name or a synonym equals it first, then full-text
   * results (name, synonyms, description, tags, attribute names, weighted in that order) up to
   * `limit`, without duplicates, the first 10 of them with the closest name or synonym first. Case,
   * plural/singular, punctuation and one typing error in a word do not stop a match (see
   * search/title-order.ts and search/near-words.ts).
   * @param query - the words to look for, as a person types them
   * @param options - `limit` (1 to 1,000; default 10), `tags` (only models carrying every one)
   * @returns the matching entries, best first; throws a SearchQueryError for a blank query or a
   * limit out of range
   * @example
   * ```ts
   * import { openIndex } from "findingmodel";
   *
   * const index = await openIndex({ db: "findingmodel.db", readonly: true });
   * for (const entry of await index.search("lung nodules", { limit: 5 })) console.log(entry.oifm_id, entry.name);
   * await index.close();
   * ```
   */
  async search(query: string, options: SearchOptions = {}): Promise<IndexEntry[]> {
    const q = checkQuery(query);
    const limit = checkLimit(options.limit ?? DEFAULT_SEARCH_LIMIT);
    const tags = checkTags(options.tags);
    return this.cached("search", searchKeyParts(q, limit, tags), () => this.searchUncached(q, limit, tags));
  }

  /** The search modes this index answers: hybrid only with an embeddings provider. */
  searchModes(): SearchMode[] {
    return this.semantic ? ["lexical", "hybrid"] : ["lexical"];
  }

  /**
   * Models matching `query`, found by `mode` (default: hybrid where an embeddings provider is
   * configured, else lexical), with how they were found. Hybrid: the lexical results and the
   * models nearest in meaning fused by reciprocal rank, exact matches still first; when the
   * semantic half cannot answer (service down, slow, wrong vectors, none stored) the lexical
   * answer with a note saying why.
   */
  async searchAnswer(query: string, options: SearchOptions & { mode?: SearchMode } = {}): Promise<SearchAnswer> {
    const mode = options.mode ?? (this.semantic ? "hybrid" : "lexical");
    if (!SEARCH_MODES.includes(mode)) throw new SearchQueryError(`mode must be lexical or hybrid; got ${String(mode)}`);
    const semantic = this.semantic;
    if (mode === "lexical" || !semantic) {
      const results = await this.search(query, options);
      if (mode === "lexical") return { results, mode };
      return { results, mode: "lexical", note: "hybrid search is not configured here (it needs embeddings: FINDINGMODEL_EMBEDDINGS_URL=builtin for the built-in offline model, or a service's FINDINGMODEL_EMBEDDINGS_URL and FINDINGMODEL_EMBEDDINGS_MODEL); answered from words only" };
    }
    const q = checkQuery(query);
    const limit = checkLimit(options.limit ?? DEFAULT_SEARCH_LIMIT);
    const tags = checkTags(options.tags);
    const rewritten = this.rewrite(q).text;
    const titles = new Set([nameKey(q), rewritten === undefined ? undefined : nameKey(rewritten)]);
    const answer = await this.monitor.time("searchHybrid", () =>
      hybridSearch(q, limit, {
        lexical: (n) => this.search(q, { limit: n, tags }),
        isExact: (e) => e.oifm_id === q || titles.has(nameKey(e.name)) || e.synonyms.some((s) => titles.has(nameKey(s))),
        semantic,
        entries: (ids) => this.store.getEntries(ids),
        carriesTags: (e) => carriesTags(e.tags, tagKeys(tags)),
      }),
    );
    if (answer.note === undefined) this.noted = undefined;
    else if (answer.note !== this.noted) {
      this.noted = answer.note;
      this.onSearchNote?.(answer.note);
    }
    return answer;
  }

  /**
   * Many searches in one call, each answered as `search` answers it: cached answers are reused,
   * the rest go to the store together (cheaper per query than a loop of `search`).
   * @param queries - the queries (each as `search` takes it)
   * @param options - as for `search`, applied to every query
   * @returns a map from each query to its results
   * @example
   * ```ts
   * import { openIndex } from "findingmodel";
   *
   * const index = await openIndex({ db: "findingmodel.db", readonly: true });
   * const results = await index.searchBatch(["pneumothorax", "pleural effusion"], { limit: 3 });
   * for (const [query, entries] of results) console.log(query, entries.map((e) => e.name));
   * await index.close();
   * ```
   */
  async searchBatch(queries: readonly string[], options: SearchOptions = {}): Promise<Map<string, IndexEntry[]>> {
    const limit = checkLimit(options.limit ?? DEFAULT_SEARCH_LIMIT);
    const tags = checkTags(options.tags);
    const checked = queries.map((q) => checkQuery(q));
    return this.monitor.time("searchBatch", async () => {
      // One look at the change mark and one read of the search data for them all.
      await this.lookForChanges();
      // Read before the search data is: a write that lands while the batch runs makes its results too old to keep.
      const generation = this.cache?.generation ?? 0;
      const results = new Map<string, IndexEntry[]>();
      const misses = new Set<string>();
      for (const q of checked) {
        const hit = this.cache?.get(cacheKey("search", ...searchKeyParts(q, limit, tags))) as IndexEntry[] | undefined;
        if (hit) results.set(q, hit);
        else misses.add(q);
      }
      if (misses.size === 0) return results; // every answer cached: nothing read
      const data = await this.lexical();
      for (const q of misses) {
        const found = this.searchIn(data, q, limit, tags);
        results.set(q, found);
        this.cache?.setIfCurrent(cacheKey("search", ...searchKeyParts(q, limit, tags)), found, generation);
      }
      return results;
    });
  }

  /** What the lexicon makes of `query` (see Lexicon.rewrite); given the index's words, typing errors in term words are forgiven. */
  private rewrite(query: string, indexed?: IndexedWords): Rewrite {
    if (this.lexicon === false) return NOT_REWRITTEN;
    this.lexicon ??= shippedLexicon();
    return this.lexicon.rewrite(query, indexed);
  }

  /** The lexicon's organ words and adjectives (none without a lexicon), for title matching. */
  private adjectives(): Adjectives | undefined {
    if (this.lexicon === false) return undefined;
    this.lexicon ??= shippedLexicon();
    return this.lexicon.adjectives;
  }

  private async searchUncached(query: string, limit: number, tags: string[] | undefined): Promise<IndexEntry[]> {
    // Before the search data is read (a program that searches once): from the store when the
    // answer needs nothing else, so a single search does not wait for the whole index to be read.
    if (!this.searchData.held()) {
      const answer = await this.searchStore(query, limit, tags);
      if (answer !== undefined) return answer;
    }
    return this.searchIn(await this.lexical(), query, limit, tags);
  }

  /**
   * searchIn's answer from the store's exact-match and every-word queries, when it needs nothing
   * else: no any-term fill, no general models, no second look with near words; else undefined.
   * The every-word order is the same (the in-memory ranking is SQLite's; see word-index.ts).
   */
  private async searchStore(query: string, limit: number, tags: string[] | undefined): Promise<IndexEntry[] | undefined> {
    const lexical = this.rewrite(query);
    let rewritten = lexical.text;
    // As searchIn: a title that is the query as typed wins over the rewrite of a term inside it.
    if (rewritten !== undefined && !lexical.whole) {
      const typed = searchTerms(query);
      const usable = typed.filter(hasWord);
      if (usable.length > 0 && this.isTypedTitle(await this.store.textSearch(usable, { limit: TYPED_TITLE_LOOK, tags, everyTerm: true }), typed)) rewritten = undefined;
    }
    let exact = await this.store.exactMatches(query, { limit, tags });
    if (exact.length === 0 && rewritten !== undefined) exact = await this.store.exactMatches(rewritten, { limit, tags });
    const terms = searchTerms(rewritten ?? query);
    if (exact.length >= limit || terms.length === 0) return exact.slice(0, limit);
    const usable = terms.filter(hasWord);
    if (usable.length === 0) return undefined;
    const room = Math.max(limit - exact.length, REORDERED);
    const every = await this.store.textSearch(usable, { limit: room, tags, exclude: exact.map((e) => e.oifm_id), everyTerm: true });
    if (every.length < room && usable.length >= 2) return undefined; // the any-term fill
    const adjectives = this.adjectives();
    const results = [...exact, ...(this.titleOrder ? closestTitlesFirst(every, terms, REORDERED, adjectives) : every)].slice(0, limit);
    if (exact.length > 0) return results;
    if (this.generalModels && terms.length > 1 && (results[0] === undefined || titleDistance(results[0], terms, adjectives) === NO_TITLE)) return undefined;
    const words = namingWords(terms);
    if (this.nearWords && words.length > 0 && !(results[0] !== undefined && hasEveryTerm(results[0], words))) return undefined;
    return results;
  }

  /**
   * The answer to `query` from the search data held in memory (see lexical()): exact matches of the
   * query as typed, else of its lexicon rewrite; then the full text of the rewrite.
   */
  private searchIn(data: LexicalData, query: string, limit: number, tags: string[] | undefined, lookAgain = true): IndexEntry[] {
    let lexical = lookAgain ? this.rewrite(query, data.vocabulary) : NOT_REWRITTEN;
    // A title that is the query as typed but for the form of its words wins over the rewrite of a
    // term inside the query, which would hide it ("hemorrhagic liver metastases" is the model named
    // "hemorrhagic liver metastasis", though "liver metastases" alone is a term for the general
    // liver lesion). A term that is the whole query is the lexicon's word on it.
    if (lexical.text !== undefined && !lexical.whole && this.titleHoldsTyped(data, query, tags)) lexical = NOT_REWRITTEN;
    const rewritten = lexical.text;
    const keys = tagKeys(tags);
    let exact = data.exact.matches(query, limit, keys);
    if (exact.length === 0 && rewritten !== undefined) exact = data.exact.matches(rewritten, limit, keys);
    const q = rewritten ?? query;
    const terms = searchTerms(q);
    if (exact.length >= limit || terms.length === 0) return exact.slice(0, limit);
    // The second look (lookAgain false) keeps only a model with every word: no any-term fill.
    const text = this.fullText(data, terms, Math.max(limit - exact.length, REORDERED), tags, exact, lookAgain);
    return this.arrange(data, q, terms, exact, text, limit, tags, lookAgain, lexical);
  }

  /**
   * Whether a name or synonym of one of the first full-text results is `query` as typed, but for
   * the form of its words (number, ending, an organ's adjective) and stop words: it holds every
   * word and adds none.
   */
  private titleHoldsTyped(data: LexicalData, query: string, tags: string[] | undefined): boolean {
    const terms = searchTerms(query);
    const usable = terms.filter(hasWord);
    return usable.length > 0 && this.isTypedTitle(this.entriesAt(data, data.words.every(usable, TYPED_TITLE_LOOK, new Set(), tagKeys(tags))).entries, terms);
  }

  /** Whether a name or synonym of one of `entries` holds every one of `terms` (the query as typed) and adds no word. */
  private isTypedTitle(entries: readonly IndexEntry[], terms: readonly string[]): boolean {
    const adjectives = this.adjectives();
    return entries.some((e) => titleDistance(e, terms, adjectives) < 1);
  }

  /**
   * The best `limit` models with every one of `terms` (in memory, ranked as the SQLite store's
   * full-text search ranks them; see word-index.ts), leaving out `exact`; then, when that leaves
   * room and `fill` is set, the models with any of them but the measurements and severity words
   * (findingTerms: a name may hold "mild", but a model with only that word in common is no answer).
   */
  private fullText(data: LexicalData, terms: readonly string[], limit: number, tags: string[] | undefined, exact: readonly IndexEntry[], fill: boolean): HeldEntries {
    const usable = terms.filter(hasWord);
    if (usable.length === 0) return { entries: [], docs: [] };
    const keys = tagKeys(tags);
    const skip = new Set(exact.map((e) => e.oifm_id));
    const every = this.entriesAt(data, data.words.every(usable, limit, skip, keys));
    if (!fill || every.entries.length >= limit || usable.length < 2) return every;
    for (const e of every.entries) skip.add(e.oifm_id);
    const any = this.entriesAt(data, data.words.any(findingTerms(usable), limit - every.entries.length, skip, keys));
    return { entries: [...every.entries, ...any.entries], docs: [...every.docs, ...any.docs] };
  }

  /** The entries of model numbers `docs` of the word index, with their numbers. */
  private entriesAt(data: LexicalData, docs: readonly number[]): HeldEntries {
    const out: HeldEntries = { entries: [], docs: [] };
    for (const d of docs) {
      const e = data.exact.entry(data.words.id(d));
      if (e === undefined) continue;
      out.entries.push(e);
      out.docs.push(d);
    }
    return out;
  }

  /**
   * The answer to `query` from its exact matches and (at least REORDERED) full-text results: exact
   * matches first, then the full-text results with the first REORDERED in order of how closely a
   * name or synonym matches. Without exact matches, when no name or synonym of the best result
   * holds every word: the models whose whole name or synonym is in the query first; and another
   * look when the best result lacks one of the query's words.
   */
  private arrange(data: LexicalData, query: string, terms: readonly string[], exact: IndexEntry[], text: HeldEntries, limit: number, tags: string[] | undefined, lookAgain: boolean, sites: Pick<Rewrite, "siteWords" | "siteTerms"> = NOT_REWRITTEN): IndexEntry[] {
    if (exact.length >= limit || terms.length === 0) return exact.slice(0, limit);
    const adjectives = this.adjectives();
    const ordered = this.titleOrder ? closestTitlesFirst(text.entries, terms, REORDERED, adjectives, { titles: data.heldTitles, docs: text.docs }) : text.entries;
    let results = [...exact, ...ordered].slice(0, limit);
    if (exact.length > 0) return results;
    if (this.generalModels && terms.length > 1 && (results[0] === undefined || titleDistance(results[0], terms, adjectives) === NO_TITLE)) {
      results = this.generalModelsFirst(data, terms, sites, results, limit, tags);
    }
    return lookAgain ? this.lookAgain(data, query, terms, results, limit, tags) : results;
  }

  // --- exports and status ---

  /**
   * The registry's index.md, from the index, with links as the registry lays them out
   * (`defs/<file>`, `text/<slug>.md`): what `registry` writes when the synced folder is its defs/.
   */
  async toIndexMarkdown(): Promise<string> {
    return toIndexMarkdown(await this.registryEntries());
  }

  /** The registry's ids.json, from the index. */
  async toIdsJson(): Promise<string> {
    return toIdsJson(await this.registryEntries());
  }

  stats(): Promise<StoreStats & { models: number; people: number; organizations: number }> {
    return this.monitor.time("stats", async () => ({
      ...(await this.store.stats()),
      models: await this.store.count(),
      people: await this.store.countPeople(),
      organizations: await this.store.countOrganizations(),
    }));
  }

  /**
   * Whether the index is internally consistent and, with `folder`, holds exactly the model files
   * under it (see check-index.ts). Reads only.
   */
  check(folder?: string): Promise<IndexCheckReport> {
    return this.monitor.time("check", () => checkIndex(this.store, folder));
  }

  /**
   * Look now (not on the next read) whether another program changed the index, and if so read the
   * search data of the index as it is, if search data is held: told of another process's write
   * (serve --workers), answers are of the index as it is sooner than the next request would see it.
   */
  async lookNow(): Promise<void> {
    // A look under way may have read the mark before that write.
    await this.markLook;
    this.markSeenAt = -Infinity;
    await this.lookForChanges();
    if (this.searchData.held()) await this.searchData.current().catch(() => undefined);
  }

  /** Read the search data of the index as it is now, unless held already: a server does it before it listens, so no request waits for it. */
  async readSearchDataNow(): Promise<void> {
    await this.lookForChanges();
    await this.searchData.current();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async registryEntries(): Promise<RegistryEntry[]> {
    return (await this.store.allEntries()).map((e) => ({ filename: e.filename, model: e }));
  }

  /**
   * Run one of this connection's writes: meanwhile lookups read the store (see `writing`); after
   * it, succeeded or not, nothing cached outlives it (invalidate).
   */
  private async ownWrite<T>(write: () => Promise<T>): Promise<T> {
    this.writing++;
    try {
      return await write();
    } finally {
      this.invalidate();
      this.writing--;
    }
  }

  /** After a write: no cached result, word list or vector outlives it. */
  private invalidate(): void {
    this.cache?.invalidate();
    this.searchData.drop();
    this.semantic?.invalidate();
  }

  /** After another connection's write: as invalidate, but searches may answer from the data held while it is read again (staleSearchMs). */
  private changedElsewhere(): void {
    this.cache?.invalidate();
    this.searchData.changed();
    this.semantic?.invalidate();
  }

  /** `report` with the vectors of new and changed models made (never failing the sync; see embed-index.ts). */
  private async withVectors(report: SyncReport, options: SyncOptions): Promise<SyncReport> {
    if (!this.semantic) return report;
    const embeddings = await this.monitor.time("embed", () => embedIndex(this.store, this.semantic!.provider, { onProgress: options.onEmbedProgress }));
    return { ...report, embeddings };
  }

  private lexical(): Promise<LexicalData> {
    return this.searchData.get();
  }

  /**
   * Every entry of the index, read a page at a time and taken in a few milliseconds at a time, letting other work run between slices, into
   * what search answers from. Read again when the index changed while it was read (the pages would
   * be of two states of it).
   */
  private async readSearchData(): Promise<LexicalData> {
    const store = this.store;
    for (let tries = 1; ; tries++) {
      const mark = await store.changeMark();
      const titles = new TitleIndex(QUALIFIERS);
      const words = new WordIndex();
      const exact = new ExactTitles();
      const slices = new Slices(VOCABULARY_SLICE_MS);
      const pages = async function* () {
        for (let offset = 0; ; offset += VOCABULARY_PAGE) {
          const page = await store.list(VOCABULARY_PAGE, offset);
          for (let i = 0; i < page.items.length; ) {
            // Models one at a time until the slice's time is up (a model takes microseconds to
            // milliseconds), then the other work waiting, e.g. the server's requests.
            const from = i;
            do {
              const one = page.items.slice(i, ++i);
              titles.add(one);
              words.add(one);
              exact.add(one);
            } while (i < page.items.length && !slices.due());
            yield page.items.slice(from, i);
            await slices.pause();
          }
          if (page.items.length < VOCABULARY_PAGE) return;
        }
      };
      // The near-word table of the last read is added to: most words are the same.
      const vocabulary = await Vocabulary.read(pages(), this.searchData.latest()?.vocabulary.shareTable());
      if ((await store.changeMark()) !== mark && tries < READ_TRIES) continue;
      if (this.prepareAhead) {
        // Made now, a slice at a time, while the last data answers (staleSearchMs), rather than
        // in one go by the first search that needs them (150-370 ms for the registry on the
        // loaded 2-core machine: every request waited meanwhile).
        await vocabulary.prepare(slices);
        await titles.prepare(slices);
      }
      return { vocabulary, titles: titles.finish(), words: words.finish(), exact: exact.finish(), heldTitles: new HeldTitles() };
    }
  }


  /**
   * `results` with the models whose whole name or synonym is among `terms` (with the site words
   * the lexicon adds) moved up: each before the first result none of whose titles holds as many of
   * the terms, longer contained titles first. For a specific phrase the registry models only in
   * general ("cystic bronchiectasis"), the general model comes before longer names that share
   * one word with the query.
   */
  private generalModelsFirst(data: LexicalData, terms: readonly string[], { siteWords, siteTerms }: Pick<Rewrite, "siteWords" | "siteTerms">, results: IndexEntry[], limit: number, tags: string[] | undefined): IndexEntry[] {
    const words = siteWords.length > 0 ? [...terms, ...siteWords] : terms;
    const adjectives = this.adjectives();
    // A model named for another organ than the query names is no general model of it ("pulmonary
    // mass", whose synonym is "mass", for "enhancing renal mass").
    // Nor is a model named by the site alone ("Lobectomy", "lung lobe", for "upper lobe centrilobular
    // emphysema"): its titles hold no word of the query beyond the site's.
    const site = siteTerms.length > 0 ? new Set(siteTerms) : undefined;
    const beyond = site ? terms.filter((t) => !site.has(t) && !QUALIFIERS.has(t)) : [];
    const otherOrgan = namesOtherOrganThan(words, adjectives);
    const found = data.titles.contained(words, adjectives).filter((c) => {
      const e = data.exact.entry(c.id);
      return !otherOrgan(e?.name) && !(site && beyond.length > 0 && e && titlesCoverage(e, beyond, adjectives) === 0);
    });
    if (found.length === 0) return results;
    // Of titles equally long, the model whose names and synonyms hold more of the query first
    // ("spiculated lung nodule": the nodule model with "spiculated nodule" among its synonyms), then
    // the one whose own name adds fewer words (the general model, not a specific sibling that has
    // the general name as a synonym).
    const rank = new Map(found.map((c) => {
      const e = data.exact.entry(c.id);
      // (Held words of the query itself: a title of a site's organ word, "bone fracture" for "humeral
      // head fracture", does not tie with "Humerus Fracture".)
      return [c.id, e ? { covered: titlesCoverage(e, terms, adjectives), named: nameDistance(e, words, adjectives) } : { covered: 0, named: 0 }];
    }));
    const contained = found
      .sort((a, b) => b.words - a.words || rank.get(b.id)!.covered - rank.get(a.id)!.covered || rank.get(a.id)!.named - rank.get(b.id)!.named || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
    const byId = new Map(results.map((e) => [e.oifm_id, e]));
    const keys = tagKeys(tags);
    for (const c of contained) {
      const e = byId.has(c.id) ? undefined : data.exact.entry(c.id);
      if (e && carriesTags(e.tags, keys)) byId.set(e.oifm_id, e);
    }
    const general = contained.filter((c) => byId.has(c.id));
    // Side, size, severity and such words do not name a finding: a result holding only those does not
    // stay ahead. A word the query repeats ("without perforation or abscess without bleeding") counts once.
    const named = [...new Set(terms.filter((t) => !QUALIFIERS.has(t)))];
    const moved = new Set(general.map((c) => c.id));
    const out: IndexEntry[] = [];
    let g = 0;
    for (const e of results) {
      if (moved.has(e.oifm_id)) continue;
      // (Once every general model is placed, the rest keep their order: no need to measure them.)
      if (g < general.length) {
        // (A result named for another organ than the query's does not stay ahead of a general
        // model: "ill-defined liver lesion" is no jaw lesion, however many other words they share.)
        const held = otherOrgan(e.name) ? 0 : titleCoverage(e, named);
        while (g < general.length && general[g]!.words >= held) out.push(byId.get(general[g++]!.id)!);
      }
      out.push(e);
    }
    while (g < general.length) out.push(byId.get(general[g++]!.id)!);
    return out.slice(0, limit);
  }

  /**
   * `results` of `query`, or better ones: when the best result lacks one of the query's words,
   * the query again with unindexed words corrected and Latin/Greek numbers swapped; if that finds
   * a model with every word, its results come first.
   */
  private lookAgain(data: LexicalData, query: string, terms: readonly string[], results: IndexEntry[], limit: number, tags: string[] | undefined): IndexEntry[] {
    const words = namingWords(terms);
    if (!this.nearWords || words.length === 0 || (results[0] !== undefined && hasEveryTerm(results[0], words))) return results;
    const replacements = replacementTerms(words, data.vocabulary);
    if (!replacements) return results;
    // The commonest near words first; when their best result has no title with every word, other
    // near words of a misspelt word, for one whose best result has.
    const tries = [replacements, ...otherReplacements(words, data.vocabulary, replacements, OTHER_NEAR_WORDS)];
    let found: IndexEntry[] | undefined;
    for (const replaced of tries) {
      const again = this.searchIn(data, replaceWords(query, replaced), limit, tags, false);
      const altTerms = words.map((t) => replaced.get(t) ?? t);
      if (again[0] === undefined || !hasEveryTerm(again[0], altTerms)) continue;
      const seen = new Set(again.map((e) => e.oifm_id));
      const merged = [...again, ...results.filter((e) => !seen.has(e.oifm_id))].slice(0, limit);
      if (titleDistance(again[0], altTerms, this.adjectives()) !== NO_TITLE) return merged;
      found ??= merged;
    }
    return found ?? results;
  }

  /**
   * `compute`'s answer, from the query cache when it holds one; timed. The change mark is looked at
   * first, cache or not: search's in-memory data (lexical()) must not outlive another program's write.
   */
  private cached<T>(op: string, args: unknown[], compute: () => Promise<T>): Promise<T> {
    const cache = this.cache;
    const look = this.lookForChanges();
    const answer = cache ? () => cache.getOrCompute(cacheKey(op, ...args), compute) as Promise<T> : compute;
    return this.monitor.time(op, look ? () => look.then(answer) : answer);
  }

  /**
   * Drop cached answers and in-memory search data when another program changed the index: its change mark is looked at
   * (at most every Store.changeMarkEveryMs, and by one caller at a time: the others wait for that
   * look), so no cached answer is older than the index by more than that. Undefined when no look
   * is due (then nothing to wait for).
   */
  private lookForChanges(): Promise<void> | undefined {
    if (this.markLook) return this.markLook;
    const now = performance.now();
    if (now - this.markSeenAt < this.store.changeMarkEveryMs) return undefined;
    const look = this.store.changeMark().then(
      (mark) => {
        if (this.mark !== undefined && mark !== this.mark) this.changedElsewhere();
        this.mark = mark;
        this.markSeenAt = performance.now();
      },
      () => {
        // The store is unreachable: the answer's own read says so; look again next time.
        this.invalidate();
        this.mark = undefined;
      },
    ).finally(() => {
      if (this.markLook === look) this.markLook = undefined;
    });
    this.markLook = look;
    return look;
  }
}

/** A model file given to add or update is invalid or clashes; the index is unchanged. */
export class IndexWriteError extends CodedError {
  constructor(message: string) {
    super("invalid-files", message);
  }
}

/**
 * Words a report adds to a finding's name to say its side, size, extent, severity, age or number
 * ("small right", "mild", "chronic", "multiple"): a title that shares only these with the query
 * does not name what it asks for.
 */
const QUALIFIERS = new Set([
  "left", "right", "bilateral", "unilateral", "upper", "lower", "middle", "anterior", "posterior", "lateral", "medial",
  "small", "large", "tiny", "trace", "moderate", "mild", "severe", "marked", "minimal", "extensive", "massive",
  "acute", "chronic", "subacute", "old", "new", "early", "late", "multiple", "single", "diffuse", "focal", "partial", "complete",
]);

const NOT_REWRITTEN: Rewrite = { text: undefined, siteWords: [], siteTerms: [] };
/** How many of the query's full-text results as typed are looked at for a title holding it (titleHoldsTyped). */
const TYPED_TITLE_LOOK = 10;

/** Other near-word choices tried when the commonest finds no title with every word (see lookAgain). */
const OTHER_NEAR_WORDS = 3;

/** What search answers from, held in memory (see lexical()). */
interface LexicalData {
  vocabulary: Vocabulary;
  titles: TitleIndex;
  /** The names and synonyms of the entries cut into words, by model number of `words` (for title order). */
  heldTitles: HeldTitles;
  words: WordIndex;
  exact: ExactTitles;
}

/** Entries of the data held in memory, with their model numbers (of LexicalData.words). */
interface HeldEntries {
  entries: IndexEntry[];
  docs: number[];
}

function tagKeys(tags: readonly string[] | undefined): string[] | undefined {
  return tags?.map(tagKey);
}

/**
 * Entries read at a time for search's data (a page of 1,000 held the thread for ~50 ms), and
 * how long they are taken in before other work runs (slices of 100 models took up to ~100 ms on
 * a busy machine, and every request waiting meanwhile waited that long).
 */
const VOCABULARY_PAGE = 200;
const VOCABULARY_SLICE_MS = 4;
/** Reads of search's data while the index keeps changing under them; the last is kept as it is. */
const READ_TRIES = 3;

function checkOffset(offset: unknown): number {
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw new SearchQueryError(`offset must be a whole number of at least 0; got ${String(offset)}`);
  return offset;
}

function parseModel(json: string): FindingModelFull {
  const parsed = parseJsonText(json);
  if (!parsed.ok) throw new Error(`the index holds damaged model JSON: ${parsed.error.message}`);
  return parsed.value as FindingModelFull;
}

/**
 * What a search's cached answer is filed under: the same for queries differing only in case and
 * for tag filters naming the same tags in another case or order (the search does not tell them apart).
 */
function searchKeyParts(q: string, limit: number, tags: readonly string[] | undefined): unknown[] {
  return [q.toLowerCase(), limit, tags && [...new Set(tags.map(tagKey))].sort()];
}

/** An organ word and its plural's singular, as the lexicon's adjective lines know them ("kidneys": kidney). */
function organForms(w: string, adjectives: Adjectives): readonly string[] | undefined {
  return adjectives.get(w) ?? (w.endsWith("s") ? adjectives.get(w.slice(0, -1)) : undefined);
}

/**
 * Whether a model's `name` names organs, none of them one `query` names (never, when the query
 * names none): the query's organs found once, for the many names asked about.
 */
function namesOtherOrganThan(query: readonly string[], adjectives: Adjectives | undefined): (name: string | undefined) => boolean {
  if (adjectives === undefined) return () => false;
  const asked = new Set(query.flatMap((w) => organForms(w, adjectives) ?? []));
  if (asked.size === 0) return () => false;
  return (name) => {
    if (name === undefined) return false;
    const named = wordsOf(name).map((w) => organForms(w, adjectives)).filter((f): f is readonly string[] => f !== undefined);
    return named.length > 0 && !named.some((forms) => forms.some((f) => asked.has(f)));
  };
}
