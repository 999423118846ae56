// The same hybrid search through every surface, with a local embeddings server of the test's own:
// GET /api/search?mode=..., /api/stats searchModes, the MCP search tool's mode, and the CLI's
// `search --mode` and `sync` (vectors made, a service that is down said once on stderr).
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAIEmbeddings } from "../src/index/embeddings/openai-embeddings.js";
import type { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openIndex } from "../src/index/open-index.js";
import { TOOLS } from "../src/mcp/tools.js";
import { buildApp } from "../src/server/app.js";
import { buildIfStale, parseJson, runCli } from "./cli-run.js";
import { defFileNames, DEFS } from "./corpus.js";
import { EmbeddingServer, refusingUrl } from "./embedding-server.js";

const server = new EmbeddingServer();
const work = mkdtempSync(path.join(tmpdir(), "fm-hybrid-surfaces-"));
const dir = path.join(work, "defs");
const DB = path.join(work, "index.db");
let index: FindingModelIndex;
let app: FastifyInstance;

beforeAll(async () => {
  buildIfStale();
  await server.start();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir);
  for (const f of new Set(["ascites.fm.json", "pneumothorax.fm.json", ...defFileNames().filter((_, i) => i % 131 === 0)])) copyFileSync(path.join(DEFS, f), path.join(dir, f));
  index = await openIndex({ db: DB, embeddings: new OpenAIEmbeddings({ url: server.url, model: "test-embed" }) });
  expect((await index.sync(dir)).embeddings?.error).toBeUndefined();
  app = await buildApp(index, {});
}, 60_000);

afterAll(async () => {
  await app?.close();
  await index?.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("HTTP API", () => {
  it("GET /api/search answers hybrid by default where configured, lexical when asked; /api/stats lists both modes", async () => {
    const hybrid = (await app.inject({ url: "/api/search?q=bellywater&limit=3" })).json();
    expect(hybrid).toMatchObject({ query: "bellywater", mode: "hybrid" });
    expect(hybrid.note).toBeUndefined();
    expect(hybrid.results[0].name).toBe("ascites");
    const lexical = (await app.inject({ url: "/api/search?q=bellywater&limit=3&mode=lexical" })).json();
    expect(lexical).toMatchObject({ mode: "lexical", results: [] });
    expect((await app.inject({ url: "/api/stats" })).json().searchModes).toEqual(["lexical", "hybrid"]);
  });

  it("a mode that is neither: 400 naming the parameter", async () => {
    const res = await app.inject({ url: "/api/search?q=ascites&mode=semantic" });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/mode/);
  });
});

describe("MCP tool", () => {
  const tool = TOOLS.find((t) => t.name === "search_finding_models")!;
  it("takes a mode and says how it answered", async () => {
    const hybrid = await tool.run(index, { query: "bellywater", limit: 3 });
    expect(hybrid.structuredContent).toMatchObject({ mode: "hybrid" });
    expect((hybrid.structuredContent as { results: Array<{ name: string }> }).results[0]?.name).toBe("ascites");
    const lexical = await tool.run(index, { query: "bellywater", mode: "lexical" });
    expect(lexical.structuredContent).toMatchObject({ mode: "lexical", results: [] });
    await expect(tool.run(index, { query: "ascites", mode: "semantic" })).rejects.toThrow(/mode must be "lexical" or "hybrid"/);
  });
});

describe("CLI", () => {
  it("search --mode hybrid finds by meaning; with the service down, the words' answer and one line on stderr saying why", async () => {
    const saved = { url: process.env.FINDINGMODEL_EMBEDDINGS_URL, model: process.env.FINDINGMODEL_EMBEDDINGS_MODEL };
    try {
      process.env.FINDINGMODEL_EMBEDDINGS_URL = server.url;
      process.env.FINDINGMODEL_EMBEDDINGS_MODEL = "test-embed";
      const found = await runCli(["search", "bellywater", "--mode", "hybrid", "--db", DB, "--json"]);
      expect(parseJson<Array<{ name: string }>>(found)[0]?.name).toBe("ascites");
      expect(found.stderr).toBe("");
      process.env.FINDINGMODEL_EMBEDDINGS_URL = await refusingUrl();
      const down = await runCli(["search", "pneumothorax", "--db", DB, "--json"]);
      expect(down.code).toBe(0);
      expect(parseJson<Array<{ name: string }>>(down)[0]?.name).toBe("pneumothorax");
      expect(down.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^findingmodel: semantic search is unavailable: cannot reach the embeddings service .*ECONNREFUSED.*answered from words only/)]);
      const bad = await runCli(["search", "pneumothorax", "--db", DB, "--mode", "meaning"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--mode must be lexical or hybrid; got "meaning"/);
      // A sync with nothing new to embed does not need the service: it succeeds quietly.
      const sync = await runCli(["sync", dir, "--db", DB]);
      expect(sync.code).toBe(0);
      expect(sync.stderr).toBe("");
    } finally {
      if (saved.url === undefined) delete process.env.FINDINGMODEL_EMBEDDINGS_URL;
      else process.env.FINDINGMODEL_EMBEDDINGS_URL = saved.url;
      if (saved.model === undefined) delete process.env.FINDINGMODEL_EMBEDDINGS_MODEL;
      else process.env.FINDINGMODEL_EMBEDDINGS_MODEL = saved.model;
    }
  }, 120_000);
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("web page", () => {
  it("shows the 'by meaning too' box where the server has hybrid; unticked, the page searches by words (mode=lexical in the address)", async () => {
    const web = await buildApp(index, {});
    await web.listen({ port: 0, host: "127.0.0.1" });
    const address = web.server.address() as { port: number };
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${address.port}/?q=bellywater`);
      await page.locator("#mode-toggle").waitFor({ state: "visible" });
      await expect.poll(() => page.locator("#results li").first().textContent()).toContain("ascites");
      await page.locator("#hybrid").uncheck();
      await expect.poll(() => page.locator("#status").textContent()).toMatch(/No models match “bellywater”/);
      expect(new URL(page.url()).searchParams.get("mode")).toBe("lexical");
    } finally {
      await browser.close();
      await web.close();
    }
  }, 120_000);
});
