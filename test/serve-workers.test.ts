// `serve --workers 2` (compiled, in a child process) on a copy of the registry: two processes
// answer on one port, each from its own search data; a model changed and synced through
// POST /api/sync (answered by one of them) is found by every worker within the documented bound
// (a second, docs/http.md); SIGTERM to the command stops every worker and it exits 0.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { CLI, runCli } from "./cli-run.js";
import { DEFS } from "./corpus.js";
import { buildIfStale } from "./dist.js";

buildIfStale();

const TOKEN = "test-token-0123456789abcdef";
const WORD = "zebraquux";
const work = mkdtempSync(path.join(tmpdir(), "fm-serve-workers-"));
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/** GET on a connection of its own, so that the primary hands each request to the next worker. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

it("two workers answer on one port, and a POST /api/sync in one is seen by both", async () => {
  const defs = path.join(work, "defs");
  cpSync(DEFS, defs, { recursive: true });
  const db = path.join(work, "registry.db");
  const first = await runCli(["sync", defs, "--db", db, "--json"]);
  expect(first.code, first.stderr).toBe(0);

  server = spawn(process.execPath, [CLI, "serve", "--db", db, "--defs", defs, "--port", "0", "--json", "--workers", "2"], {
    env: { ...process.env, FINDINGMODEL_API_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => server!.once("exit", resolve));
  const started = await new Promise<{ url: string; workers: number }>((resolve, reject) => {
    server!.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    server!.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString()) as { url: string; workers: number }));
  });
  expect(started.workers).toBe(2);
  const url = started.url;
  // Each new connection goes to the next worker (the primary hands them round).
  const pidsOf = (tag: string) => new Set(stderr.split("\n").filter((l) => l.includes(tag)).map((l) => (JSON.parse(l) as { pid: number }).pid));
  for (let i = 0; i < 6; i++) {
    const before = await get(`${url}/api/search?q=${WORD}&limit=${i + 1}`);
    expect(before.status).toBe(200);
    expect((JSON.parse(before.body) as { results: unknown[] }).results).toEqual([]);
  }

  // One model changed, synced through one worker.
  const file = readdirSync(defs).filter((f) => f.endsWith(".fm.json")).sort()[0]!;
  const model = JSON.parse(readFileSync(path.join(defs, file), "utf8")) as { oifm_id: string; description: string };
  model.description += ` ${WORD}`;
  writeFileSync(path.join(defs, file), JSON.stringify(model, null, 2) + "\n");
  const synced = await fetch(`${url}/api/sync`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
  expect(synced.status, await synced.clone().text()).toBe(200);
  expect(((await synced.json()) as { updated: number }).updated).toBe(1);

  // Within the bound (at most a second of answers from the index as it was), every worker finds it.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  for (let i = 0; i < 10; i++) {
    const found = await get(`${url}/api/search?q=${WORD}&limit=${20 + i}`);
    expect(found.status).toBe(200);
    expect((JSON.parse(found.body) as { results: Array<{ oifm_id: string }> }).results.map((r) => r.oifm_id)).toEqual([model.oifm_id]);
  }
  for (let i = 0; i < 10; i++) {
    const entry = await get(`${url}/api/models/${model.oifm_id}`);
    expect((JSON.parse(entry.body) as { description: string }).description).toBe(model.description);
  }
  // The searches after the sync were answered by two processes.
  const after = new Set<number>();
  for (let i = 0; i < 10; i++) for (const pid of pidsOf(`"url":"/api/search?q=${WORD}&limit=${20 + i}"`)) after.add(pid);
  expect(after.size).toBe(2);

  server.kill("SIGTERM");
  expect(await exited).toBe(0);
}, 120_000);
