// The OpenAI-compatible embeddings client against a local server of the test's own (real HTTP):
// batching and order, the key, retries of passing failures, and each way a service fails turned
// into an EmbeddingsError that says what went wrong.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { embeddingsFromConfig } from "../src/index/embeddings/from-environment.js";
import { OpenAIEmbeddings } from "../src/index/embeddings/openai-embeddings.js";
import { EmbeddingsError } from "../src/index/embeddings/provider.js";
import { DIMS, EmbeddingServer, refusingUrl, vectorOf } from "./embedding-server.js";

const server = new EmbeddingServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.mode = "ok";
  server.requests = 0;
  server.texts = [];
});

const texts = Array.from({ length: 150 }, (_, i) => `finding number ${i}`);

describe("OpenAIEmbeddings", () => {
  it("sends the texts in batches and returns one vector per text, in order", async () => {
    const progress: number[] = [];
    const client = new OpenAIEmbeddings({ url: server.url, model: "test-model", batchSize: 64, onProgress: (done) => progress.push(done) });
    const vectors = await client.embed(texts);
    expect(server.requests).toBe(3);
    expect(vectors).toHaveLength(150);
    expect(vectors.map((v) => [...v])).toEqual(texts.map(vectorOf));
    expect(progress.at(-1)).toBe(150);
    expect(new Set(server.texts)).toEqual(new Set(texts));
  });

  it("retries a service that fails now and then, with backoff", async () => {
    server.mode = "flaky";
    const client = new OpenAIEmbeddings({ url: server.url, model: "m", backoffMs: 10, concurrency: 1 });
    const vectors = await client.embed(["ascites", "pneumothorax"]);
    expect(vectors.map((v) => [...v])).toEqual([vectorOf("ascites"), vectorOf("pneumothorax")]);
    expect(server.requests).toBe(2);
  });

  it.each([
    ["error-500", "http", /answered HTTP 500: \{"error": "model not loaded"\}/],
    ["garbage", "garbage", /without a list of numbers|without a data list/],
    ["zeros", "garbage", /vector of zeros/],
  ] as const)("a service answering %s: an EmbeddingsError (%s) saying so", async (mode, reason, message) => {
    server.mode = mode;
    const client = new OpenAIEmbeddings({ url: server.url, model: "m", backoffMs: 1, retries: 2 });
    const error = await client.embed(["ascites"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingsError);
    expect((error as EmbeddingsError).reason).toBe(reason);
    expect((error as Error).message).toMatch(message);
    // 5xx may pass: tried again; garbage will not: asked once.
    expect(server.requests).toBe(mode === "error-500" ? 3 : 1);
  });

  it("a vector of another length than the first answers had: a dimension error", async () => {
    const client = new OpenAIEmbeddings({ url: server.url, model: "m" });
    expect((await client.embed(["a"]))[0]).toHaveLength(DIMS);
    server.mode = "wrong-dimension";
    await expect(client.embed(["b"])).rejects.toMatchObject({ reason: "dimension", message: expect.stringMatching(/vector of 128 numbers where 64 were expected/) });
  });

  it("a service that does not answer in time: a timeout error after the retries", async () => {
    server.mode = "slow";
    server.delayMs = 2000;
    const client = new OpenAIEmbeddings({ url: server.url, model: "m", timeoutMs: 100, retries: 1, backoffMs: 1 });
    const started = performance.now();
    await expect(client.embed(["a"])).rejects.toMatchObject({ reason: "timeout", message: expect.stringMatching(/did not answer within 100 ms/) });
    expect(performance.now() - started).toBeLessThan(1900);
  });

  it("a URL where nothing listens: unreachable, naming the URL", async () => {
    const url = await refusingUrl();
    const client = new OpenAIEmbeddings({ url, model: "m", retries: 1, backoffMs: 1 });
    await expect(client.embed(["a"])).rejects.toMatchObject({ reason: "unreachable", message: expect.stringContaining(`cannot reach the embeddings service at ${url}/embeddings: ECONNREFUSED`) });
  });

  it("sends the API key as a bearer token", async () => {
    let seen: string | undefined;
    const { createServer } = await import("node:http");
    const s = createServer((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }));
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as { port: number }).port;
    await new OpenAIEmbeddings({ url: `http://127.0.0.1:${port}/v1/`, model: "m", apiKey: "sk-test" }).embed(["a"]);
    s.close();
    expect(seen).toBe("Bearer sk-test");
  });
});

describe("embeddingsFromConfig", () => {
  it("none without a URL; options win over the environment; a URL without a model is an error naming the variable", () => {
    expect(embeddingsFromConfig({}, {})).toBeUndefined();
    const fromEnv = embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "http://h:1/v1", FINDINGMODEL_EMBEDDINGS_MODEL: "e" });
    expect(fromEnv).toMatchObject({ model: "e", endpoint: "http://h:1/v1/embeddings" });
    expect(embeddingsFromConfig({ url: "http://x/v1", model: "o" }, { FINDINGMODEL_EMBEDDINGS_URL: "http://h:1/v1", FINDINGMODEL_EMBEDDINGS_MODEL: "e" })).toMatchObject({ model: "o" });
    expect(() => embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "http://h:1/v1" })).toThrow(/set FINDINGMODEL_EMBEDDINGS_MODEL/);
    expect(() => embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "ftp://h", FINDINGMODEL_EMBEDDINGS_MODEL: "e" })).toThrow(/FINDINGMODEL_EMBEDDINGS_URL: .*must start with http/);
  });
});
