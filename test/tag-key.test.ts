// Tags are compared by one rule (model/tags.ts tagKey) in every place that compares them: the
// stores' tag filter and tag list, the index's in-memory filters (the any-term fill, the batch),
// and the web page (rules.js). Three models carry one tag in three spellings that differ in
// non-ASCII case, so a place that folds case another way (SQL's ASCII-only lower(), none at all)
// drops one of them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openIndex } from "../src/index/open-index.js";
import { tagKey } from "../src/model/tags.js";
import { buildApp } from "../src/server/app.js";
import { firstReachable, localServerCandidates } from "../src/store/postgres/local-server.js";
import { DEFS } from "./corpus.js";
import { dropSchemas } from "./pg-schemas.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-tag-key-"));
const defs = path.join(work, "defs");
mkdirSync(defs);
// The tag in three spellings, one per model; a fourth model has the words but not the tag.
const TAGGED: Array<[string, string]> = [
  ["abdominal_aortic_aneurysm.fm.json", "Échographie"],
  ["pulmonary_nodule.fm.json", "ÉCHOGRAPHIE"],
  ["rib_fracture.fm.json", "échographie"],
];
for (const [file, tag] of [...TAGGED, ["pneumothorax.fm.json", "other"] as [string, string]]) {
  const model = JSON.parse(readFileSync(DEFS + file, "utf8"));
  writeFileSync(path.join(defs, file), JSON.stringify({ ...model, tags: [tag] }, null, 2) + "\n");
}
const ASKED = "ÉchoGRAPHIE";
const TAGGED_IDS = TAGGED.map(([file]) => JSON.parse(readFileSync(DEFS + file, "utf8")).oifm_id as string).sort();

const PNEUMOTHORAX = JSON.parse(readFileSync(DEFS + "pneumothorax.fm.json", "utf8")).oifm_id as string;
const sorted = (entries: Array<{ oifm_id: string }>) => entries.map((e) => e.oifm_id).sort();


const PG = await firstReachable(localServerCandidates());
const SCHEMA = `fm_test_tags_${randomBytes(4).toString("hex")}`;
if (!PG) console.warn("tag-key.test.ts: no PostgreSQL server reachable: the PostgreSQL case is skipped");

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (PG) {
    await dropSchemas(PG, [SCHEMA]);
  }
});

const engines: Array<[string, () => ReturnType<typeof openIndex>]> = [["SQLite", () => openIndex({ db: path.join(work, "index.db") })]];
if (PG) {
  const url = new URL(PG);
  url.searchParams.set("schema", SCHEMA);
  engines.push(["PostgreSQL", () => openIndex({ postgres: url.toString() })]);
}

describe.each(engines)("tags compared by tagKey on %s", (_engine, open) => {
  it("one tag in the list, and the filter finds every spelling on each search path", async () => {
    const index = await open();
    try {
      expect((await index.sync(defs)).errors).toEqual([]);
      const listed = (await index.tags()).filter((t) => tagKey(t.tag) === tagKey(ASKED));
      expect(listed.map((t) => t.count)).toEqual([3]);
      // One term, in every model (an attribute name): the store's filter.
      const lexical = { limit: 10, mode: "lexical" as const };
      expect(sorted(await index.search("presence", { ...lexical, tags: [ASKED] }))).toEqual(TAGGED_IDS);
      // Terms no model holds together: the index's any-term fill filters.
      expect(sorted(await index.search("aneurysm nodule fracture pneumothorax", { ...lexical, tags: [ASKED] }))).toEqual(TAGGED_IDS);
      const batch = await index.searchBatch(["aneurysm nodule fracture pneumothorax", "pulmonary nodule"], { limit: 10, tags: [ASKED] });
      expect(sorted(batch.get("aneurysm nodule fracture pneumothorax")!)).toEqual(TAGGED_IDS);
      // An exact name: the store's exact match with the filter.
      expect((await index.search("Pulmonary Nodule", { ...lexical, tags: [ASKED] }))[0]?.name).toBe("Pulmonary Nodule");
      expect(batch.get("pulmonary nodule")![0]?.name).toBe("Pulmonary Nodule");
      // An ID is found by the exact lookup alone.
      for (const id of TAGGED_IDS) expect((await index.search(id, { ...lexical, tags: [ASKED] })).map((e) => e.oifm_id), id).toEqual([id]);
      // The model without the tag is left out (it alone has all of these words).
      expect(sorted(await index.search("Pneumothorax", lexical))).toContain(PNEUMOTHORAX);
      expect(sorted(await index.search("Pneumothorax", { ...lexical, tags: [ASKED] }))).not.toContain(PNEUMOTHORAX);
    } finally {
      await index.close();
    }
  }, 60_000);
});

describe("the web page's tag rule", () => {
  it("is tagKey, served in /assets/rules.js, and the page compares tags by nothing else", async () => {
    const index = await openIndex({ db: path.join(work, "page.db") });
    const app = await buildApp(index);
    try {
      const body = (await app.inject({ method: "GET", url: "/assets/rules.js" })).body;
      const rules = (await import(`data:text/javascript;base64,${Buffer.from(body).toString("base64")}`)) as { tagKey: (tag: string) => string };
      for (const tag of ["CT", "Échographie", "İstanbul", "ΣΟΦΙΑ", "straße", ""]) expect(rules.tagKey(tag), tag).toBe(tagKey(tag));
      const page = readFileSync(new URL("../src/server/public/app.js", import.meta.url), "utf8");
      expect(page.match(/tagKey\(/g)?.length).toBeGreaterThan(5);
      // No other case folding near a tag.
      expect(page.split("\n").filter((line) => /tag/i.test(line) && /toLowerCase|toUpperCase|localeCompare/.test(line))).toEqual([]);
    } finally {
      await app.close();
      await index.close();
    }
  });
});
