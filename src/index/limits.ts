// What one query or request may ask of the index, defined once. The library and the CLI work for
// one user on their own machine and may ask for more at once; a shared server (HTTP API, MCP, the
// web page) answers many clients and holds each request to the smaller REQUEST limits.

/** Most results one search, list or slug search of the library or CLI returns. */
export const MAX_LIMIT = 1000;
/** Results of a search when no limit is given. */
export const DEFAULT_SEARCH_LIMIT = 10;
/** Entries of a page of the model list (library and CLI) when no limit is given. */
export const DEFAULT_LIST_LIMIT = 100;

/** Most results one search, or one page of the model list, returns to a client of a shared server. */
export const MAX_REQUEST_LIMIT = 100;
/** Entries of a page of the model list a shared server returns when no limit is given. */
export const DEFAULT_REQUEST_LIST_LIMIT = 50;
/** Longest search query a shared server takes, in characters (also the longest ID, name or synonym asked for). */
export const MAX_QUERY_LENGTH = 500;
/** Furthest a page of the model list may start on a shared server. */
export const MAX_OFFSET = 1_000_000;
/** Most queries in one batch search sent to a shared server. */
export const MAX_BATCH_QUERIES = 100;
/** Most tags one search on a shared server may filter by, and the longest tag. */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 100;
/** Tags a shared server lists when no limit is given (the registry has a few hundred), and the most at once. */
export const DEFAULT_TAG_LIST_LIMIT = 100;
export const MAX_TAG_LIST_LIMIT = 1000;
