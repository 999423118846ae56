// Concurrency: during a sync that changes every model, 3 reader processes and a served HTTP
// endpoint look models up and search the whole time: no errors, no SQLITE_BUSY, every answer from
// the state before or after the sync. Then two syncs of different folders into one index at once
// end with the index holding exactly one of the two.
import { spawn } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { classify } from "./open-defects.js";
import { indexArgs, mustRun, startCli, stateOf, type PartResult, type SuiteOptions, type Where } from "./workspace.js";

const READER = fileURLToPath(new URL("./reader.js", import.meta.url));

function descriptions(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".fm.json"))) {
    const m = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { oifm_id: string; description: string };
    out[m.oifm_id] = m.description;
  }
  return out;
}

export async function concurrencyPart(opts: SuiteOptions, folders: { before: string; after: string }): Promise<PartResult[]> {
  const dir = path.join(opts.work, "concurrency");
  const db = path.join(dir, "index.db");
  const where: Where = { engine: "sqlite", db };
  // Every model changed: the sync writes as many models as the index holds.
  const changed = path.join(dir, "changed");
  cpSync(folders.before, changed, { recursive: true });
  for (const f of readdirSync(changed)) {
    const file = path.join(changed, f);
    const m = JSON.parse(readFileSync(file, "utf8")) as { description: string };
    m.description = `${m.description} (changed for the concurrency run)`;
    writeFileSync(file, JSON.stringify(m, null, 2) + "\n");
  }
  await mustRun(["sync", folders.before, ...indexArgs(where), "--json"]);
  const before = descriptions(folders.before);
  const after = descriptions(changed);
  const ids = Object.keys(before);
  const queries = [...new Set(Object.values(before).flatMap((d) => d.split(/\W+/).filter((w) => w.length > 3)))].slice(0, 500);
  const stopFile = path.join(dir, "stop");
  const workFile = path.join(dir, "work.json");
  writeFileSync(workFile, JSON.stringify({ db, stopFile, ids, before, after, queries }));

  const found: string[] = [];
  const readers = [0, 1, 2].map(() => {
    const child = spawn(process.execPath, [READER, workFile], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    return new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => child.on("close", (code) => resolve({ stdout, stderr, code })));
  });
  // A served endpoint, looked up and searched over HTTP meanwhile.
  const server = startCli(["serve", ...indexArgs(where), "--port", "0", "--json", "--log-level", "warn"]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve did not start")), 60_000);
    server.child.stdout!.on("data", (d: Buffer) => {
      const m = /"url":\s*"([^"]+)"/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  let stop = false;
  const http = { requests: 0, errors: 0, mixed: 0, samples: [] as string[] };
  const httpLoop = (async () => {
    for (let i = 0; !stop; i++) {
      const id = ids[i % ids.length]!;
      try {
        const r = await fetch(`${url}/api/models/${id}`);
        const body = (await r.json()) as { description?: string; error?: unknown };
        http.requests++;
        if (r.status !== 200) {
          http.errors++;
          if (http.samples.length < 5) http.samples.push(`GET /api/models/${id}: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
        } else if (body.description !== before[id] && body.description !== after[id]) http.mixed++;
        const s = await fetch(`${url}/api/search?q=${encodeURIComponent(queries[i % queries.length]!)}`);
        await s.arrayBuffer();
        http.requests++;
        if (s.status !== 200) http.errors++;
      } catch (e) {
        http.errors++;
        if (http.samples.length < 5) http.samples.push(String(e).slice(0, 200));
      }
    }
  })();

  const sync = await mustRun(["sync", changed, ...indexArgs(where), "--json"]).catch((e: unknown) => (found.push(`the sync failed: ${String(e)}`), undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  writeFileSync(stopFile, "");
  stop = true;
  await httpLoop;
  server.child.kill("SIGTERM");
  await server.done;
  const totals = { lookups: 0, searches: 0, errors: 0, busy: 0, mixed: 0, missing: 0 };
  for (const [i, r] of (await Promise.all(readers)).entries()) {
    if (r.code !== 0) {
      found.push(`reader ${i + 1} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
      continue;
    }
    const out = JSON.parse(r.stdout) as typeof totals & { samples: string[] };
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += out[k];
    for (const s of out.samples) found.push(`reader ${i + 1}: ${s}`);
  }
  if (totals.errors + totals.mixed + totals.missing > 0) found.push(`readers: ${totals.errors} errors (${totals.busy} SQLITE_BUSY), ${totals.mixed} answers of neither state, ${totals.missing} models missing`);
  if (http.errors + http.mixed > 0) found.push(`HTTP: ${http.errors} errors, ${http.mixed} answers of neither state; ${http.samples.join("; ")}`);
  const result: PartResult = {
    part: "concurrency",
    name: `3 readers and an HTTP endpoint during a sync of ${ids.length} changed models`,
    trials: 1,
    ...classify(found),
    figures: { "sync ms": Math.round(sync?.ms ?? 0), ...totals, "http requests": http.requests, "http errors": http.errors },
  };
  opts.log(`concurrency: readers ${JSON.stringify(totals)}, http ${http.requests} requests`);

  // Two syncs of different folders into one index at once.
  const two: string[] = [];
  const outcomes: Record<string, number> = {};
  for (let t = 1; t <= opts.trials; t++) {
    await mustRun(["sync", folders.before, ...indexArgs(where), "--json"]);
    const [a, b] = await Promise.all([startCli(["sync", folders.after, ...indexArgs(where), "--json"]).done, startCli(["sync", changed, ...indexArgs(where), "--json"]).done]);
    for (const [name, exit] of [["after", a], ["changed", b]] as const) {
      if (exit.code !== 0 && !/changed during this sync/.test(exit.stderr)) two.push(`trial ${t}: the sync of ${name} exited ${exit.code}: ${exit.stderr.slice(0, 300)}`);
    }
    const state = await stateOf(where, { after: folders.after, changed });
    for (const p of state.problems) two.push(`trial ${t}: index check: ${p}`);
    if (state.holds === undefined) two.push(`trial ${t}: the index holds neither folder`);
    outcomes[state.holds ?? "neither"] = (outcomes[state.holds ?? "neither"] ?? 0) + 1;
  }
  opts.log(`concurrency: two syncs at once: ${opts.trials} trials, ${two.length} findings`);
  return [result, { part: "concurrency", name: "two syncs of different folders into one index at once", trials: opts.trials, ...classify(two), figures: outcomes }];
}
