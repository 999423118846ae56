// Every answer of the server says X-Content-Type-Options: nosniff: a route's, an error a route or
// its schema gives, a 404, a 405, and the refusals made before any route or hook runs (a broken
// percent-encoding in the path, a path segment over the router's limit).
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { buildApp } from "../src/server/app.js";
import { registryStore } from "./registry-store.js";

let index: FindingModelIndex;
let app: FastifyInstance;
beforeAll(async () => {
  index = new FindingModelIndex(await registryStore("fm-nosniff-"));
  app = await buildApp(index);
});
afterAll(async () => {
  await app.close();
  await index.close();
});

it("is on every answer, errors and refusals included", async () => {
  const cases: Array<[string, string, number]> = [
    ["GET", "/api/search?q=lung%20nodule", 200],
    ["GET", "/api/models/OIFM_MSFT_134126", 200],
    ["GET", "/", 200],
    ["GET", "/api/search?q=lung&limit=500", 400],
    ["GET", "/api/search?q=%E0%A4%A", 400],
    ["GET", "/api/models/no-such-model", 404],
    ["GET", "/no/such/path", 404],
    ["DELETE", "/api/search", 405],
    ["GET", "/api/models/%E0%A4%A", 400],
    ["GET", `/api/models/${"x".repeat(2000)}`, 414],
  ];
  for (const [method, url, status] of cases) {
    const res = await app.inject({ method: method as "GET", url });
    expect(res.statusCode, `${method} ${url.slice(0, 40)}`).toBe(status);
    expect(res.headers["x-content-type-options"], `${method} ${url.slice(0, 40)}`).toBe("nosniff");
  }
});
