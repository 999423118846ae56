// JSON bodies are checked without coercion. Fastify's validator coerces types (right for query
// strings, where everything arrives as text), which would turn {"queries": [5]} into ["5"] and
// {"limit": "10"} into 10. This preValidation hook runs first and refuses a JSON value of the
// wrong type, with the same kind of message as every other 400.
import type { FastifyRequest, preValidationHookHandler } from "fastify";
import { HttpError } from "./errors.js";

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  minimum?: number;
  maximum?: number;
}

/** A preValidation hook that refuses JSON values whose type differs from `schema`'s. */
export function strictJsonTypes(schema: Schema): preValidationHookHandler {
  return (request: FastifyRequest, _reply, done) => {
    const problem = check(request.body, schema, "");
    done(problem ? new HttpError("invalid-request", problem) : undefined);
  };
}

function check(value: unknown, schema: Schema, name: string): string | undefined {
  if (value === undefined) return undefined; // absent fields are the schema's business (required, default)
  if (schema.type && !hasType(value, schema.type)) {
    const subject = name === "" ? "the request body" : `body field ${name}`;
    return `${subject} must be ${expected(schema)}; got ${describe(value)}`;
  }
  if (schema.type === "object" && schema.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const problem = check((value as Record<string, unknown>)[key], sub, name === "" ? key : `${name}.${key}`);
      if (problem) return problem;
    }
  }
  if (schema.type === "array" && schema.items) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const problem = check(items[i], schema.items, `${name}[${i}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      return true;
  }
}

function expected(schema: Schema): string {
  if (schema.type === "integer" && schema.minimum !== undefined && schema.maximum !== undefined) return `a whole number from ${schema.minimum} to ${schema.maximum}`;
  return { string: "text", array: "a list", object: "an object", boolean: "true or false", number: "a number", integer: "a whole number" }[schema.type ?? ""] ?? String(schema.type);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}
