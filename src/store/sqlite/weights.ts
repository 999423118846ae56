// How much a match in each field of a model counts in SQLite's full-text ranking: bm25()'s
// weight of each column of the fts table (schema.ts), in the table's column order. A name
// outweighs a synonym, a synonym the description, and tags and attribute names (which many models
// share: "presence", "change from prior") count least.
//
// PostgreSQL ranks the same fields with ts_rank (postgres/weights.ts). Its weights are these
// divided by 10 (name 10 -> 1.0, synonyms 8 -> 0.8, description 3 -> 0.3); it has only four
// weight classes, so tags (1) and attribute names (0.5) share its lowest, 0.1. Both engines
// must put results in the same order where the weights decide it (the conformance suite's ranking tests).

/** bm25() weight of each full-text column. */
export const BM25_WEIGHTS = { name: 10, synonyms: 8, description: 3, tags: 1, attributes: 0.5 } as const;

/** The fts table's columns, in order. */
export const FTS_COLUMNS = ["name", "synonyms", "description", "tags", "attributes"] as const;

/** The call that ranks a match of the fts table: lower is better. */
export const BM25_RANK = `bm25(fts, ${FTS_COLUMNS.map((c) => BM25_WEIGHTS[c]).join(", ")})`;
