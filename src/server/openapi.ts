// The OpenAPI description at /api/openapi.json, built from the routes themselves: each API route
// carries its summary and answers in `config.openapi`, and its request schemas (the ones Fastify
// checks) become the parameters and request body, so the description cannot drift from the code.
//
// Why not @fastify/swagger: over the same routes it gives the same parameters and request bodies,
// but reads summaries, tags and answers from route schemas (`schema.response`, which Fastify would
// then serialize with, dropping any field the schema does not name, where answers here are plain
// JSON.stringify); without them each operation has no summary or tags and one "Default Response",
// and repeated query parameters lose style: form, explode: true. Moving the answers into route
// schemas would change the answers themselves, so the description is built here.
import type { FastifyInstance, RouteOptions } from "fastify";
import { components } from "./schemas.js";

/** What a route says about itself for the description. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: "models" | "search" | "index" | "admin";
  /** Status code -> description and (by component name, or a media type -> schema) the body. */
  responses: Record<string, { description: string; schema?: string; content?: Record<string, object> }>;
  security?: boolean;
}

declare module "fastify" {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

interface Collected {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  doc: RouteDoc;
}

/** Start collecting documented routes; call before any route is added. Returns the builder. */
export function collectRoutes(app: FastifyInstance): (info: { version: string }) => object {
  const routes: Collected[] = [];
  app.addHook("onRoute", (route: RouteOptions) => {
    const doc = (route.config as { openapi?: RouteDoc } | undefined)?.openapi;
    if (!doc) return;
    for (const method of [route.method].flat()) {
      if (method === "HEAD") continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown>, doc });
    }
  });
  return ({ version }) => build(routes, version);
}

function build(routes: Collected[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const parameters = [...parametersOf(r.schema.params, "path"), ...parametersOf(r.schema.querystring, "query")];
    const responses: Record<string, object> = {};
    for (const [status, res] of Object.entries(r.doc.responses)) {
      const content = res.content ?? (res.schema ? { "application/json": { schema: ref(res.schema) } } : undefined);
      responses[status] = content ? { description: res.description, content } : { description: res.description };
    }
    const operation: Record<string, unknown> = {
      summary: r.doc.summary,
      ...(r.doc.description ? { description: r.doc.description } : {}),
      tags: [r.doc.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.schema.body ? { requestBody: { required: true, content: { "application/json": { schema: r.schema.body } } } } : {}),
      responses,
      ...(r.doc.security ? { security: [{ bearer: [] }] } : {}),
    };
    (paths[path] ??= {})[r.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "findingmodel",
      version,
      description:
        "Open Imaging Finding Models: look models up by ID, name or synonym, search them, list them. Read-only, except POST /api/sync with a bearer token.",
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The server's FINDINGMODEL_API_TOKEN." } },
    },
  };
}

function ref(name: string): object {
  return name.startsWith("array:") ? { type: "array", items: { $ref: `#/components/schemas/${name.slice(6)}` } } : { $ref: `#/components/schemas/${name}` };
}

function parametersOf(schema: unknown, where: "path" | "query"): object[] {
  const s = schema as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const isArray = rest.type === "array";
    return {
      name,
      in: where,
      required: where === "path" || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
      ...(isArray ? { style: "form", explode: true } : {}),
    };
  });
}
