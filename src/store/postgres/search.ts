// Full-text search on PostgreSQL: tsquery texts built from search terms, and the one statement
// that answers any number of searches.
//
// Safety: nothing a user typed reaches to_tsquery as syntax. Each term is cut into words of
// letters and digits (model/words.ts, the same rule as the index's searchTerms), each word is written as a quoted
// lexeme ('word'), and the operators between them (&, |, <->, :*) are ours. A word holds no quote,
// backslash or operator character, so it cannot end its quotes.
//
// Semantics, as on SQLite: entries with every term first, best first; then, if that leaves room
// and there is more than one term, entries with any term in the name, synonyms or description.
// The last term also matches as a prefix.
// A term of several words (only a hostile string makes one) is a phrase.
//
// Ranking: ts_rank over the weighted document (weights.ts: SQLite's BM25 weights on PostgreSQL's
// scale), divided by the log of the document's length (as BM25 favours short fields) and squashed
// into [0, 1); plus 1 for an entry whose name or synonyms alone match the query, so that a title
// match always ranks above a match elsewhere only, however often the word appears in a long
// description. Ties go to the entry written first. ts_rank, not ts_rank_cd (cover density): it
// agrees more often with SQLite's order and costs half as much (docs/performance.md, "Figures
// behind the code").
import { TITLE_AND_DESCRIPTION_CLASSES, TITLE_CLASSES, TS_RANK_WEIGHTS } from "./weights.js";
import { wordsOf } from "../../model/words.js";

/** The four tsquery texts of one search; null matches nothing. */
export interface SearchQueries {
  /** Every term, anywhere. */
  all: string | null;
  /** Every term, in the name or synonyms. */
  allTitle: string | null;
  /**
   * Any term, in the name, synonyms or description (null when there is only one term: no fill).
   * Not in tags and attribute names: nearly every model has the attributes "presence" and "change
   * from prior", so a fill over them matched every model, slowly, and ranked by noise.
   */
  any: string | null;
  /** Any term, in the name or synonyms. */
  anyTitle: string | null;
}

/**
 * Longer words are never in a document (PostgreSQL leaves words over 2,047 bytes out of a
 * tsvector, and drops them from a tsquery, which would turn "a & <long>" into "a").
 */
const MAX_WORD_BYTES = 2047;

/** The tsquery texts for `terms`, or undefined when no term has a letter or digit (nothing can match). */
export function searchQueries(terms: readonly string[]): SearchQueries | undefined {
  const words = terms.map(wordsOf).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  const last = words.length - 1;
  const matchable = (w: string[]) => w.every((x) => Buffer.byteLength(x, "utf8") <= MAX_WORD_BYTES);
  // weights: "" anywhere, else the weight classes of the fields searched (weights.ts).
  const operand = (w: string[], i: number, weights: string): string => {
    const suffix = (j: number) => (i === last && j === w.length - 1 ? ":*" : ":") + weights;
    const lexemes = w.map((x, j) => `'${x}'${cleanSuffix(suffix(j))}`);
    return lexemes.length === 1 ? lexemes[0]! : `(${lexemes.join(" <-> ")})`;
  };
  const join = (op: "&" | "|", weights: string): string | null => {
    const parts = words.flatMap((w, i) => (matchable(w) ? [operand(w, i, weights)] : []));
    if (parts.length === 0 || (op === "&" && parts.length < words.length)) return null;
    return parts.join(` ${op} `);
  };
  const fill = words.length > 1;
  return { all: join("&", ""), allTitle: join("&", TITLE_CLASSES), any: fill ? join("|", TITLE_AND_DESCRIPTION_CLASSES) : null, anyTitle: fill ? join("|", TITLE_CLASSES) : null };
}

/** A lone ":" (no prefix, no weights) is no suffix at all. */
function cleanSuffix(s: string): string {
  return s === ":" ? "" : s;
}

export interface SearchFilter {
  tags: boolean;
  exclude: boolean;
}

/**
 * The statement answering searches given as parallel arrays ($1 all, $2 allTitle, $3 any,
 * $4 anyTitle; one element per search), at most $5 results each; $6 tags (every one required)
 * and $7 excluded oifm_ids when the filter has them. Rows come ordered by search (column i, from
 * 1), then best first; each search has at most $5 rows per phase, the caller keeps the first $5.
 */
export function searchStatement(schema: string, entryColumns: string, config: string, filter: SearchFilter): string {
  const models = `"${schema}".models`;
  let filters = "";
  if (filter.tags) filters += " AND m.tags_lower @> $6::text[]";
  if (filter.exclude) filters += ` AND m.oifm_id <> ALL($${filter.tags ? 7 : 6}::text[])`;
  // Normalization 1 | 32: rank / (1 + log(number of words)), then rank / (rank + 1).
  const score = (q: string, title: string) => `(CASE WHEN m.document @@ ${title} THEN 1 ELSE 0 END) + ts_rank(${TS_RANK_WEIGHTS}, m.document, ${q}, 33)`;
  return `
    WITH q AS MATERIALIZED (
      SELECT u.i, to_tsquery(${config}, u.all_q) AS all_q, to_tsquery(${config}, u.all_title) AS all_title,
             to_tsquery(${config}, u.any_q) AS any_q, to_tsquery(${config}, u.any_title) AS any_title
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(all_q, all_title, any_q, any_title, i)
    )
    SELECT q.i, ${entryColumns}
      FROM q CROSS JOIN LATERAL (
        (SELECT m.id, 0 AS phase, ${score("q.all_q", "q.all_title")} AS score
           FROM ${models} AS m
          WHERE m.document @@ q.all_q${filters}
          ORDER BY score DESC, m.id LIMIT $5)
        UNION ALL
        (SELECT m.id, 1 AS phase, ${score("q.any_q", "q.any_title")} AS score
           FROM ${models} AS m
          WHERE q.any_q IS NOT NULL
            -- Only when the entries with every term leave room.
            AND (SELECT count(*) FROM (SELECT 1 FROM ${models} AS m WHERE m.document @@ q.all_q${filters} LIMIT $5) AS full_hits) < $5
            AND m.document @@ q.any_q AND (m.document @@ q.all_q) IS NOT TRUE${filters}
          ORDER BY score DESC, m.id LIMIT $5)
      ) AS hit
      JOIN ${models} AS m ON m.id = hit.id
     ORDER BY q.i, hit.phase, hit.score DESC, hit.id`;
}
