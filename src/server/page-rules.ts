// The rules the web page shares with the index, as a JavaScript module the page imports
// (/assets/rules.js): what a word is, the stop words, which two words are one in another form
// (for highlighting what matched), when two tags are one (tagKey), and the request limits. Written from the index's own code and
// constants when the server starts, so the page cannot drift from what the search does.
import { DEFAULT_REQUEST_LIST_LIMIT, MAX_QUERY_LENGTH, MAX_REQUEST_LIMIT, MAX_TAG_LENGTH } from "../index/limits.js";
import { sameRoot, STOP_WORDS } from "../index/search/terms.js";
import { tagKey } from "../model/tags.js";
import { WORD, wordsOf } from "../model/words.js";

/** The source of a function that reads nothing from its module but what the rules module defines too. */
function source(f: (...args: never[]) => unknown): string {
  const text = f.toString();
  if (!text.startsWith(`function ${f.name}(`)) throw new Error(`${f.name} is not a plain function declaration; the web page cannot take it`);
  return `export ${text}`;
}

/** The text of /assets/rules.js. */
export function pageRulesModule(): string {
  return [
    "// Written by the server from the index's rules (src/server/page-rules.ts); do not edit.",
    `export const WORD = ${WORD.toString()};`,
    `export const STOP_WORDS = new Set(${JSON.stringify([...STOP_WORDS])});`,
    `export const MAX_LIMIT = ${MAX_REQUEST_LIMIT};`,
    `export const LIST_PAGE = ${DEFAULT_REQUEST_LIST_LIMIT};`,
    `export const MAX_QUERY_LENGTH = ${MAX_QUERY_LENGTH};`,
    `export const MAX_TAG_LENGTH = ${MAX_TAG_LENGTH};`,
    source(wordsOf),
    source(sameRoot),
    source(tagKey),
    "",
  ].join("\n");
}
