// Semantic (hybrid) search end to end, on both engines, with a local embeddings server of the
// test's own over real HTTP: vectors made at sync for new and changed models only, stored in the
// index; hybrid answers with exact matches first; and every way the service fails gives the
// lexical answer with a note, a sync that still succeeds, and nothing wrong stored.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpenAIEmbeddings } from "../src/index/embeddings/openai-embeddings.js";
import { SemanticSearch } from "../src/index/embeddings/semantic-search.js";
import type { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openIndex } from "../src/index/open-index.js";
import { defFileNames, DEFS } from "./corpus.js";
import { EmbeddingServer, refusingUrl } from "./embedding-server.js";
import { dropSchemas } from "./pg-schemas.js";

const server = new EmbeddingServer();
const work = mkdtempSync(path.join(tmpdir(), "fm-hybrid-"));
const PG_BASE = process.env.FINDINGMODEL_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const RUN = `hybrid_${randomBytes(4).toString("hex")}`;
const schemas: string[] = [];
let pgUp = false;

const FILES = [
  "ascites.fm.json", "pneumothorax.fm.json", "cardiomegaly.fm.json", "pneumoperitoneum.fm.json", "pleural_effusion.fm.json",
  ...defFileNames().filter((_, i) => i % 97 === 0),
];

beforeAll(async () => {
  await server.start();
  const client = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 3000 });
  pgUp = await client.connect().then(() => true, () => false);
  await client.end().catch(() => undefined);
  if (!pgUp && process.env.CI === "true") throw new Error(`PostgreSQL at ${PG_BASE} is not reachable`);
});

afterAll(async () => {
  await server.stop();
  if (pgUp && schemas.length > 0) {
    await dropSchemas(PG_BASE, schemas);
  }
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  server.mode = "ok";
  server.requests = 0;
  server.texts = [];
});

function folder(): string {
  const dir = mkdtempSync(path.join(work, "defs-"));
  for (const f of new Set(FILES)) copyFileSync(path.join(DEFS, f), path.join(dir, f));
  return dir;
}

function provider(url = server.url): OpenAIEmbeddings {
  return new OpenAIEmbeddings({ url, model: "test-embed", retries: 1, backoffMs: 1, timeoutMs: 3000 });
}

const engines = [
  ["sqlite", () => ({ db: path.join(mkdtempSync(path.join(work, "db-")), "index.db") })],
  ["postgres", () => {
    const schema = `${RUN}_${schemas.length}`;
    schemas.push(schema);
    return { postgres: `${PG_BASE}?schema=${schema}` };
  }],
] as const;

describe.each(engines)("hybrid search on %s", (engine, where) => {
  const open = async (options: Parameters<typeof openIndex>[0] = {}): Promise<FindingModelIndex> => {
    if (engine === "postgres" && !pgUp) return undefined as never;
    return openIndex({ ...where(), embeddings: provider(), ...options });
  };
  const skip = () => engine === "postgres" && !pgUp;

  it("a sync makes a vector for each new model, and the next sync makes none; vectors are stored in the index", async (ctx) => {
    if (skip()) return ctx.skip();
    const index = await open();
    try {
      const dir = folder();
      const first = await index.sync(dir);
      const count = await index.count();
      expect(first.embeddings).toEqual({ embedded: count, reused: 0, missing: 0, pruned: 0 });
      expect(server.texts).toHaveLength(count);
      expect(await index.store.embeddings("test-embed")).toHaveLength(count);
      const second = await index.sync(dir);
      expect(second.embeddings).toEqual({ embedded: 0, reused: count, missing: 0, pruned: 0 });
      expect(server.texts).toHaveLength(count);
    } finally {
      await index.close();
    }
  });

  it("hybrid keeps exact matches first and finds a model by meaning that words alone miss", async (ctx) => {
    if (skip()) return ctx.skip();
    const index = await open();
    try {
      await index.sync(folder());
      const exact = await index.searchAnswer("pneumothorax");
      expect(exact.mode).toBe("hybrid");
      expect(exact.note).toBeUndefined();
      expect(exact.results[0]?.name).toBe("pneumothorax");
      // The test server's "model" puts "bellywater" beside ascites; no model holds the word.
      const lexical = await index.searchAnswer("bellywater", { mode: "lexical", limit: 3 });
      expect(lexical).toEqual({ mode: "lexical", results: [] });
      const hybrid = await index.searchAnswer("bellywater", { mode: "hybrid", limit: 3 });
      expect(hybrid.mode).toBe("hybrid");
      expect(hybrid.results[0]?.name).toBe("ascites");
      expect(index.searchModes()).toEqual(["lexical", "hybrid"]);
    } finally {
      await index.close();
    }
  });

  it("a model whose text changed gets a new vector; a stale one is never used, even when the service failed to make the new one", async (ctx) => {
    if (skip()) return ctx.skip();
    const index = await open();
    try {
      const dir = folder();
      await index.sync(dir);
      const file = path.join(dir, "ascites.fm.json");
      const model = JSON.parse(readFileSync(file, "utf8")) as { description: string };
      model.description = "Zebra stripes seen on the film.";
      writeFileSync(file, JSON.stringify(model, null, 2));
      server.mode = "error-500";
      const failed = await index.sync(dir);
      expect(failed.updated).toBe(1);
      expect(failed.embeddings).toMatchObject({ embedded: 0, missing: 1, error: expect.stringMatching(/HTTP 500.*1 model\(s\) left without one/) });
      // The old vector is still stored but belongs to the old text: the semantic half leaves the model out.
      server.mode = "ok";
      const semantic = new SemanticSearch(provider(), async () => ({ entries: await index.store.allEntries(), vectors: await index.store.embeddings("test-embed") }));
      const before = await semantic.nearest("ascites peritoneal fluid accumulation", 50);
      expect(before.ok && before.neighbours.map((n) => n.oifm_id)).not.toContain((await index.get("ascites"))!.oifm_id);
      server.texts = [];
      const fixed = await index.sync(dir);
      expect(fixed.embeddings).toMatchObject({ embedded: 1, missing: 0 });
      expect(server.texts).toEqual([expect.stringContaining("Zebra stripes seen on the film.")]);
      semantic.invalidate();
      const after = await semantic.nearest("zebra stripes film", 1);
      expect(after.ok && after.neighbours[0]?.oifm_id).toBe((await index.get("ascites"))!.oifm_id);
    } finally {
      await index.close();
    }
  });

  it.each(["garbage", "zeros"] as const)("a service answering %s at sync: the sync succeeds, nothing is stored, search answers from words with a note", async (mode, ctx) => {
    if (skip()) return ctx.skip();
    const index = await open();
    try {
      server.mode = mode;
      const report = await index.sync(folder());
      expect(report.applied).toBe(true);
      expect(report.embeddings?.error).toMatch(/vectors for semantic search: .*the next sync tries again/);
      expect(await index.store.embeddings("test-embed")).toHaveLength(0);
      const answer = await index.searchAnswer("pneumothorax");
      expect(answer).toMatchObject({ mode: "lexical", note: expect.stringMatching(/no model has a vector .* answered from words only/) });
      expect(answer.results[0]?.name).toBe("pneumothorax");
    } finally {
      await index.close();
    }
  });
});

describe("hybrid search when the service fails at query time (sqlite)", () => {
  const dbFile = path.join(work, "query-faults.db");
  beforeAll(async () => {
    server.mode = "ok";
    const index = await openIndex({ db: dbFile, embeddings: provider() });
    await index.sync(folder());
    await index.close();
  });

  it("down: the lexical answer, a note, said once", async () => {
    const notes: string[] = [];
    const refusing = await refusingUrl();
    const index = await openIndex({ db: dbFile, readonly: true, embeddings: new OpenAIEmbeddings({ url: refusing, model: "test-embed", retries: 0 }), onSearchNote: (n) => notes.push(n) });
    try {
      const a = await index.searchAnswer("pneumothorax");
      const b = await index.searchAnswer("ascites");
      expect(a).toMatchObject({ mode: "lexical", note: expect.stringMatching(/semantic search is unavailable: cannot reach the embeddings service .*ECONNREFUSED.*answered from words only/) });
      expect(a.results[0]?.name).toBe("pneumothorax");
      expect(b.mode).toBe("lexical");
      expect(notes).toHaveLength(1);
    } finally {
      await index.close();
    }
  });

  it("slow: answered within the time budget, and the next query does not wait again", async () => {
    server.mode = "slow";
    server.delayMs = 5000;
    const index = await openIndex({ db: dbFile, readonly: true, embeddings: provider(), semantic: { budgetMs: 300 } });
    try {
      let started = performance.now();
      const a = await index.searchAnswer("pleural effusion");
      expect(performance.now() - started).toBeLessThan(4000);
      expect(a).toMatchObject({ mode: "lexical", note: expect.stringMatching(/out of time|did not answer/) });
      started = performance.now();
      const b = await index.searchAnswer("cardiomegaly");
      expect(b.mode).toBe("lexical");
      expect(server.requests).toBe(1);
    } finally {
      await index.close();
    }
  });

  it("a query vector of another length than the stored ones: the lexical answer and a note saying so", async () => {
    server.mode = "wrong-dimension";
    const index = await openIndex({ db: dbFile, readonly: true, embeddings: provider() });
    try {
      expect(await index.searchAnswer("ascites")).toMatchObject({ mode: "lexical", note: expect.stringMatching(/query vector of 128 numbers, but the index holds vectors of 64/) });
    } finally {
      await index.close();
    }
  });

  it("without a provider: lexical only; asking for hybrid says it is not configured; a bad mode is refused", async () => {
    const index = await openIndex({ db: dbFile, readonly: true });
    try {
      expect(index.searchModes()).toEqual(["lexical"]);
      expect(await index.searchAnswer("ascites")).toMatchObject({ mode: "lexical" });
      expect((await index.searchAnswer("ascites")).note).toBeUndefined();
      expect(await index.searchAnswer("ascites", { mode: "hybrid" })).toMatchObject({ mode: "lexical", note: expect.stringMatching(/not configured/) });
      await expect(index.searchAnswer("ascites", { mode: "semantic" as never })).rejects.toThrow(/mode must be lexical or hybrid; got semantic/);
    } finally {
      await index.close();
    }
  });
});
