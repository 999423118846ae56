// Listings of the whole index (tags, people, organizations, counts) and the health check.
import type { FastifyInstance } from "fastify";
import type { FindingModelIndex } from "../../index/finding-model-index.js";
import { codeOf } from "../../model/errors.js";
import { errorBody } from "../errors.js";

export async function listingRoutes(app: FastifyInstance, { index }: { index: FindingModelIndex }): Promise<void> {
  app.get(
    "/api/tags",
    { config: { openapi: { tag: "index", summary: "Every tag with the number of models carrying it, most used first", responses: { "200": { description: "The tags.", schema: "array:Tag" } } } } },
    () => index.tags(),
  );

  app.get(
    "/api/people",
    { config: { openapi: { tag: "index", summary: "People who contributed models", responses: { "200": { description: "The people.", schema: "array:Person" } } } } },
    () => index.people(),
  );

  app.get(
    "/api/organizations",
    { config: { openapi: { tag: "index", summary: "Organizations that contributed models", responses: { "200": { description: "The organizations.", schema: "array:Organization" } } } } },
    () => index.organizations(),
  );

  app.get(
    "/api/stats",
    { config: { openapi: { tag: "index", summary: "Counts of models, people and organizations; the database engine, size and schema version", responses: { "200": { description: "The counts.", schema: "Stats" } } } } },
    async () => {
      // Where the database is (a file path, a server address) is the operator's business, not the client's.
      const { location: _location, ...stats } = await index.stats();
      return { ...stats, searchModes: index.searchModes() };
    },
  );

  app.get(
    "/healthz",
    {
      config: {
        openapi: {
          tag: "admin",
          summary: "Whether the server can read its index",
          responses: { "200": { description: "It can.", schema: "Health" }, "503": { description: "It cannot (the database is unreachable or damaged).", schema: "Health" } },
        },
      },
    },
    async (request, reply) => {
      try {
        const stats = await index.stats();
        return { status: "ok", models: stats.models };
      } catch (e) {
        request.log.error({ err: e }, "health check failed");
        return reply.code(503).send({ status: "unavailable", ...errorBody(codeOf(e) ?? "internal", "the index cannot be read", 503) });
      }
    },
  );
}
