// Every error answer of the API has one shape, { statusCode, error, code, message }: the status
// and the code come from the error registry (model/errors.ts) by the error's code, the message
// says what is wrong. Bad input is a 4xx with that message; a failure of ours is a 500 (or 503
// for an unavailable database) whose details go to the log, never to the client (the registry's
// `hidden` text is sent instead).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import { codeOf, CodedError, errorDefinition, ERRORS, type ErrorCode } from "../model/errors.js";
import { BODY_LIMIT } from "./limits.js";

/** An answer other than 200, with its message: thrown by routes, sent by the error handler. */
export class HttpError extends CodedError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  /** The error's code in the registry (model/errors.ts): stable, for programs. */
  code: ErrorCode;
  message: string;
}

/** The body of an error answer: status `statusCode` (by default the code's) and `message`. */
export function errorBody(code: ErrorCode, message: string, statusCode: number = ERRORS[code].status): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? "Error", code, message };
}

/** The code of one of Fastify's own client errors (bad JSON, body too large, media type), by its status. */
const CLIENT_ERROR_CODES: Record<number, ErrorCode> = { 413: "body-too-large", 414: "path-too-long", 415: "unsupported-media-type" };

/** One failed check of a request schema, as Ajv reports it (with `verbose`, so data and schema are there). */
interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
  parentSchema?: Record<string, unknown>;
}

const WHERE: Record<string, string> = { querystring: "query parameter", params: "path parameter", body: "body field", headers: "header" };

/** "limit must be a whole number from 1 to 100; got 500": the first problem, named as the client named it. */
export function schemaMessage(issue: SchemaIssue, context: string | undefined): string {
  const where = WHERE[context ?? ""] ?? "field";
  // "/queries/3" -> "queries[3]"; the parameter of a query-string array ("/tag/0") is just "tag".
  const parts = issue.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const named = context === "querystring" ? parts.slice(0, 1) : parts;
  const name = named.map((p, i) => (i > 0 && /^\d+$/.test(p) ? `[${p}]` : i > 0 ? `.${p}` : p)).join("");
  const subject = name === "" ? (context === "body" ? "the request body" : `the ${context ?? "request"}`) : `${where} ${name}`;
  const p = issue.params;
  const schema = issue.parentSchema ?? {};
  const got = describeValue(issue.data, context);
  switch (issue.keyword) {
    case "required":
      return `${WHERE[context ?? ""] ?? "field"} ${[name, String(p.missingProperty)].filter(Boolean).join(".")} is required`;
    case "additionalProperties":
      return `${subject} has an unknown field "${String(p.additionalProperty)}"`;
    case "type":
      if (p.type === "integer" || (typeof schema.minimum === "number" && typeof schema.maximum === "number")) return `${subject} must be ${range(schema)}; got ${got}`;
      return `${subject} must be ${article(String(p.type))}; got ${got}`;
    case "minimum":
    case "maximum":
      return `${subject} must be ${range(schema)}; got ${got}`;
    case "minLength":
      return p.limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${String(p.limit)} characters long`;
    case "maxLength":
      return `${subject} must be at most ${String(p.limit)} characters long; got ${typeof issue.data === "string" ? [...issue.data].length : "more"}`;
    case "minItems":
      return `${subject} must have at least ${String(p.limit)} item${p.limit === 1 ? "" : "s"}`;
    case "maxItems":
      return `${subject} must have at most ${String(p.limit)} items; got ${Array.isArray(issue.data) ? issue.data.length : "more"}`;
    case "enum":
      return `${subject} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}; got ${got}`;
    default:
      return `${subject} ${issue.message ?? "is not valid"}`;
  }
}

function range(schema: Record<string, unknown>): string {
  const kind = schema.type === "integer" ? "a whole number" : "a number";
  if (typeof schema.minimum === "number" && typeof schema.maximum === "number") return `${kind} from ${schema.minimum} to ${schema.maximum}`;
  if (typeof schema.minimum === "number") return `${kind} of at least ${schema.minimum}`;
  if (typeof schema.maximum === "number") return `${kind} of at most ${schema.maximum}`;
  return kind;
}

function article(type: string): string {
  return { string: "text", array: "a list", object: "an object", boolean: "true or false", number: "a number", integer: "a whole number" }[type] ?? type;
}

/**
 * The offending value, short enough for a message (never the whole of a long string). In a query
 * string a list is a repeated parameter (one value is the value itself); in a JSON body, a list.
 */
function describeValue(value: unknown, context: string | undefined): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value) && context === "body") return "a list";
  if (Array.isArray(value)) return value.length === 1 ? describeValue(value[0], context) : `a list of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/** `methodsAt` names the methods some route answers at a path (none for a path no route has). */
export function installErrorHandlers(app: FastifyInstance, methodsAt: (path: string) => string[]): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const code = codeOf(error);
    if (code !== undefined) {
      const definition = errorDefinition(code);
      if (definition.hidden !== undefined) request.log.error({ err: error }, `request failed: ${code}`);
      const headers = error instanceof HttpError ? error.headers : {};
      return reply.code(definition.status).headers(headers).send(errorBody(code, definition.hidden ?? error.message));
    }
    if (error.validation && error.validation.length > 0) {
      const message = schemaMessage(error.validation[0] as unknown as SchemaIssue, error.validationContext);
      return reply.code(400).send(errorBody("invalid-request", message));
    }
    // Fastify's own client errors (bad JSON, body too large, unsupported media type) carry a
    // status below 500 and a message meant for the client.
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(CLIENT_ERROR_CODES[status] ?? "invalid-request", clientMessage(error), status));
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(errorBody("internal", ERRORS.internal.hidden));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = methodsAt(path);
    if (allowed.length > 0) {
      const allow = allowed.join(", ");
      reply.code(405).header("Allow", allow).send(errorBody("method-not-allowed", `${request.method} is not allowed at ${pathOf(path)}; use ${allow}`));
      return;
    }
    reply.code(404).send(errorBody("not-found", `there is nothing at ${request.method} ${pathOf(path)}; see /api/openapi.json`));
  });
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return `the request body is too large: at most ${BODY_LIMIT} bytes (${BODY_LIMIT / 1024} KiB)`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "send the request body as JSON (Content-Type: application/json)";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the request body is empty; send a JSON object";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "the request body is not valid JSON";
    default:
      // JSON.parse's own SyntaxError (and secure-json-parse's refusal of __proto__) has no code.
      if (error instanceof SyntaxError) return `the request body is not valid JSON: ${error.message}`;
      return error.message || "the request is not valid";
  }
}

/** The path of a URL without its query, cut short: echoed back, so never long. */
function pathOf(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path.length > 100 ? `${path.slice(0, 100)}…` : path;
}
