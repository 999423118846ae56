// The server of the load part: the same app as `serve` (same routes, same logging, to stderr), on
// an index opened without the query cache (every search does its work), with POST /api/sync of
// the load's folder (token from FINDINGMODEL_API_TOKEN), and beside it GET /floor: a fixed JSON of
// a search answer (the same JSON), the least a request can cost here.
import Fastify from "fastify";
import { openIndex } from "../index/open-index.js";
import { buildApp } from "../server/app.js";
import { SEARCH_STALE_MS } from "../server/limits.js";

const [db, defsDir] = process.argv.slice(2) as [string, string];
const index = await openIndex({ db, cache: false, staleSearchMs: SEARCH_STALE_MS });
const app = await buildApp(index, { logger: { level: "info", stream: process.stderr }, defsDir, apiToken: process.env.FINDINGMODEL_API_TOKEN });
// The floor answers what the search route answers for a common query, byte for byte.
const sample: unknown = (await app.inject({ method: "GET", url: "/api/search?q=pulmonary%20nodule" })).json();
// The app is booted once built: the floor is an app of its own, with the same logger (Fastify's own
// request lines, to the same stream).
const floor = Fastify({ logger: { level: "info", stream: process.stderr } });
floor.get("/floor", async () => sample);
const url = await app.listen({ port: 0, host: "127.0.0.1" });
const floorUrl = await floor.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(JSON.stringify({ url, floorUrl }) + "\n");
