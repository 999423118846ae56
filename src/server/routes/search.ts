// Search: one query (GET /api/search) or many at once (POST /api/search/batch). The index does
// the work (exact ID, name or synonym first, then full text); this only checks the limits.
import type { FastifyInstance } from "fastify";
import type { FindingModelIndex } from "../../index/finding-model-index.js";
import { HttpError } from "../errors.js";
import { JSON_TYPE, jsonEndingWithEntries } from "../public-entry.js";
import { batchBody, searchQuerystring } from "../schemas.js";

// Answers are put together from each entry's JSON, made once (public-entry.ts): the bytes JSON.stringify would give.
const badRequest = { "400": { description: "The request is not valid (blank or too long query, limit out of range, ...); the message says why.", schema: "Error" } };

export async function searchRoutes(app: FastifyInstance, { index }: { index: FindingModelIndex }): Promise<void> {
  app.get<{ Querystring: { q: string; limit: number; tag?: string[]; mode?: "lexical" | "hybrid" } }>(
    "/api/search",
    {
      schema: { querystring: searchQuerystring },
      config: {
        openapi: {
          tag: "search",
          summary: "Search models: exact ID, name or synonym first, then full text",
          description: "Case-insensitive; plural and singular match; the last word also matches as a prefix (search as you type). Repeat `tag` to require several tags.",
          responses: { "200": { description: "The results, best first.", schema: "SearchResult" }, ...badRequest },
        },
      },
    },
    async (request, reply) => {
      const { q, limit, tag, mode } = request.query;
      const answer = await index.searchAnswer(q, { limit, tags: tag, mode });
      const fields = { query: q, limit, ...(tag && tag.length > 0 ? { tags: tag } : {}), mode: answer.mode, ...(answer.note ? { note: answer.note } : {}) };
      return reply.type(JSON_TYPE).send(jsonEndingWithEntries(fields, "results", answer.results));
    },
  );

  app.post<{ Body: { queries: string[]; limit: number; tags?: string[] } }>(
    "/api/search/batch",
    {
      schema: { body: batchBody },
      config: {
        openapi: {
          tag: "search",
          summary: "Many searches in one request",
          description: "Body: {\"queries\": [...], \"limit\": 10, \"tags\": [...]}. Answers come back in the order asked, one per query.",
          responses: {
            "200": { description: "One result per query.", schema: "BatchResult" },
            ...badRequest,
            "413": { description: "The body is over 64 KiB.", schema: "Error" },
          },
        },
      },
    },
    async (request, reply) => {
      const { queries, limit, tags } = request.body;
      queries.forEach((q, i) => {
        if (q.trim() === "") throw new HttpError("invalid-request", `body field queries[${i}] is blank: give at least one word to search for`);
      });
      const found = await index.searchBatch(queries, { limit, tags });
      const answers = queries.map((q) => jsonEndingWithEntries({ query: q, limit, ...(tags && tags.length > 0 ? { tags } : {}) }, "results", found.get(q.trim()) ?? []));
      return reply.type(JSON_TYPE).send(`{"results":[${answers.join(",")}]}`);
    },
  );
}
