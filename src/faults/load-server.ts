// The server of the load part: the same app as `serve` (same routes, same logging, to stderr, the
// same warm-up before listening), on an index opened without the query cache (every search does
// its work), with POST /api/sync of the load's folder (token from FINDINGMODEL_API_TOKEN), and
// beside it GET /floor: the bytes of a search answer, made once, with the same one log line per
// request: the least a request costs here.
// With LOAD_WORKERS=N (N > 1), N processes as `serve --workers N` runs them (server/workers.ts),
// the floor too, on two ports the primary picks.
import Fastify from "fastify";
import cluster from "node:cluster";
import { createServer } from "node:net";
import { openIndex } from "../index/open-index.js";
import { buildApp } from "../server/app.js";
import { SEARCH_STALE_MS } from "../server/limits.js";
import { OneLinePerRequest } from "../server/request-log.js";
import { warmUp } from "../server/warm-up.js";
import { joinPrimary, reportSynced, runWorkers } from "../server/workers.js";

interface Where {
  url: string;
  floorUrl: string;
}

const [db, defsDir] = process.argv.slice(2) as [string, string];
const workers = Number(process.env.LOAD_WORKERS ?? "1");

if (workers > 1 && cluster.isPrimary) {
  // Workers that listen on port 0 would all get one port, the floor's and the app's alike.
  process.env.LOAD_PORTS = `${await freePort()},${await freePort()}`;
  process.exitCode = await runWorkers<Where>(workers, (where) => process.stdout.write(JSON.stringify(where) + "\n"));
} else {
  const [port, floorPort] = (process.env.LOAD_PORTS ?? "0,0").split(",").map(Number) as [number, number];
  const index = await openIndex({ db, cache: false, staleSearchMs: SEARCH_STALE_MS });
  const logger = { level: "info", stream: process.stderr };
  const app = await buildApp(index, { logger, defsDir, apiToken: process.env.FINDINGMODEL_API_TOKEN, onSynced: cluster.isWorker ? reportSynced : undefined });
  // As serve does before it listens.
  await warmUp(index);
  // The floor answers what the search route answers for a common query, byte for byte.
  const sample = (await app.inject({ method: "GET", url: "/api/search?q=pulmonary%20nodule" })).payload;
  // The app is booted once built: the floor is an app of its own, logging as the app does.
  const floor = Fastify({ logger, logController: new OneLinePerRequest() });
  floor.get("/floor", (_request, reply) => reply.type("application/json; charset=utf-8").send(sample));
  const where = { url: await app.listen({ port, host: "127.0.0.1" }), floorUrl: await floor.listen({ port: floorPort, host: "127.0.0.1" }) };
  if (cluster.isWorker) {
    // (No requests in flight to finish here: the load has ended when it is stopped.)
    const stop = () => process.exit(0);
    joinPrimary<Where>(where, { stop, look: () => void index.lookNow().catch(() => undefined) });
  } else process.stdout.write(JSON.stringify(where) + "\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}
