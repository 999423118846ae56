// The other-names and descriptions files of the lexicon (src/index/lexicon/other-names-*.tsv,
// descriptions*.tsv): names that reports, clinicians and other terminologies use for a finding the
// registry models under another name, and the plain words that describe it.
// Each entry must lead to one registry model and take nothing from another: its expansion is a
// registry model's name or synonym, its term is no model's name or synonym and is not inside one,
// and searching the term on the real registry finds that model first.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { parseLexicon, type LexiconEntry } from "../src/index/lexicon.js";
import { wordsOf } from "../src/model/words.js";
import type { Store } from "../src/store/store.js";
import { DEFS } from "./corpus.js";
import { registryStore } from "./registry-store.js";

const FOLDER = fileURLToPath(new URL("../src/index/lexicon/", import.meta.url));
const entries: LexiconEntry[] = readdirSync(FOLDER)
  .filter((name) => /^(other-names|descriptions)/.test(name) && name.endsWith(".tsv"))
  .flatMap((name) => parseLexicon(readFileSync(FOLDER + name, "utf8"), name));

// Every model's titles (name and synonyms) as word strings -> the names of the models holding them.
const titles = new Map<string, Set<string>>();
for (const file of readdirSync(DEFS).filter((f) => f.endsWith(".fm.json"))) {
  const model = JSON.parse(readFileSync(path.join(DEFS, file), "utf8")) as { name: string; synonyms?: string[] };
  for (const title of [model.name, ...(model.synonyms ?? [])]) {
    const key = wordsOf(title).join(" ");
    titles.set(key, (titles.get(key) ?? new Set()).add(model.name));
  }
}
const where = (e: LexiconEntry) => `${e.file} line ${e.line} ("${e.term.join(" ")}")`;

let store: Store;
beforeAll(async () => {
  store = await registryStore("fm-other-names-");
}, 120_000);
afterAll(() => store.close());

describe("the lexicon's other names", () => {
  it("are equivalent terms, abbreviations or spellings", () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(["equivalent", "abbreviation", "spelling"], where(e)).toContain(e.kind);
  });

  it("each expand to a registry model's name or synonym", () => {
    const wrong = entries.filter((e) => !titles.has(e.expansion.join(" "))).map(where);
    expect(wrong).toEqual([]);
  });

  it("take no model's own name: a term is no model's name or synonym and is not inside one", () => {
    const keys = [...titles.keys()].map((k) => ` ${k} `);
    const wrong = entries.filter((e) => keys.some((k) => k.includes(` ${e.term.join(" ")} `))).map(where);
    expect(wrong).toEqual([]);
  });

  it("find their model first on the registry", async () => {
    const index = new FindingModelIndex(store);
    const wrong: string[] = [];
    for (const e of entries) {
      const first = (await index.search(e.term.join(" "), { limit: 1 }))[0]?.name;
      if (!first || !titles.get(e.expansion.join(" "))!.has(first)) wrong.push(`${where(e)}: first ${first ?? "nothing"}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});
