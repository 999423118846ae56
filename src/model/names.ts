// When two names are the same name: a model's name, a synonym, or what a user looks up. Names
// that differ only in case clash (the registry may not hold "Pneumothorax" and "pneumothorax"),
// and a lookup ignores case. Every check, store key and lookup compares nameKey()s, so the
// validator, the sync's cross-check, `stub` and both stores' unique keys agree on what a clash is.

/**
 * The form in which names and synonyms are compared: lower-cased by JavaScript's full Unicode
 * rule (SQLite's NOCASE folds ASCII only, so stores keep this key in a column of their own).
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
