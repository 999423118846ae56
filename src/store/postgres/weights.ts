// How much a match in each field of a model counts in PostgreSQL's full-text ranking. Each field
// of the document is put in one of ts_rank's four weight classes (setweight, statements.ts), and
// ts_rank is given the weight of each class.
//
// These are SQLite's bm25() weights (sqlite/weights.ts) divided by 10: name A 1.0 (10), synonyms
// B 0.8 (8), description C 0.3 (3). PostgreSQL has only four classes, so tags (SQLite 1) and
// attribute names (SQLite 0.5) share D, 0.1. Both engines must put results in the same order
// where the weights decide it (the conformance suite's ranking tests).

/** The weight class of each field of the document. */
export const FIELD_CLASS = { name: "A", synonyms: "B", description: "C", tags: "D", attributes: "D" } as const;

/** ts_rank's weight of each class. */
export const CLASS_WEIGHTS = { A: 1.0, B: 0.8, C: 0.3, D: 0.1 } as const;

/** The weights argument of ts_rank: the classes in its order, D, C, B, A. */
export const TS_RANK_WEIGHTS = `'{${[CLASS_WEIGHTS.D, CLASS_WEIGHTS.C, CLASS_WEIGHTS.B, CLASS_WEIGHTS.A].join(", ")}}'`;

/** The classes of a name or a synonym (the title fields), and of those and the description. */
export const TITLE_CLASSES = FIELD_CLASS.name + FIELD_CLASS.synonyms;
export const TITLE_AND_DESCRIPTION_CLASSES = TITLE_CLASSES + FIELD_CLASS.description;

/** The SQL of a model's weighted document, from the input columns fts_<field> (each field's words). */
export function weightedDocument(config: string): string {
  return (Object.keys(FIELD_CLASS) as Array<keyof typeof FIELD_CLASS>).map((f) => `setweight(to_tsvector(${config}, fts_${f}), '${FIELD_CLASS[f]}')`).join(" || ");
}
