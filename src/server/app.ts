// The HTTP server of an index: a Fastify instance answering the JSON API, its OpenAPI description
// and the web page. Thin: every answer comes from FindingModelIndex. Built without listening, so
// tests use app.inject(); serve.ts listens and shuts down gracefully.
import { createRequire } from "node:module";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { collectMethods } from "./allowed-methods.js";
import { errorBody, installErrorHandlers } from "./errors.js";
import { BODY_LIMIT, MAX_QUERY_LENGTH } from "./limits.js";
import { collectRoutes } from "./openapi.js";
import { decimalQueryIntegers } from "./decimal-query.js";
import { checkQueryEncoding } from "./query-encoding.js";
import { useRequestValidators } from "./validators.js";
import { OneLinePerRequest } from "./request-log.js";
import { listingRoutes } from "./routes/listings.js";
import { modelRoutes } from "./routes/models.js";
import { searchRoutes } from "./routes/search.js";
import { syncRoute, type SyncRouteOptions } from "./routes/sync.js";
import { webRoutes } from "./routes/web.js";

export interface AppOptions extends SyncRouteOptions {
  /** Fastify's logger: false (default) for none, true or pino options for JSON lines. */
  logger?: FastifyServerOptions["logger"];
  /** Serve the web page at / (default true). */
  web?: boolean;
}

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export async function buildApp(index: FindingModelIndex, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // A model's name in the path may be as long as a query; beyond the router's limit a 414, below
    // it (up to 3 times the limit) the schema's 400 saying how long it was.
    routerOptions: { maxParamLength: MAX_QUERY_LENGTH * 3 },
    // Stop a client that dawdles; answers here take milliseconds.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    logController: new OneLinePerRequest(),
    // A URL the router refuses before any route sees it gets the same error shape as the rest,
    // without the URL echoed back.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      // (Refused before the onRequest hook below, which says this of every other answer.)
      reply.header("X-Content-Type-Options", "nosniff");
      if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
        void reply.code(414).send(errorBody("path-too-long", `a path segment is too long: an ID, name or synonym is at most ${MAX_QUERY_LENGTH} characters`));
      } else {
        const message = error.code === "FST_ERR_BAD_URL" ? "the URL is not valid: it has a bad percent-encoding (%XX)" : "the URL is not valid";
        void reply.code(400).send(errorBody("invalid-request", message));
      }
    },
  });

  // One hook before every route (an onSend hook too would cost every request a second hook run):
  // every answer, errors included, says not to sniff its type; a query parameter that does not
  // decode is a 400 before any route sees it.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("X-Content-Type-Options", "nosniff");
    try {
      checkQueryEncoding(request.url);
      done();
    } catch (e) {
      done(e as Error);
    }
  });

  // Bodies are JSON only: without this, text/plain would reach the routes as a string.
  app.removeContentTypeParser("text/plain");

  useRequestValidators(app);
  decimalQueryIntegers(app);
  const methodsAt = collectMethods(app);
  installErrorHandlers(app, methodsAt);
  const describe = collectRoutes(app);

  // Each group of routes is a plugin; the hooks, error handlers and validators above are the
  // root's, so every plugin inherits them.
  await app.register(modelRoutes, { index });
  await app.register(searchRoutes, { index });
  await app.register(listingRoutes, { index });
  const { logger: _logger, web: _web, ...syncOptions } = options;
  await app.register(syncRoute, { ...syncOptions, index });
  if (options.web ?? true) await app.register(webRoutes);

  let openapi: string | undefined;
  app.get("/api/openapi.json", (_request, reply) => {
    openapi ??= JSON.stringify(describe({ version }));
    return reply.type("application/json; charset=utf-8").send(openapi);
  });

  await app.ready();
  return app;
}
