// What a search word is, for every part that cuts text into words: the index's query terms and
// near-word correction, both stores' full-text queries and indexed text, and the web page's
// highlighting (served to it by the server). A word is a run of letters and digits of any
// script; everything else (punctuation, quotes, operators, emoji) separates words and never
// reaches a query language.

/** A word, for matching every word of a text (global). */
export const WORD = /[\p{L}\p{N}]+/gu;
/** One character of a word. */
export const WORD_CHAR = /[\p{L}\p{N}]/u;

/** The words of `text`, lower-cased. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Whether `text` holds at least one word (a term without one matches nothing). */
export function hasWord(text: string): boolean {
  return WORD_CHAR.test(text);
}
