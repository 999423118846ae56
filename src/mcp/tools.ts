// The MCP tools: what each takes (a zod schema, arguments.ts: listed to the client as JSON Schema
// and checked on every call, one statement of each rule, with the index's limits) and what it does
// (a call on the index). A bad argument is a tool error whose message names the argument and says
// what to change, so an agent can correct itself.
import type { z } from "zod";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { codeOf, ERRORS } from "../model/errors.js";
import { findingModelJsonSchema } from "../model/json-schema.js";
import type { IndexEntry } from "../store/store.js";
import { DEFAULT_SEARCH_LIMIT, DEFAULT_TAG_LIST_LIMIT as DEFAULT_TAG_LIMIT, MAX_REQUEST_LIMIT as MAX_LIMIT, MAX_TAG_LIST_LIMIT as MAX_TAG_LIMIT } from "../index/limits.js";
import { oneOf, parseArguments, tagNames, toolArguments, wholeNumber, words } from "./arguments.js";

export { ToolArgumentError } from "./arguments.js";

export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface ToolSpec<S extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  /** What the tool takes (arguments.ts): shown to the client as JSON Schema, and checked. */
  input: S;
  outputSchema: { type: "object"; properties: Record<string, object>; required?: string[] };
  annotations: { title: string; readOnlyHint: true; openWorldHint: false; idempotentHint: true };
  /** The work, on arguments `input` has checked and completed with its defaults. */
  answer(index: FindingModelIndex, args: z.output<S>): Promise<ToolResult>;
}

export interface ToolDefinition extends Omit<ToolSpec<z.ZodType>, "answer"> {
  /** Check `args` (a ToolArgumentError when they are bad), then do the work. */
  run(index: FindingModelIndex, args: unknown): Promise<ToolResult>;
}

function tool<S extends z.ZodType>(spec: ToolSpec<S>): ToolDefinition {
  return { ...spec, run: async (index, args) => spec.answer(index, parseArguments(spec.input, args)) };
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
  tool({
    name: "search_finding_models",
    title: "Search finding models",
    description:
      "Search the Open Imaging Finding Models by words: a model whose ID, name or synonym equals the query comes first, then full-text matches " +
      "(name, synonyms, description, tags, attribute names), best first. Case-insensitive; plural and singular match. " +
      "Returns each model's ID, name, description, synonyms, tags and attribute names; use get_finding_model for the whole model.",
    input: toolArguments({
      query: words("query", "Words to search for, e.g. \"pulmonary nodule\"."),
      limit: wholeNumber("limit", 1, MAX_LIMIT, DEFAULT_SEARCH_LIMIT, `At most this many results (1 to ${MAX_LIMIT}).`),
      tags: tagNames("Only models carrying every one of these tags (e.g. [\"CT\", \"chest\"]); see list_finding_model_tags.").optional(),
      mode: oneOf("mode", ["lexical", "hybrid"], "lexical: by words; hybrid: words and meaning fused, where the server has an embeddings service. Default hybrid where available.").optional(),
    }),
    outputSchema: {
      type: "object",
      required: ["query", "results"],
      properties: { query: { type: "string" }, mode: { enum: ["lexical", "hybrid"] }, note: { type: "string" }, results: { type: "array", items: summarySchema } },
    },
    annotations: readOnly("Search finding models"),
    async answer(index, { query, limit, tags, mode }) {
      const answer = await index.searchAnswer(query, { limit, tags, mode });
      return result({ query, mode: answer.mode, ...(answer.note ? { note: answer.note } : {}), results: answer.results.map(summary) });
    },
  }),
  tool({
    name: "get_finding_model",
    title: "Get a finding model",
    description:
      "The whole finding model with this OIFM ID (e.g. OIFM_MSFT_134126), name or synonym (case-insensitive): description, synonyms, tags, " +
      "codes, every attribute with its values (and their codes) or numeric range and unit, and contributors.",
    input: toolArguments({ id_or_name: words("id_or_name", "An OIFM ID, or a model's name or synonym.") }),
    outputSchema: findingModelJsonSchema,
    annotations: readOnly("Get a finding model"),
    async answer(index, { id_or_name: key }) {
      const entry = await index.get(key);
      const model = entry && (await index.getFull(entry.oifm_id));
      if (!model) {
        return { isError: true, content: [{ type: "text", text: `no finding model has the ID, name or synonym "${key.slice(0, 100)}"; try search_finding_models` }] };
      }
      return result(model as unknown as Record<string, unknown>);
    },
  }),
  tool({
    name: "list_finding_model_tags",
    title: "List finding model tags",
    description:
      "The tags used by the finding models, with how many models carry each, most used first (at most `limit` of them), " +
      "and how many tags there are in all (`total`). Tags filter search_finding_models.",
    input: toolArguments({ limit: wholeNumber("limit", 1, MAX_TAG_LIMIT, DEFAULT_TAG_LIMIT, `At most this many tags, the most used (1 to ${MAX_TAG_LIMIT}).`) }),
    outputSchema: {
      type: "object",
      required: ["tags", "total"],
      properties: {
        tags: { type: "array", items: { type: "object", required: ["tag", "count"], properties: { tag: { type: "string" }, count: { type: "integer" } } } },
        total: { type: "integer", description: "How many tags there are in all." },
      },
    },
    annotations: readOnly("List finding model tags"),
    async answer(index, { limit }) {
      const tags = await index.tags();
      return result({ tags: tags.slice(0, limit), total: tags.length });
    },
  }),
  tool({
    name: "count_finding_models",
    title: "Count finding models",
    description: "How many finding models the index holds, and how many people and organizations contributed them.",
    input: toolArguments({}),
    outputSchema: {
      type: "object",
      required: ["models", "people", "organizations"],
      properties: { models: { type: "integer" }, people: { type: "integer" }, organizations: { type: "integer" } },
    },
    annotations: readOnly("Count finding models"),
    async answer(index) {
      const [models, people, organizations] = await Promise.all([index.count(), index.countPeople(), index.countOrganizations()]);
      return result({ models, people, organizations });
    },
  }),
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
