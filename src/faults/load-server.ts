// The server of the load part: the same app as `serve` (same routes, same logging, to stderr), on
// an index opened without the query cache (every search does its work), and beside it GET /floor:
// a fixed JSON of the size of a search answer, the least a request can cost here.
import Fastify from "fastify";
import { openIndex } from "../index/open-index.js";
import { buildApp } from "../server/app.js";

const index = await openIndex({ db: process.argv[2]!, readonly: true, cache: false });
const app = await buildApp(index, { logger: { level: "info", stream: process.stderr } });
const sample = { query: "pulmonary nodule", limit: 10, results: (await index.search("pulmonary nodule", { limit: 10 })).map((e) => ({ oifm_id: e.oifm_id, name: e.name, description: e.description, synonyms: e.synonyms, tags: e.tags })) };
// The app is booted once built: the floor is an app of its own, with the same logger (Fastify's own
// request lines, to the same stream).
const floor = Fastify({ logger: { level: "info", stream: process.stderr } });
floor.get("/floor", async () => sample);
const url = await app.listen({ port: 0, host: "127.0.0.1" });
const floorUrl = await floor.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(JSON.stringify({ url, floorUrl }) + "\n");
