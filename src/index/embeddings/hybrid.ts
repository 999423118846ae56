// Hybrid search: the lexical answer and the nearest vectors, fused by reciprocal rank; models
// whose ID, name or synonym is the query stay first, as in lexical search. When the semantic half
// cannot answer, the lexical answer is the answer, with a note saying why.
import type { IndexEntry } from "../../store/store.js";
import { reciprocalRankFusion } from "./fusion.js";
import type { SemanticSearch } from "./semantic-search.js";

export interface SearchAnswer {
  results: IndexEntry[];
  /** How the results were found: from words only, or words and meaning. */
  mode: "lexical" | "hybrid";
  /** Why a hybrid search was answered from words only, when it was. */
  note?: string;
}

/** Candidates each half contributes to the fusion, at least. */
export const FUSION_POOL = 20;

export interface HybridParts {
  /** The lexical answer with up to `limit` results. */
  lexical(limit: number): Promise<IndexEntry[]>;
  /** Whether an entry is an exact match of the query (ID, name or synonym). */
  isExact(entry: IndexEntry): boolean;
  semantic: SemanticSearch;
  /** Entries by ID (any order; missing ones left out). */
  entries(ids: readonly string[]): Promise<IndexEntry[]>;
  /** Only entries carrying every one of these tags. */
  carriesTags(entry: IndexEntry): boolean;
}

export async function hybridSearch(query: string, limit: number, parts: HybridParts): Promise<SearchAnswer> {
  const pool = Math.max(limit, FUSION_POOL);
  const [lexical, semantic] = await Promise.all([parts.lexical(pool), parts.semantic.nearest(query, pool)]);
  if (!semantic.ok) return { results: lexical.slice(0, limit), mode: "lexical", note: semantic.note };
  return { results: await fuse(lexical, semantic.neighbours.map((n) => n.oifm_id), limit, parts), mode: "hybrid" };
}

/** Exact matches first, then the rest of both lists by reciprocal rank fusion. */
export async function fuse(lexical: readonly IndexEntry[], nearest: readonly string[], limit: number, parts: Pick<HybridParts, "isExact" | "entries" | "carriesTags">): Promise<IndexEntry[]> {
  let exact = 0;
  while (exact < lexical.length && parts.isExact(lexical[exact]!)) exact++;
  if (exact >= limit) return lexical.slice(0, limit);
  const byId = new Map(lexical.map((e) => [e.oifm_id, e]));
  const pinned = new Set(lexical.slice(0, exact).map((e) => e.oifm_id));
  const missing = nearest.filter((id) => !byId.has(id));
  if (missing.length > 0) for (const e of await parts.entries(missing)) if (parts.carriesTags(e)) byId.set(e.oifm_id, e);
  const fused = reciprocalRankFusion([
    lexical.slice(exact).map((e) => e.oifm_id),
    nearest.filter((id) => byId.has(id) && !pinned.has(id)),
  ]);
  return [...lexical.slice(0, exact), ...fused.map((id) => byId.get(id)!)].slice(0, limit);
}
