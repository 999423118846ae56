// The server of the load part: the same app as `serve` (same routes, same logging, to stderr), on
// an index opened without the query cache (every search does its work), with POST /api/sync of
// the load's folder (token from FINDINGMODEL_API_TOKEN), and beside it GET /floor: the bytes of a
// search answer, made once, with the same one log line per request: the least a request costs here.
import Fastify from "fastify";
import { openIndex } from "../index/open-index.js";
import { buildApp } from "../server/app.js";
import { SEARCH_STALE_MS } from "../server/limits.js";
import { OneLinePerRequest } from "../server/request-log.js";

const [db, defsDir] = process.argv.slice(2) as [string, string];
const index = await openIndex({ db, cache: false, staleSearchMs: SEARCH_STALE_MS });
const logger = { level: "info", stream: process.stderr };
const app = await buildApp(index, { logger, defsDir, apiToken: process.env.FINDINGMODEL_API_TOKEN });
// The floor answers what the search route answers for a common query, byte for byte.
const sample = (await app.inject({ method: "GET", url: "/api/search?q=pulmonary%20nodule" })).payload;
// The app is booted once built: the floor is an app of its own, logging as the app does.
const floor = Fastify({ logger, logController: new OneLinePerRequest() });
floor.get("/floor", (_request, reply) => reply.type("application/json; charset=utf-8").send(sample));
const url = await app.listen({ port: 0, host: "127.0.0.1" });
const floorUrl = await floor.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(JSON.stringify({ url, floorUrl }) + "\n");
