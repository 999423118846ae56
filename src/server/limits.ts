// What one request may ask of the server. Each limit is checked by the route's JSON schema, so a
// request over it gets a 400 naming the field and the limit (413 for a body over BODY_LIMIT).

/** Longest search query, in characters (also the longest ID, name or synonym in a model path). */
export const MAX_QUERY_LENGTH = 500;
/** Most results one search, or one page of the model list, returns. */
export const MAX_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 10;
export const DEFAULT_LIST_LIMIT = 50;
/** Furthest a page of the model list may start. */
export const MAX_OFFSET = 1_000_000;
/** Most queries in one batch search. */
export const MAX_BATCH_QUERIES = 100;
/** Most tags one search may filter by, and the longest tag. */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 100;
/** Largest request body, in bytes (64 KiB). */
export const BODY_LIMIT = 64 * 1024;
