// The documented defaults of the index's search options: near words (a word with a typing error is
// corrected) and title order (the closest name or synonym first) are on unless turned off. Each
// case is one where the option decides the answer, checked both ways on the real registry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { tunedIndex } from "../src/index/internal.js";
import type { Store } from "../src/store/store.js";
import { registryStore } from "./registry-store.js";

let store: Store;
beforeAll(async () => {
  store = await registryStore("fm-defaults-");
}, 120_000);
afterAll(() => store.close());

const firstName = async (index: FindingModelIndex, query: string) => (await index.search(query, { limit: 5 }))[0]?.name;

describe("search defaults", () => {
  it("corrects a typing error by default (nearWords)", async () => {
    expect(await firstName(new FindingModelIndex(store), "pneumothorx")).toBe("pneumothorax");
    expect(await firstName(tunedIndex(store, { nearWords: true }), "pneumothorx")).toBe("pneumothorax");
    expect(await firstName(tunedIndex(store, { nearWords: false }), "pneumothorx")).toBeUndefined();
  });

  it("puts the closest name or synonym first by default (titleOrder)", async () => {
    const cases = [
      ["pulmonary nodul", "Pulmonary Nodule"],
      ["diverticulitis", "colonic diverticulitis"],
    ] as const;
    for (const [query, name] of cases) {
      expect(await firstName(new FindingModelIndex(store), query), query).toBe(name);
      expect(await firstName(tunedIndex(store, { titleOrder: true }), query), query).toBe(name);
      expect(await firstName(tunedIndex(store, { titleOrder: false }), query), query).not.toBe(name);
    }
  });
});
