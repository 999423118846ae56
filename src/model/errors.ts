// Every error the product raises, defined once: a stable code, what it means, the HTTP status the
// server answers with, and how the CLI reports it (its exit code and the `code` of its --json
// error object). In the spirit of Fastify's createError: an error is made from its code, and the
// CLI, the HTTP server and the MCP server decide what to do by looking the code up here, never by
// the error's class. Here, at the bottom layer, so that every layer can raise them.
//
// A message is the error's own (it names the file, field or value at fault); the definition says
// what kind of error it is. Where a message may show what a client must not see (the server's
// files, database details), the definition has a `hidden` text the server answers instead.

/** What the CLI reports under --json as the error's `code` (docs/cli.md). */
export type CliErrorKind = "usage" | "not-found" | "conflict" | "database" | "environment";

export interface ErrorDefinition {
  /** What the error means, in a sentence. */
  readonly means: string;
  /** The HTTP status of the server's answer. */
  readonly status: number;
  /** The CLI's exit code: 1 invalid data or conflicts found, 2 usage or environment error. */
  readonly exit: 1 | 2;
  /** The CLI's kind of failure. */
  readonly cli: CliErrorKind;
  /**
   * What a client of the server is told instead of the message, which may name the server's
   * files or database details (the server logs the error). Every status of 500 or more has one.
   */
  readonly hidden?: string;
}

const UNAVAILABLE = "the index is unavailable just now; try again shortly";
const INDEX_FAILED = "the index could not answer";

/** Every error code, with its definition. */
export const ERRORS = {
  // --- a request that cannot be done as asked (library, CLI, HTTP, MCP) ---
  "invalid-request": { means: "A request or argument that cannot be done as asked.", status: 400, exit: 2, cli: "usage" },
  "invalid-query": { means: "A search request that cannot be answered: a blank query, a limit or offset out of range, tags that are not a list of names.", status: 400, exit: 2, cli: "usage" },
  "invalid-argument": { means: "An MCP tool argument of the wrong type, out of range or unknown.", status: 400, exit: 2, cli: "usage" },
  "invalid-environment": { means: "An environment variable with a value that cannot be used.", status: 400, exit: 2, cli: "usage" },
  "missing-path": { means: "A file or folder to read does not exist.", status: 400, exit: 2, cli: "usage" },
  "not-a-registry": { means: "A folder given as a registry has no defs folder.", status: 400, exit: 2, cli: "usage" },
  "index-location": { means: "An index location that cannot be used: an existing file that is not an index, a folder, a bad PostgreSQL URL.", status: 400, exit: 2, cli: "usage" },
  "sync-folder": { means: "A folder to sync that cannot be used: missing, not a folder, unreadable.", status: 400, exit: 2, cli: "usage" },
  "sync-declined": { means: "A sync that would remove most of the index was declined; nothing changed.", status: 400, exit: 2, cli: "usage" },
  "check-folder": { means: "A folder to check the index against that cannot be used.", status: 400, exit: 2, cli: "usage" },
  "generate-folder": { means: "A folder or count for generated models that cannot be used.", status: 400, exit: 2, cli: "usage" },
  "usage": { means: "A command called with a bad argument or option.", status: 400, exit: 2, cli: "usage" },
  "not-found": { means: "No model (or other thing asked for) has that ID, name or synonym.", status: 404, exit: 1, cli: "not-found" },
  "name-taken": { means: "A model of that name already exists.", status: 409, exit: 1, cli: "conflict" },

  // --- the index's data and its files ---
  "invalid-files": { means: "Model files are invalid or clash; nothing was changed (the report lists them).", status: 422, exit: 1, cli: "conflict" },
  "file-changed": { means: "A file changed while the index was being synced; nothing was written.", status: 409, exit: 2, cli: "environment", hidden: "a file of the folder changed while the index was being synced, so nothing was written; run the sync again" },
  "embeddings": { means: "The embeddings service failed: unreachable, too slow, misconfigured, or its answer was not usable vectors.", status: 503, exit: 2, cli: "environment", hidden: "the embeddings service is unavailable just now" },
  "lexicon": { means: "A line of the search lexicon is malformed.", status: 500, exit: 2, cli: "environment", hidden: INDEX_FAILED },

  // --- the database (StoreError) ---
  "locked": { means: "Another connection holds the index's write lock for longer than the wait allows.", status: 503, exit: 2, cli: "database", hidden: UNAVAILABLE },
  "readonly": { means: "The index cannot be written: opened read-only, or a file without write permission.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "corrupt": { means: "The index file is damaged or not an index.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "too-new": { means: "The index was written by a newer version of findingmodel.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "unreachable": { means: "The database server cannot be reached, or the connection was lost.", status: 503, exit: 2, cli: "database", hidden: UNAVAILABLE },
  "auth": { means: "The database server refused the user or password, or a permission.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "timeout": { means: "A database statement ran past its time limit.", status: 503, exit: 2, cli: "database", hidden: UNAVAILABLE },
  "constraint": { means: "A write broke one of the index's unique keys (a name, file or ID used twice).", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "changed": { means: "Another sync changed the index while this one started; nothing was written.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },
  "other": { means: "Any other database failure.", status: 500, exit: 2, cli: "database", hidden: INDEX_FAILED },

  // --- the HTTP server ---
  "unauthorized": { means: "A request to sync without the server's API token.", status: 401, exit: 2, cli: "usage" },
  "forbidden": { means: "A request to sync with a wrong token, or to a server where sync is disabled.", status: 403, exit: 2, cli: "usage" },
  "method-not-allowed": { means: "A path asked with a method it does not take.", status: 405, exit: 2, cli: "usage" },
  "sync-unavailable": { means: "A sync asked of a server that has no folder to sync, or while another sync runs.", status: 409, exit: 2, cli: "usage" },
  "path-too-long": { means: "A path segment longer than any ID, name or synonym.", status: 414, exit: 2, cli: "usage" },
  "body-too-large": { means: "A request body over the server's limit.", status: 413, exit: 2, cli: "usage" },
  "unsupported-media-type": { means: "A request body that is not JSON.", status: 415, exit: 2, cli: "usage" },

  // --- the machine ---
  "environment": { means: "The machine refused: a full disk, a port in use, a file that cannot be read or written.", status: 500, exit: 2, cli: "environment", hidden: "something went wrong on the server; it has been logged" },
  "internal": { means: "A failure of ours.", status: 500, exit: 2, cli: "environment", hidden: "something went wrong on the server; it has been logged" },
} as const satisfies Record<string, ErrorDefinition>;

/** A stable error code (a key of ERRORS). */
export type ErrorCode = keyof typeof ERRORS;

/** The definition of `code`. */
export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return ERRORS[code];
}

/** An error of the product: its `code` says what kind (ERRORS), its message what went wrong. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The HTTP status of the server's answer. */
  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** The code of `e` when it is one of the product's errors. */
export function codeOf(e: unknown): ErrorCode | undefined {
  return e instanceof CodedError && Object.hasOwn(ERRORS, e.code) ? e.code : undefined;
}
