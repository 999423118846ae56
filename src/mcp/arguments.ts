// The MCP tools' arguments as zod schemas, the schema language of the MCP SDK: one statement of
// each rule, from which the client gets the JSON Schema (tools/list) and by which every call is
// checked. Each check carries the message a client gets, naming the argument and the limit.
//
// Why not the SDK's McpServer, which also takes zod schemas: it answers a failed check with
// "Input validation error: Invalid arguments for tool …: <message> at <path>" and an unknown
// tool with a tool error, where this server answers the plain message and a protocol error.
import { z } from "zod";
import { MAX_QUERY_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from "../index/limits.js";
import { CodedError } from "../model/errors.js";

/** A bad argument: reported to the client as a tool error with this message. */
export class ToolArgumentError extends CodedError {
  constructor(message: string) {
    super("invalid-argument", message);
  }
}

/** Text with at least one word, at most MAX_QUERY_LENGTH characters long. */
export function words(name: string, description: string) {
  const blank = `${name} is blank: give at least one word`;
  return z
    .string({ error: (issue) => `${name} must be text; got ${issue.input === undefined ? "nothing" : typeof issue.input}` })
    .min(1, { error: blank })
    .refine((value) => value.trim() !== "", { error: blank })
    .max(MAX_QUERY_LENGTH, { error: (issue) => `${name} must be at most ${MAX_QUERY_LENGTH} characters long; got ${(issue.input as string).length}` })
    .describe(description);
}

/** A whole number from `min` to `max`; `fallback` when left out. */
export function wholeNumber(name: string, min: number, max: number, fallback: number, description: string) {
  const message = (issue: { input?: unknown }) => `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(issue.input)}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message }).default(fallback).describe(description);
}

/** Tag names: at most MAX_TAGS, each at most MAX_TAG_LENGTH characters long. */
export function tagNames(description: string) {
  const notText = "tags must be a list of tag names (text)";
  return z
    .array(z.string({ error: notText }).max(MAX_TAG_LENGTH, { error: `each tag must be at most ${MAX_TAG_LENGTH} characters long` }), { error: notText })
    .max(MAX_TAGS, { error: (issue) => `tags must have at most ${MAX_TAGS} items; got ${(issue.input as unknown[]).length}` })
    .describe(description);
}

/** One of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, description: string) {
  return z.enum(values, { error: (issue) => `${name} must be ${values.map((v) => JSON.stringify(v)).join(" or ")}; got ${JSON.stringify(issue.input)}` }).describe(description);
}

/** The arguments of a tool: these and no others. */
export function toolArguments<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k.slice(0, 50))).join(", ")}; this tool takes ${known.length > 0 ? known.join(", ") : "no arguments"}`
        : undefined,
  });
}

/** `args` checked by `schema`, defaults filled in; a ToolArgumentError with the first problem otherwise. */
export function parseArguments<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  // An unknown argument is named first: a misspelt name explains the rest.
  const issues = parsed.error.issues;
  throw new ToolArgumentError((issues.find((i) => i.code === "unrecognized_keys") ?? issues[0])!.message);
}

/** The JSON Schema a client is shown, made as the SDK makes it for zod schemas (draft-07, the input side). */
export function argumentsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: "draft-7", io: "input" });
  return json;
}
