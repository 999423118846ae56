// Whole-number query parameters (limit, offset) are decimal digits and nothing else. Fastify's
// validator coerces query text to numbers the way JavaScript's Number() does, which would take
// "0x10" as 16, "1e1" as 10, " 10" as 10 and "Infinity" as a number the schema's range check lets
// reach the index. This hook runs before it and refuses any other text, naming the route's range.
import type { FastifyInstance, preValidationHookHandler } from "fastify";
import { HttpError } from "./errors.js";

interface IntegerSchema {
  type?: unknown;
  minimum?: number;
  maximum?: number;
}

const DECIMAL = /^[0-9]+$/;

/** Adds the check to every route registered after it whose query string schema has integer parameters. */
export function decimalQueryIntegers(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const properties = (route.schema?.querystring as { properties?: Record<string, IntegerSchema> } | undefined)?.properties ?? {};
    const integers = Object.entries(properties).filter(([, schema]) => schema.type === "integer");
    if (integers.length === 0) return;
    const check: preValidationHookHandler = (request, _reply, done) => {
      const query = request.query as Record<string, unknown>;
      for (const [name, schema] of integers) {
        const value = query[name];
        if (typeof value === "string" && !DECIMAL.test(value)) {
          const range = schema.minimum !== undefined && schema.maximum !== undefined ? ` from ${schema.minimum} to ${schema.maximum}` : "";
          const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
          done(new HttpError("invalid-request", `query parameter ${name} must be a whole number${range}, in decimal digits; got ${JSON.stringify(shown)}`));
          return;
        }
      }
      done();
    };
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [check] : [check, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
