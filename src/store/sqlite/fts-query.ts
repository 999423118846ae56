// FTS5 MATCH expressions built from search terms. Every term becomes a string token of its words
// only ("w1 w2", model/words.ts), so nothing a user types is ever read as FTS5 syntax, and no other
// character (a quote, a NUL that would end the expression early) reaches it; the last term also
// matches as a prefix ("term" *) for search-as-you-type.
import { hasWord, wordsOf } from "../../model/words.js";

/** Terms that can match anything: a term without a letter or digit has no tokens and is dropped. */
export function usableTerms(terms: readonly string[]): string[] {
  return terms.filter(hasWord);
}

/** `"a" AND "b" *` (all terms) or `"a" OR "b" *` (any term); terms must be non-empty. */
export function matchExpression(terms: readonly string[], join: "AND" | "OR"): string {
  const last = terms.length - 1;
  return terms.map((t, i) => (i === last ? `${quote(t)} *` : quote(t))).join(` ${join} `);
}

function quote(term: string): string {
  return `"${wordsOf(term).join(" ")}"`;
}

/** `expression` matched in the name, synonyms and description columns (not tags or attribute names). */
export function textColumns(expression: string): string {
  return `{name synonyms description} : (${expression})`;
}
