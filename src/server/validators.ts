// How request schemas are checked: Fastify's validator compiler with one Ajv per part of the
// request (the way Fastify's documentation sets coercion per part). Query strings and paths
// arrive as text, so their values are coerced to the schema's types ("10" -> 10; one `tag=` ->
// ["CT"]); a JSON body is checked as sent, so {"limit": "10"} or {"queries": [5]} is a 400 naming
// the field, not a request quietly changed. Unknown fields are errors in every part
// (additionalProperties: false in schemas.ts), never dropped.
import { Ajv, type Options } from "ajv";
import type { FastifyInstance } from "fastify";

const COMMON: Options = {
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  // Errors carry the value and schema they failed on, so that messages (errors.ts) can quote both.
  verbose: true,
};

const TEXT_PARTS = new Ajv({ ...COMMON, coerceTypes: "array" });
const JSON_BODY = new Ajv({ ...COMMON, coerceTypes: false });

/** Check each route's schemas with the Ajv of its part; call before any route is added. */
export function useRequestValidators(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? JSON_BODY : TEXT_PARTS).compile(schema));
}
