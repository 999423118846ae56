// JSON Schemas of what the API takes and returns. Request schemas are checked by Fastify on every
// request; response schemas are documentation only (they appear in /api/openapi.json, and
// responses are serialized with JSON.stringify so that no field is ever dropped).
import { ERRORS } from "../model/errors.js";
import { findingModelJsonSchema } from "../model/json-schema.js";
import { MAX_BATCH_QUERIES, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, DEFAULT_LIST_LIMIT, DEFAULT_SEARCH_LIMIT } from "./limits.js";

// --- requests ---

export const queryText = {
  type: "string",
  minLength: 1,
  maxLength: MAX_QUERY_LENGTH,
  description: `Words to search for (at most ${MAX_QUERY_LENGTH} characters). An exact ID, name or synonym ranks first, then full-text matches.`,
} as const;

export const limitParam = (fallback: number) =>
  ({ type: "integer", minimum: 1, maximum: MAX_LIMIT, default: fallback, description: `At most this many results (1 to ${MAX_LIMIT}).` }) as const;

export const tagList = {
  type: "array",
  maxItems: MAX_TAGS,
  items: { type: "string", minLength: 1, maxLength: MAX_TAG_LENGTH },
  description: `Only models carrying every one of these tags (case-insensitive; at most ${MAX_TAGS}).`,
} as const;

export const idOrNameParams = {
  type: "object",
  required: ["idOrName"],
  properties: {
    idOrName: { type: "string", minLength: 1, maxLength: MAX_QUERY_LENGTH, description: "An OIFM ID, or a model's name or synonym (case-insensitive)." },
  },
} as const;

export const idParams = {
  type: "object",
  required: ["id"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: MAX_QUERY_LENGTH, description: "An OIFM ID (a name or synonym also works)." },
  },
} as const;

export const searchQuerystring = {
  type: "object",
  required: ["q"],
  properties: {
    q: queryText,
    limit: limitParam(DEFAULT_SEARCH_LIMIT),
    tag: tagList,
    mode: { type: "string", enum: ["lexical", "hybrid"], description: "lexical: by words; hybrid: words and meaning fused (where the server has an embeddings service; see /api/stats searchModes). Default hybrid where available." },
  },
} as const;

export const batchBody = {
  type: "object",
  required: ["queries"],
  additionalProperties: false,
  properties: {
    queries: { type: "array", minItems: 1, maxItems: MAX_BATCH_QUERIES, items: queryText, description: `The queries (1 to ${MAX_BATCH_QUERIES}).` },
    limit: limitParam(DEFAULT_SEARCH_LIMIT),
    tags: tagList,
  },
} as const;

export const listQuerystring = {
  type: "object",
  properties: {
    limit: limitParam(DEFAULT_LIST_LIMIT),
    offset: { type: "integer", minimum: 0, maximum: MAX_OFFSET, default: 0, description: "Models to skip." },
  },
} as const;

// --- responses (components of the OpenAPI description) ---

export const components: Record<string, object> = {
  Error: {
    type: "object",
    required: ["statusCode", "error", "code", "message"],
    properties: {
      statusCode: { type: "integer" },
      error: { type: "string" },
      code: { type: "string", enum: Object.keys(ERRORS), description: "What kind of error, stable for programs (the error registry, docs/http.md)." },
      message: { type: "string", description: "What is wrong, in words a person can act on." },
    },
  },
  IndexEntry: {
    type: "object",
    description: "A model as the index summarizes it: everything but the attribute values and codes (GET /api/models/{id}/full has those).",
    required: ["oifm_id", "name", "slugName", "filename", "description", "synonyms", "tags", "contributors", "attributes"],
    properties: {
      oifm_id: { type: "string", example: "OIFM_MSFT_134126" },
      name: { type: "string" },
      slugName: { type: "string", description: "The name in the registry's file-name form.", example: "abdominal_aortic_aneurysm" },
      filename: { type: "string", description: "The model's file, relative to the definitions folder (\"/\" between folders).", example: "abdominal_aortic_aneurysm.fm.json" },
      description: { type: "string" },
      synonyms: { type: "array", items: { type: "string" } },
      tags: { type: "array", items: { type: "string" } },
      contributors: {
        type: "array",
        items: { type: "object", properties: { kind: { enum: ["person", "organization"] }, key: { type: "string" }, name: { type: "string" } } },
      },
      attributes: {
        type: "array",
        items: { type: "object", properties: { oifma_id: { type: "string" }, name: { type: "string" }, type: { enum: ["choice", "numeric"] } } },
      },
    },
  },
  FindingModel: findingModelJsonSchema,
  SearchResult: {
    type: "object",
    required: ["query", "limit", "results"],
    properties: {
      query: { type: "string" },
      limit: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
      mode: { enum: ["lexical", "hybrid"], description: "How the results were found (GET /api/search)." },
      note: { type: "string", description: "Why a hybrid search was answered by words only (the embeddings service is down, slow, ...)." },
      results: { type: "array", items: { $ref: "#/components/schemas/IndexEntry" } },
    },
  },
  BatchResult: {
    type: "object",
    required: ["results"],
    properties: {
      results: { type: "array", description: "One item per query, in the order asked.", items: { $ref: "#/components/schemas/SearchResult" } },
    },
  },
  Page: {
    type: "object",
    required: ["items", "total", "limit", "offset"],
    properties: {
      items: { type: "array", items: { $ref: "#/components/schemas/IndexEntry" } },
      total: { type: "integer" },
      limit: { type: "integer" },
      offset: { type: "integer" },
    },
  },
  Tag: { type: "object", required: ["tag", "count"], properties: { tag: { type: "string" }, count: { type: "integer" } } },
  Person: {
    type: "object",
    required: ["github_username", "email", "name", "organization_code"],
    properties: { github_username: { type: "string" }, email: { type: "string" }, name: { type: "string" }, organization_code: { type: "string" }, url: { type: "string" } },
  },
  Organization: { type: "object", required: ["name", "code"], properties: { name: { type: "string" }, code: { type: "string" }, url: { type: "string" } } },
  Stats: {
    type: "object",
    properties: {
      models: { type: "integer" },
      people: { type: "integer" },
      organizations: { type: "integer" },
      engine: { enum: ["sqlite", "postgres"] },
      schemaVersion: { type: "integer" },
      sizeBytes: { type: "integer" },
      searchModes: { type: "array", items: { enum: ["lexical", "hybrid"] }, description: "The search modes this server answers (hybrid where it has an embeddings service)." },
    },
  },
  Health: { type: "object", required: ["status"], properties: { status: { enum: ["ok", "unavailable"] }, models: { type: "integer" } } },
  FileProblem: {
    type: "object",
    required: ["file", "path", "message"],
    properties: {
      file: { type: "string", description: "The model file, relative to the server's --defs folder." },
      path: { type: "string", description: "Where in the file: a JSON path ($ for the whole file), or a line and column." },
      message: { type: "string" },
    },
  },
  SyncReport: {
    type: "object",
    properties: {
      added: { type: "integer" },
      updated: { type: "integer" },
      removed: { type: "integer" },
      unchanged: { type: "integer" },
      skipped: { type: "integer" },
      errors: { type: "array", items: { $ref: "#/components/schemas/FileProblem" } },
      warnings: {
        type: "array",
        description: "Names or synonyms another model also has: indexed all the same (refused as errors when the server runs with --strict-synonyms).",
        items: { $ref: "#/components/schemas/FileProblem" },
      },
      applied: { type: "boolean" },
      ms: { type: "number" },
    },
  },
  SyncFailure: {
    type: "object",
    description: "The error shape of the API with the sync report: nothing was changed.",
    required: ["statusCode", "error", "code", "message", "errors", "warnings", "applied"],
    allOf: [{ $ref: "#/components/schemas/Error" }, { $ref: "#/components/schemas/SyncReport" }],
  },
};
