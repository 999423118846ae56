// Checks of a search request's input (query, limit, tags): a request that cannot be answered is
// refused with a message naming what is wrong, before any store is asked.
import { InvalidRequestError } from "../errors.js";
import { MAX_LIMIT } from "../limits.js";

/** A search request that cannot be answered: blank query, bad limit. */
export class SearchQueryError extends InvalidRequestError {
  static override readonly errorCode = "invalid-query";
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
