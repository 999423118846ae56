// Load: autocannon against the app of `serve` on the registry (fixtures/registry): varied search
// queries with the query cache off, model lookups, and both while syncs run (CLI syncs in another
// process, then the server's own POST /api/sync); beside the floor, a route of the same app
// returning a fixed JSON of a search answer's size.
import autocannon from "autocannon";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import { randomBytes } from "node:crypto";
import { mustRun, runCli, type PartResult, type SuiteOptions } from "./workspace.js";

const SERVER = fileURLToPath(new URL("./load-server.js", import.meta.url));
const REGISTRY = fileURLToPath(new URL("../../fixtures/registry/defs/", import.meta.url));

interface Figures {
  "req/s": number;
  "p50 ms": number;
  "p99 ms": number;
  errors: number;
  "non-2xx": number;
}

async function cannon(url: string, paths: readonly string[], seconds: number, connections: number): Promise<Figures> {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  return { "req/s": Math.round(result.requests.average), "p50 ms": result.latency.p50, "p99 ms": result.latency.p99, errors: result.errors + result.timeouts, "non-2xx": result.non2xx };
}

const CHANGE_MODELS = fileURLToPath(new URL("./change-models.js", import.meta.url));

/**
 * Every model of `defs` changed, by a process of its own: rewriting thousands of files here would
 * stop autocannon, on this thread, and count as the server's latency. The process runs at the
 * lowest CPU priority: it stands for an editor or `git pull`, not for work the measured server or
 * sync does, and on a 2-core machine its JSON rewriting would otherwise take a core from them.
 */
async function changeEveryModel(defs: string): Promise<void> {
  const child = spawn(process.execPath, [CHANGE_MODELS, defs], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    if (child.pid !== undefined) setPriority(child.pid, 19);
  } catch {
    // Not allowed here: it runs at the suite's priority.
  }
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`changing the models of ${defs} failed (exit ${code}): ${stderr.slice(0, 300)}`);
}

export async function loadPart(opts: SuiteOptions): Promise<PartResult[]> {
  const seconds = opts.seconds ?? (opts.short ? 2 : 20);
  const connections = opts.short ? 10 : 50;
  const dir = path.join(opts.work, "load");
  const db = path.join(dir, "registry.db");
  const defs = path.join(dir, "defs");
  cpSync(REGISTRY, defs, { recursive: true });
  await mustRun(["sync", defs, "--db", db, "--json"]);
  const models = readdirSync(defs).map((f) => JSON.parse(readFileSync(path.join(defs, f), "utf8")) as { oifm_id: string; name: string; description: string });
  // Varied queries: two words of a description, never the same twice in a row.
  const words = models.flatMap((m) => m.description.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 3));
  const queries = Array.from({ length: 5000 }, (_, n) => `${words[(n * 7919) % words.length]} ${words[(n * 104729 + 13) % words.length]}`);
  const searchPaths = queries.map((q) => `/api/search?q=${encodeURIComponent(q)}`);
  const modelPaths = models.map((m) => `/api/models/${m.oifm_id}`);

  const token = randomBytes(24).toString("hex");
  const server = spawn(process.execPath, [SERVER, db, defs], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, FINDINGMODEL_API_TOKEN: token, LOAD_WORKERS: String(opts.workers ?? 1) } });
  const { url, floorUrl } = await new Promise<{ url: string; floorUrl: string }>((resolve, reject) => {
    server.on("exit", (code) => reject(new Error(`the load server exited ${code}`)));
    server.stdout.on("data", (d: Buffer) => resolve(JSON.parse(d.toString()) as { url: string; floorUrl: string }));
  });
  const runs: Record<string, Figures> = {};
  const found: string[] = [];
  try {
    runs["floor: fixed JSON"] = await cannon(floorUrl, ["/floor"], seconds, connections);
    // The server has read its search data and done the routes' work a few hundred times before it
    // listens (server/warm-up.ts, as serve does); its first seconds of answering searches are
    // still reported apart from the runs after them.
    runs["/api/search, varied, uncached, first seconds after the start"] = await cannon(url, searchPaths, seconds, connections);
    runs["/api/search, varied, uncached"] = await cannon(url, searchPaths, seconds, connections);
    // (The short run leaves out the unloaded lookups and the searches during syncs.)
    if (!opts.short) runs["/api/models/:id"] = await cannon(url, modelPaths, seconds, connections);
    // The same while syncs of the registry run one after another, each changing every model: in
    // another process (the CLI), then through the server's own POST /api/sync.
    const cliSync = async () => {
      const exit = await runCli(["sync", defs, "--db", db, "--json"]);
      if (exit.code !== 0) found.push(`a CLI sync during the load exited ${exit.code}: ${exit.stderr.slice(0, 200)}`);
    };
    const apiSync = async () => {
      const res = await fetch(`${url}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      if (res.status !== 200) found.push(`a POST /api/sync during the load answered ${res.status}: ${body.slice(0, 200)}`);
    };
    // Each run during syncs: [name, URL, paths]. The floor is measured during the same syncs: what
    // a request costs at the least while a sync takes its share of the machine's cores.
    const floorRun: [string, string, readonly string[]] = ["floor: fixed JSON", floorUrl, ["/floor"]];
    const searchRun: [string, string, readonly string[]] = ["/api/search, varied, uncached", url, searchPaths];
    const modelRun: [string, string, readonly string[]] = ["/api/models/:id", url, modelPaths];
    const during = async (what: string, sync: () => Promise<void>, loaded: Array<[string, string, readonly string[]]>) => {
      let syncing = true;
      let syncs = 0;
      const syncLoop = (async () => {
        while (syncing) {
          await changeEveryModel(defs);
          await sync();
          syncs++;
        }
      })();
      for (const [name, at, paths] of loaded) runs[`${name}, during ${what}`] = await cannon(at, paths, seconds, connections);
      syncing = false;
      await syncLoop;
      opts.log(`load: ${syncs} ${what} of ${models.length} changed models ran during the loaded runs`);
    };
    // (The short run leaves out the floors and searches during CLI syncs and the floor and lookups
    // during POST /api/sync.)
    await during("CLI syncs", cliSync, opts.short ? [modelRun] : [floorRun, searchRun, modelRun]);
    await during("POST /api/sync", apiSync, opts.short ? [searchRun] : [floorRun, searchRun, modelRun]);
  } finally {
    server.kill("SIGTERM");
  }
  const results: PartResult[] = [];
  for (const [name, f] of Object.entries(runs)) {
    const failures = f.errors + f["non-2xx"] > 0 ? [`${f.errors} errors, ${f["non-2xx"]} non-2xx answers`] : [];
    results.push({ part: "load", name: `${name} (${connections} connections, ${seconds} s)`, trials: 1, failures, open: [], figures: { ...f } });
    opts.log(`load: ${name}: ${JSON.stringify(f)}`);
  }
  if (found.length > 0) results.push({ part: "load", name: "syncs during the load", trials: 1, failures: found, open: [] });
  return results;
}
