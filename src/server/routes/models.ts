// One model: its index entry, the whole model, its Markdown; and the list of models, a page at a
// time. Model answers carry an ETag and Cache-Control; a matching If-None-Match gets a 304.
import type { FastifyInstance } from "fastify";
import type { FindingModelIndex } from "../../index/finding-model-index.js";
import { toMarkdown } from "../../model/markdown.js";
import type { IndexEntry } from "../../store/store.js";
import { HttpError } from "../errors.js";
import { etagOf, sendCached } from "../http-cache.js";
import { JSON_TYPE, publicEntry, publicEntryJson } from "../public-entry.js";
import { idOrNameParams, idParams, listQuerystring } from "../schemas.js";

/** The ETag of an entry's answer (publicEntryJson's bytes), made once per entry object, as they are. */
const entryEtags = new WeakMap<IndexEntry, string>();
const notFound = { "404": { description: "No model has this ID, name or synonym.", schema: "Error" } };
const badRequest = { "400": { description: "The request is not valid; the message says why.", schema: "Error" } };
const notModified = { "304": { description: "The client's copy (If-None-Match) is current." } };

export async function modelRoutes(app: FastifyInstance, { index }: { index: FindingModelIndex }): Promise<void> {
  async function entryOf(key: string): Promise<IndexEntry> {
    const entry = await index.get(key);
    if (!entry) throw new HttpError("not-found", `no model has the ID, name or synonym "${shorten(key)}"`);
    return entry;
  }

  app.get<{ Params: { idOrName: string } }>(
    "/api/models/:idOrName",
    {
      schema: { params: idOrNameParams },
      config: {
        openapi: {
          tag: "models",
          summary: "A model's index entry, by ID, name or synonym",
          responses: { "200": { description: "The entry.", schema: "IndexEntry" }, ...notModified, ...badRequest, ...notFound },
        },
      },
    },
    async (request, reply) => {
      const entry = await entryOf(request.params.idOrName);
      const body = publicEntryJson(entry);
      let etag = entryEtags.get(entry);
      if (etag === undefined) entryEtags.set(entry, (etag = etagOf(body)));
      return sendCached(request, reply, body, JSON_TYPE, undefined, etag);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/models/:id/full",
    {
      schema: { params: idParams },
      config: {
        openapi: {
          tag: "models",
          summary: "The whole model: attributes with their values and codes, contributors",
          responses: { "200": { description: "The model, as its file holds it.", schema: "FindingModel" }, ...notModified, ...badRequest, ...notFound },
        },
      },
    },
    async (request, reply) => {
      const entry = await entryOf(request.params.id);
      const model = await index.getFull(entry.oifm_id);
      if (!model) throw new HttpError("not-found", `no model has the ID "${shorten(entry.oifm_id)}"`);
      return sendCached(request, reply, JSON.stringify(model), JSON_TYPE);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/models/:id/markdown",
    {
      schema: { params: idParams },
      config: {
        openapi: {
          tag: "models",
          summary: "The model as Markdown, exactly as the registry renders it",
          responses: {
            "200": { description: "The Markdown text.", content: { "text/markdown": { schema: { type: "string" } } } },
            ...notModified,
            ...badRequest,
            ...notFound,
          },
        },
      },
    },
    async (request, reply) => {
      const entry = await entryOf(request.params.id);
      const model = await index.getFull(entry.oifm_id);
      if (!model) throw new HttpError("not-found", `no model has the ID "${shorten(entry.oifm_id)}"`);
      return sendCached(request, reply, toMarkdown(model) + "\n", "text/markdown; charset=utf-8");
    },
  );

  app.get<{ Querystring: { limit: number; offset: number } }>(
    "/api/models",
    {
      schema: { querystring: listQuerystring },
      config: {
        openapi: {
          tag: "models",
          summary: "Models ordered by name, a page at a time, with the total",
          responses: { "200": { description: "One page.", schema: "Page" }, ...badRequest },
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await index.list({ limit, offset });
      return { items: page.items.map(publicEntry), total: page.total, limit, offset };
    },
  );
}

/** A key echoed in a message, cut short. */
export function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
