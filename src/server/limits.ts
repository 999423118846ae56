// What one request may ask of the server: the request limits of the index (index/limits.ts),
// each checked by the route's JSON schema, so a request over it gets a 400 naming the field and
// the limit, and the body's size, which only the server has (413 over BODY_LIMIT).
export { DEFAULT_SEARCH_LIMIT, MAX_BATCH_QUERIES, MAX_OFFSET, MAX_QUERY_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from "../index/limits.js";
export { MAX_REQUEST_LIMIT as MAX_LIMIT, DEFAULT_REQUEST_LIST_LIMIT as DEFAULT_LIST_LIMIT } from "../index/limits.js";

/**
 * How long after a sync (its own or another program's) the server's searches may still answer from
 * the index as it was, while the search data of the synced index is read (IndexOptions.staleSearchMs):
 * searches go on meanwhile instead of all waiting for it.
 */
export const SEARCH_STALE_MS = 1000;

/** Largest request body, in bytes (64 KiB). */
export const BODY_LIMIT = 64 * 1024;
