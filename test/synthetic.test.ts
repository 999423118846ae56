import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/model/canonical.js";
import { OIFMA_ID_PATTERN, OIFM_ID_PATTERN } from "../src/model/ids.js";
import { generateModels, iterateModels, SYNTHETIC_NAME_COMBINATIONS } from "../src/model/synthetic.js";
import { isPerson, type FindingModelFull, type Organization } from "../src/model/types.js";
import { validateFindingModel } from "../src/model/validate.js";

// Generated once for the whole file; generation of 10,000 takes about a second.
const COUNT = 10_000;
const models: FindingModelFull[] = generateModels(COUNT);

const fraction = (predicate: (m: FindingModelFull) => boolean): number => models.filter(predicate).length / models.length;

describe("generateModels", { timeout: 60_000 }, () => {
  it("makes the number asked for", () => {
    expect(models).toHaveLength(COUNT);
    expect(generateModels(0)).toEqual([]);
    expect(generateModels(1)).toHaveLength(1);
  });

  it("makes only valid models, already in their canonical (validated) form", () => {
    const invalid = models.filter((m) => !validateFindingModel(m).ok).map((m) => m.name);
    expect(invalid).toEqual([]);
    // Validating again changes nothing: the key order and normalizations are already applied.
    const changed = models.slice(0, 300).filter((m) => {
      const again = validateFindingModel(m);
      return !again.ok || toCanonicalJson(again.model) !== toCanonicalJson(m) || JSON.stringify(m, null, 2) !== toCanonicalJson(m);
    });
    expect(changed.map((m) => m.name)).toEqual([]);
  });

  it("gives every model a name of its own, ignoring case", () => {
    const names = new Set(models.map((m) => m.name.toLowerCase()));
    expect(names.size).toBe(COUNT);
    // Built from the vocabulary, not numbered: no ordinal suffixes are needed at this size.
    expect(COUNT).toBeLessThan(SYNTHETIC_NAME_COMBINATIONS);
    expect(models.filter((m) => /variant \d+$/.test(m.name))).toEqual([]);
  });

  it("never lets a synonym equal a name or another synonym", () => {
    const names = new Set(models.map((m) => m.name.toLowerCase()));
    const synonyms = models.flatMap((m) => m.synonyms ?? []).map((s) => s.toLowerCase());
    expect(synonyms.length).toBeGreaterThan(COUNT / 2);
    expect(new Set(synonyms).size).toBe(synonyms.length);
    expect(synonyms.filter((s) => names.has(s))).toEqual([]);
    expect(models.filter((m) => (m.synonyms?.length ?? 0) > 3)).toEqual([]);
  });

  it("gives unique model and attribute IDs with value codes derived from them", () => {
    // Problems are collected and compared once: an expect() per attribute would dominate the run time.
    const problems: string[] = [];
    const modelIds = new Set<string>();
    const attributeIds = new Set<string>();
    for (const m of models) {
      if (!OIFM_ID_PATTERN.test(m.oifm_id)) problems.push(`bad model ID ${m.oifm_id}`);
      modelIds.add(m.oifm_id);
      const source = m.oifm_id.split("_")[1];
      if (m.attributes.length < 2 || m.attributes.length > 6) problems.push(`${m.name}: ${m.attributes.length} attributes`);
      if (new Set(m.attributes.map((a) => a.name)).size !== m.attributes.length) problems.push(`${m.name}: repeated attribute name`);
      for (const a of m.attributes) {
        if (!OIFMA_ID_PATTERN.test(a.oifma_id)) problems.push(`bad attribute ID ${a.oifma_id}`);
        if (attributeIds.has(a.oifma_id)) problems.push(`attribute ID ${a.oifma_id} used twice`);
        attributeIds.add(a.oifma_id);
        // The model's ID and its attributes' IDs share the source code.
        if (a.oifma_id.split("_")[1] !== source) problems.push(`${a.oifma_id} not from ${source}`);
        if (a.type === "choice") {
          if (a.values.length < 2) problems.push(`${a.oifma_id}: ${a.values.length} values`);
          a.values.forEach((v, i) => {
            if (v.value_code !== `${a.oifma_id}.${i}`) problems.push(`value code ${v.value_code} at ${a.oifma_id}[${i}]`);
          });
        }
      }
    }
    expect(problems).toEqual([]);
    expect(modelIds.size).toBe(COUNT);
    expect(attributeIds.size).toBeGreaterThan(COUNT * 2);
  });

  it("is deterministic for a seed and different for another seed", () => {
    const a = generateModels(1000, { seed: 7 });
    const b = generateModels(1000, { seed: 7 });
    const c = generateModels(1000, { seed: 8 });
    expect(b.map((m) => toCanonicalJson(m))).toEqual(a.map((m) => toCanonicalJson(m)));
    expect(c.map((m) => m.name)).not.toEqual(a.map((m) => m.name));
    expect(c.map((m) => m.oifm_id)).not.toEqual(a.map((m) => m.oifm_id));
    // The default seed is fixed too.
    expect(generateModels(50).map((m) => m.name)).toEqual(models.slice(0, 50).map((m) => m.name));
  });

  it("has a realistic spread of attributes, tags, synonyms and contributors", () => {
    const hasNumeric = fraction((m) => m.attributes.some((a) => a.type === "numeric"));
    expect(hasNumeric).toBeGreaterThan(0.3);
    expect(hasNumeric).toBeLessThan(0.95);
    expect(fraction((m) => m.attributes.some((a) => a.type === "numeric" && a.name === "size" && a.unit === "mm" && a.minimum === 0 && a.maximum !== undefined))).toBeGreaterThan(0.1);
    expect(fraction((m) => m.attributes.some((a) => a.name === "presence"))).toBeGreaterThan(0.7);
    expect(fraction((m) => m.attributes.some((a) => a.name === "change from prior"))).toBeGreaterThan(0.6);
    expect(fraction((m) => m.attributes.some((a) => a.type === "choice" && a.name !== "presence" && a.name !== "change from prior"))).toBeGreaterThan(0.3);

    const withTags = fraction((m) => (m.tags?.length ?? 0) > 0);
    expect(withTags).toBeGreaterThan(0.6);
    expect(withTags).toBeLessThan(1);
    expect(models.filter((m) => (m.tags?.length ?? 0) > 6 || new Set(m.tags).size !== (m.tags?.length ?? 0)).map((m) => m.tags)).toEqual([]);
    const tagCounts = new Map<string, number>();
    for (const t of models.flatMap((m) => m.tags ?? [])) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
    for (const t of ["CT", "MR", "US", "XR", "abdomen", "chest", "brain", "musculoskeletal", "vascular"]) expect(tagCounts.get(t) ?? 0).toBeGreaterThan(50);

    expect(fraction((m) => (m.synonyms?.length ?? 0) > 0)).toBeGreaterThan(0.4);
    expect(fraction((m) => m.synonyms === undefined)).toBeGreaterThan(0.1);

    const lengths = models.map((m) => m.description.length);
    expect(Math.min(...lengths)).toBeGreaterThan(20);
    expect(Math.max(...lengths)).toBeLessThan(300);

    // Several organizations are the source of IDs.
    expect(new Set(models.map((m) => m.oifm_id.split("_")[1])).size).toBeGreaterThanOrEqual(3);
    // Names read like radiology.
    const names = new Set(models.map((m) => m.name));
    expect([...names].some((n) => n.startsWith("left ") || n.includes(" left "))).toBe(true);
    expect([...names].some((n) => /\brenal\b/.test(n))).toBe(true);
  });

  it("keeps each contributor's details the same everywhere", () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    let contributed = 0;
    for (const m of models) {
      if (!m.contributors) continue;
      contributed++;
      for (const c of m.contributors) {
        const key = isPerson(c) ? `person:${c.github_username}` : `organization:${(c as Organization).code}`;
        const details = JSON.stringify(c);
        const before = seen.get(key);
        if (before !== undefined && before !== details) problems.push(`${key}: ${before} vs ${details}`);
        seen.set(key, details);
      }
      // The organization giving the IDs is among the contributors.
      const codes = m.contributors.filter((c) => !isPerson(c)).map((c) => (c as Organization).code);
      if (!codes.includes(m.oifm_id.split("_")[1]!)) problems.push(`${m.oifm_id}: organization not among contributors ${codes.join(",")}`);
    }
    expect(problems).toEqual([]);
    expect(contributed / COUNT).toBeGreaterThan(0.8);
    expect([...seen.keys()].filter((k) => k.startsWith("person:")).length).toBeGreaterThanOrEqual(3);
  });

  it("streams the same models one at a time with iterateModels", () => {
    const streamed: string[] = [];
    for (const m of iterateModels(200, { seed: 7 })) streamed.push(toCanonicalJson(m));
    expect(streamed).toEqual(generateModels(200, { seed: 7 }).map((m) => toCanonicalJson(m)));
    // Arguments are checked at the call, not at the first model.
    expect(() => iterateModels(-1)).toThrow(RangeError);
  });

  it("uses the given source for every ID", () => {
    const some = generateModels(300, { source: "TEST" });
    for (const m of some) {
      expect(m.oifm_id.startsWith("OIFM_TEST_")).toBe(true);
      for (const a of m.attributes) expect(a.oifma_id.startsWith("OIFMA_TEST_")).toBe(true);
    }
    expect(new Set(some.flatMap((m) => [m.oifm_id, ...m.attributes.map((a) => a.oifma_id)])).size).toBe(some.reduce((n, m) => n + 1 + m.attributes.length, 0));
  });

  it("refuses a bad count or source", () => {
    expect(() => generateModels(-1)).toThrow(RangeError);
    expect(() => generateModels(1.5)).toThrow(RangeError);
    expect(() => generateModels(10, { source: "test" })).toThrow(RangeError);
  });
});
