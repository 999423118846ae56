// The web page takes its search rules from the server (/assets/rules.js, written from the index's
// own code): the words it cuts, the word forms it highlights and the limits it keeps are the
// index's, and the page's script defines none of them itself.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FindingModelIndex } from "../src/index/finding-model-index.js";
import { DEFAULT_REQUEST_LIST_LIMIT, MAX_QUERY_LENGTH, MAX_REQUEST_LIMIT, MAX_TAG_LENGTH } from "../src/index/limits.js";
import { openIndex } from "../src/index/open-index.js";
import { sameRoot, searchTerms, STOP_WORDS } from "../src/index/search/terms.js";
import { wordsOf } from "../src/model/words.js";
import { buildApp } from "../src/server/app.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "fm-page-rules-"));
let index: FindingModelIndex;
let app: FastifyInstance;
let rules: Record<string, unknown>;

beforeAll(async () => {
  index = await openIndex({ db: path.join(work, "empty.db") });
  app = await buildApp(index);
  const response = await app.inject({ method: "GET", url: "/assets/rules.js" });
  expect(response.statusCode).toBe(200);
  expect(response.headers["content-type"]).toMatch(/^text\/javascript/);
  rules = (await import(`data:text/javascript;base64,${Buffer.from(response.body).toString("base64")}`)) as Record<string, unknown>;
});

afterAll(async () => {
  await app?.close();
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the web page's search rules", () => {
  it("cut text into the words the index searches for", () => {
    const pageWords = rules.wordsOf as (text: string) => string[];
    for (const text of ["Pulmonary nodule, 5mm", "C3–C4 disc; «hernia»!", "ЖЕЛУДОК и кишка", "T2-hyperintense (FLAIR) lesion 😀 x", "დიდი ფილტვი", ""]) {
      expect(pageWords(text), text).toEqual(wordsOf(text));
    }
    // The page drops stop words as the index's query terms do.
    expect([...(rules.STOP_WORDS as Set<string>)].sort()).toEqual([...STOP_WORDS].sort());
    const query = "calcification in the gallbladder or common bile duct";
    expect(wordsOf(query).filter((w) => !(rules.STOP_WORDS as Set<string>).has(w))).toEqual(searchTerms(query));
  });

  it("mark the word forms the search joins", () => {
    const pageSameRoot = rules.sameRoot as (w: string, t: string) => boolean;
    const pairs: Array<[string, string]> = [["nodules", "nodule"], ["ribs", "rib"], ["bodies", "body"], ["pad", "pads"], ["lung", "liver"], ["pneumothorax", "pneumo"], ["cyst", "cysts"], ["effusion", "fusion"]];
    for (const [w, t] of pairs) expect(pageSameRoot(w, t), `${w} ~ ${t}`).toBe(sameRoot(w, t));
    expect(pageSameRoot("ribs", "rib")).toBe(true);
    expect(pageSameRoot("lung", "liver")).toBe(false);
  });

  it("keep the server's request limits", () => {
    expect(rules.MAX_LIMIT).toBe(MAX_REQUEST_LIMIT);
    expect(rules.LIST_PAGE).toBe(DEFAULT_REQUEST_LIST_LIMIT);
    expect(rules.MAX_QUERY_LENGTH).toBe(MAX_QUERY_LENGTH);
    expect(rules.MAX_TAG_LENGTH).toBe(MAX_TAG_LENGTH);
  });

  it("are the page's only rules: its script defines no word pattern, stop word or limit of its own", () => {
    const app = readFileSync(path.join(ROOT, "src", "server", "public", "app.js"), "utf8");
    expect(app).toMatch(/from "\.\/rules\.js"/);
    expect(app).not.toMatch(/\\p\{L\}/);
    expect(app).not.toMatch(/STOP_WORDS = /);
    expect(app).not.toMatch(/function sameRoot/);
    expect(app).not.toMatch(/\b100\b|\b500\b/);
  });
});
