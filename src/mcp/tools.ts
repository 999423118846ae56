// The MCP tools: what each takes (JSON Schema, shown to the client) and what it does (a call on
// the index). Arguments are checked here with the same limits as the HTTP API; a bad argument is
// a tool error whose message says what to change, so an agent can correct itself.
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { codeOf, CodedError, ERRORS } from "../model/errors.js";
import { findingModelJsonSchema } from "../model/json-schema.js";
import type { IndexEntry } from "../store/store.js";

import {
  DEFAULT_SEARCH_LIMIT,
  DEFAULT_TAG_LIST_LIMIT as DEFAULT_TAG_LIMIT,
  MAX_QUERY_LENGTH,
  MAX_REQUEST_LIMIT as MAX_LIMIT,
  MAX_TAG_LENGTH,
  MAX_TAG_LIST_LIMIT as MAX_TAG_LIMIT,
  MAX_TAGS,
} from "../index/limits.js";

export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, object>; required?: string[]; additionalProperties?: boolean };
  outputSchema: { type: "object"; properties: Record<string, object>; required?: string[] };
  annotations: { title: string; readOnlyHint: true; openWorldHint: false; idempotentHint: true };
  run(index: FindingModelIndex, args: Record<string, unknown>): Promise<ToolResult>;
}

/** A bad argument: reported to the client as a tool error with this message. */
export class ToolArgumentError extends CodedError {
  constructor(message: string) {
    super("invalid-argument", message);
  }
}

const model = findingModelJsonSchema.properties;
const summarySchema = {
  type: "object",
  required: ["oifm_id", "name"],
  properties: {
    oifm_id: model.oifm_id,
    name: model.name,
    description: model.description,
    synonyms: model.synonyms,
    tags: model.tags,
    attributes: { type: "array", items: { type: "string" }, description: "Attribute names; get_finding_model gives their values and codes." },
  },
};

/** What a search result tells an agent: enough to choose, without the file bookkeeping. */
function summary(entry: IndexEntry) {
  return {
    oifm_id: entry.oifm_id,
    name: entry.name,
    description: entry.description,
    synonyms: entry.synonyms,
    tags: entry.tags,
    attributes: entry.attributes.map((a) => a.name),
  };
}

function result(structured: Record<string, unknown>, text = JSON.stringify(structured)): ToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

const readOnly = (title: string) => ({ title, readOnlyHint: true, openWorldHint: false, idempotentHint: true }) as const;

export const TOOLS: ToolDefinition[] = [
  {
    name: "search_finding_models",
    title: "Search finding models",
    description:
      "Search the Open Imaging Finding Models by words: a model whose ID, name or synonym equals the query comes first, then full-text matches " +
      "(name, synonyms, description, tags, attribute names), best first. Case-insensitive; plural and singular match. " +
      "Returns each model's ID, name, description, synonyms, tags and attribute names; use get_finding_model for the whole model.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", minLength: 1, maxLength: MAX_QUERY_LENGTH, description: "Words to search for, e.g. \"pulmonary nodule\"." },
        limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_SEARCH_LIMIT, description: `At most this many results (1 to ${MAX_LIMIT}).` },
        tags: { type: "array", items: { type: "string" }, maxItems: MAX_TAGS, description: "Only models carrying every one of these tags (e.g. [\"CT\", \"chest\"]); see list_finding_model_tags." },
        mode: { type: "string", enum: ["lexical", "hybrid"], description: "lexical: by words; hybrid: words and meaning fused, where the server has an embeddings service. Default hybrid where available." },
      },
      required: ["query"],
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      required: ["query", "results"],
      properties: { query: { type: "string" }, mode: { enum: ["lexical", "hybrid"] }, note: { type: "string" }, results: { type: "array", items: summarySchema } },
    },
    annotations: readOnly("Search finding models"),
    async run(index, args) {
      checkKnown(args, ["query", "limit", "tags", "mode"]);
      const query = text(args.query, "query");
      const limit = args.limit === undefined ? DEFAULT_SEARCH_LIMIT : wholeNumber(args.limit, "limit", 1, MAX_LIMIT);
      const tags = args.tags === undefined ? undefined : tagList(args.tags);
      if (args.mode !== undefined && args.mode !== "lexical" && args.mode !== "hybrid") throw new ToolArgumentError(`mode must be "lexical" or "hybrid"; got ${JSON.stringify(args.mode)}`);
      const answer = await index.searchAnswer(query, { limit, tags, mode: args.mode });
      return result({ query, mode: answer.mode, ...(answer.note ? { note: answer.note } : {}), results: answer.results.map(summary) });
    },
  },
  {
    name: "get_finding_model",
    title: "Get a finding model",
    description:
      "The whole finding model with this OIFM ID (e.g. OIFM_MSFT_134126), name or synonym (case-insensitive): description, synonyms, tags, " +
      "codes, every attribute with its values (and their codes) or numeric range and unit, and contributors.",
    inputSchema: {
      type: "object",
      properties: { id_or_name: { type: "string", minLength: 1, maxLength: MAX_QUERY_LENGTH, description: "An OIFM ID, or a model's name or synonym." } },
      required: ["id_or_name"],
      additionalProperties: false,
    },
    outputSchema: findingModelJsonSchema,
    annotations: readOnly("Get a finding model"),
    async run(index, args) {
      checkKnown(args, ["id_or_name"]);
      const key = text(args.id_or_name, "id_or_name");
      const entry = await index.get(key);
      const model = entry && (await index.getFull(entry.oifm_id));
      if (!model) {
        return { isError: true, content: [{ type: "text", text: `no finding model has the ID, name or synonym "${key.slice(0, 100)}"; try search_finding_models` }] };
      }
      return result(model as unknown as Record<string, unknown>);
    },
  },
  {
    name: "list_finding_model_tags",
    title: "List finding model tags",
    description:
      "The tags used by the finding models, with how many models carry each, most used first (at most `limit` of them), " +
      "and how many tags there are in all (`total`). Tags filter search_finding_models.",
    inputSchema: {
      type: "object",
      properties: {
        limit: { type: "integer", minimum: 1, maximum: MAX_TAG_LIMIT, default: DEFAULT_TAG_LIMIT, description: `At most this many tags, the most used (1 to ${MAX_TAG_LIMIT}).` },
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      required: ["tags", "total"],
      properties: {
        tags: { type: "array", items: { type: "object", required: ["tag", "count"], properties: { tag: { type: "string" }, count: { type: "integer" } } } },
        total: { type: "integer", description: "How many tags there are in all." },
      },
    },
    annotations: readOnly("List finding model tags"),
    async run(index, args) {
      checkKnown(args, ["limit"]);
      const limit = args.limit === undefined ? DEFAULT_TAG_LIMIT : wholeNumber(args.limit, "limit", 1, MAX_TAG_LIMIT);
      const tags = await index.tags();
      return result({ tags: tags.slice(0, limit), total: tags.length });
    },
  },
  {
    name: "count_finding_models",
    title: "Count finding models",
    description: "How many finding models the index holds, and how many people and organizations contributed them.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    outputSchema: {
      type: "object",
      required: ["models", "people", "organizations"],
      properties: { models: { type: "integer" }, people: { type: "integer" }, organizations: { type: "integer" } },
    },
    annotations: readOnly("Count finding models"),
    async run(index, args) {
      checkKnown(args, []);
      const [models, people, organizations] = await Promise.all([index.count(), index.countPeople(), index.countOrganizations()]);
      return result({ models, people, organizations });
    },
  },
];

/**
 * Run tool `name`; bad arguments and bad queries (errors whose code is a client's error, status
 * below 500 in model/errors.ts) come back as tool errors, not exceptions.
 */
export async function callTool(index: FindingModelIndex, name: string, args: Record<string, unknown> | undefined): Promise<ToolResult | undefined> {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) return undefined;
  try {
    return await tool.run(index, args ?? {});
  } catch (e) {
    const code = codeOf(e);
    if (code !== undefined && ERRORS[code].status < 500) return { isError: true, content: [{ type: "text", text: (e as Error).message }] };
    throw e;
  }
}

function checkKnown(args: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(args).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new ToolArgumentError(`unknown argument${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k.slice(0, 50))).join(", ")}; this tool takes ${known.length > 0 ? known.join(", ") : "no arguments"}`);
  }
}

function text(value: unknown, name: string): string {
  if (typeof value !== "string") throw new ToolArgumentError(`${name} must be text; got ${value === undefined ? "nothing" : typeof value}`);
  if (value.trim() === "") throw new ToolArgumentError(`${name} is blank: give at least one word`);
  if (value.length > MAX_QUERY_LENGTH) throw new ToolArgumentError(`${name} must be at most ${MAX_QUERY_LENGTH} characters long; got ${value.length}`);
  return value;
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ToolArgumentError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

function tagList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) throw new ToolArgumentError("tags must be a list of tag names (text)");
  if (value.length > MAX_TAGS) throw new ToolArgumentError(`tags must have at most ${MAX_TAGS} items; got ${value.length}`);
  const long = (value as string[]).find((t) => t.length > MAX_TAG_LENGTH);
  if (long !== undefined) throw new ToolArgumentError(`each tag must be at most ${MAX_TAG_LENGTH} characters long`);
  return value as string[];
}
