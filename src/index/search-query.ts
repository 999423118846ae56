// Turning what a user typed into search terms the stores can use safely: lower-cased words of
// letters and digits. Punctuation, quotes, operators and emoji never reach a query language.

import { InvalidRequestError } from "./errors.js";

/** A search request that cannot be answered: blank query, bad limit. */
export class SearchQueryError extends InvalidRequestError {}

const MAX_TERMS = 32;
const MAX_TERM_LENGTH = 64;
export const MAX_LIMIT = 1000;

// Words that carry no meaning of their own in a finding's name ("calcification in gallbladder or
// common bile duct"): left out when other words remain. Each one matches most models, so keeping
// them made a query both slower and ranked by noise. "without", "no" and "not" do carry meaning.
const STOP_WORDS = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "its", "it", "of", "on", "or", "the", "to", "with"]);

/** The words of `query`: runs of letters and digits, lower-cased, at most 32 of 64 characters each. */
export function searchTerms(query: string): string[] {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.slice(0, MAX_TERM_LENGTH));
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  return (meaningful.length > 0 ? meaningful : words).slice(0, MAX_TERMS);
}

/** The query trimmed, or an error saying why it cannot be searched. */
export function checkQuery(query: unknown): string {
  if (typeof query !== "string") throw new SearchQueryError(`the search query must be text; got ${typeof query}`);
  const trimmed = query.trim();
  if (trimmed === "") throw new SearchQueryError("the search query is blank: give at least one word to search for");
  return trimmed;
}

export function checkLimit(limit: unknown, name = "limit"): number {
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new SearchQueryError(`${name} must be a whole number from 1 to ${MAX_LIMIT}; got ${String(limit)}`);
  }
  return limit;
}

export function checkTags(tags: unknown): string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) throw new SearchQueryError("tags must be a list of tag names");
  const cleaned = (tags as string[]).map((t) => t.trim()).filter((t) => t !== "");
  return cleaned.length > 0 ? cleaned : undefined;
}
