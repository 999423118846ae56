import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findConflicts } from "../src/model/conflicts.js";
import { OIFMA_ID_PATTERN, OIFM_ID_PATTERN } from "../src/model/ids.js";
import { parseJsonText } from "../src/model/json-text.js";
import { createStub } from "../src/model/stub.js";
import { validateFindingModel, validateFindingModelBase, type ModelIssue } from "../src/model/validate.js";
import { CONFLICTS, DEFS, defFileNames, readDef } from "./corpus.js";

function parse(bytes: Buffer | string): unknown {
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/** A valid model to break in one place. */
function base(): Record<string, any> {
  return JSON.parse(readDef("abdominal_aortic_aneurysm.fm.json").toString());
}

function issues(value: unknown): ModelIssue[] {
  const result = validateFindingModel(value);
  return result.ok ? [] : result.issues;
}

describe("validation against the registry's rules", () => {
  it("accepts every definition in the registry", () => {
    const invalid = defFileNames().filter((name) => !validateFindingModel(parse(readDef(name))).ok);
    expect(invalid).toEqual([]);
  });

  it("reports every problem of a model at once, each with its JSON path", () => {
    const m = base();
    m.oifm_id = "OIFM_MS_1";
    m.name = "AAA";
    delete m.description;
    m.attributes[0].values = [m.attributes[0].values[0]];
    m.attributes[1].type = "multiple";
    m.contributors[0].email = "not-an-email";
    expect(issues(m).map((i) => i.path)).toEqual([
      "$.oifm_id",
      "$.name",
      "$.description",
      "$.contributors[0].email",
      "$.attributes[0].values",
      "$.attributes[1].type",
    ]);
  });

  it("says what is expected, in the registry's terms", () => {
    const m = base();
    m.oifm_id = "OIFM_MS_1";
    m.name = "AAA";
    m.attributes[1].max_selected = 0;
    m.attributes[0].name = 42;
    const messages = issues(m).map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      '$.oifm_id: "OIFM_MS_1" is not a valid oifm_id: expected OIFM_, 3-4 capital letters (the organization code), _ and 6 digits, e.g. OIFM_MSFT_123456',
      '$.name: name must be at least 5 characters long; got 3: "AAA"',
      "$.attributes[0].name: name must be a string, got the number 42",
      '$.attributes[1].max_selected: max_selected must be a whole number of at least 1, or "all"; got the number 0',
    ]);
  });

  it("rejects unknown fields with a hint instead of silently dropping them", () => {
    const m = base();
    m.synonym = ["x"];
    m.attributes[0].unit = "cm";
    expect(issues(m)).toEqual([
      { path: "$.synonym", message: 'unknown field "synonym" (did you mean "synonyms"?); the registry would drop it' },
      { path: "$.attributes[0].unit", message: expect.stringContaining('unknown field "unit" (allowed here: oifma_id, name, description, type, values, required, max_selected, index_codes)') },
    ]);
  });

  it("names the exact place of a problem deep inside lists", () => {
    const m = base();
    m.attributes[0].values[1].index_codes = [{ system: "SNOMED", code: "12" }, "RID5"];
    m.attributes[1].index_codes = [];
    m.contributors.push({ name: "Org", code: "ab" });
    m.tags = ["ok", 7];
    expect(issues(m)).toEqual([
      { path: "$.tags[1]", message: "expected a string, got the number 7" },
      { path: "$.contributors[1].name", message: 'name must be at least 5 characters long; got 3: "Org"' },
      { path: "$.contributors[1].code", message: '"ab" is not a valid code: expected 3-4 capital letters, e.g. MSFT' },
      { path: "$.attributes[0].values[1].index_codes[0].code", message: 'code must be at least 3 characters long; got 2: "12"' },
      { path: "$.attributes[0].values[1].index_codes[1]", message: 'expected an index code object ({system, code, display}), got the string "RID5"' },
      { path: "$.attributes[1].index_codes", message: "index_codes must not be an empty list; leave it out instead" },
    ]);
  });

  it("rejects what is not a model at all", () => {
    for (const value of [[], "text", 3, null, {}]) expect(issues(value).length).toBeGreaterThan(0);
    expect(issues([])).toEqual([{ path: "$", message: "expected a finding model object, got a list" }]);
    expect(issues({}).map((i) => i.path)).toEqual(["$.oifm_id", "$.name", "$.description", "$.attributes"]);
  });

  it("catches an attribute ID used twice in one model, and a maximum below the minimum", () => {
    const m = base();
    m.attributes[1].oifma_id = m.attributes[0].oifma_id;
    m.attributes.push({ oifma_id: "OIFMA_MSFT_000001", name: "size", type: "numeric", minimum: 10, maximum: 1 });
    expect(issues(m)).toEqual([
      { path: "$.attributes[1].oifma_id", message: "attribute ID OIFMA_MSFT_898601 is already used by attributes[0]; each attribute needs its own ID" },
      { path: "$.attributes[2].maximum", message: "maximum (1) is less than minimum (10)" },
    ]);
  });

  it("counts characters as the registry does (code points, not UTF-16 units)", () => {
    const m = base();
    m.name = "😀😀😀😀"; // 4 characters, 8 UTF-16 units: too short
    expect(issues(m)).toEqual([{ path: "$.name", message: 'name must be at least 5 characters long; got 4: "😀😀😀😀"' }]);
  });

  it("lets a model without IDs through as a base model, but not as a full one", () => {
    const m = base();
    delete m.oifm_id;
    for (const a of m.attributes) {
      delete a.oifma_id;
      for (const v of a.values) delete v.value_code;
    }
    expect(validateFindingModelBase(m).ok).toBe(true);
    expect(issues(m).map((i) => i.path)).toEqual(["$.oifm_id", "$.attributes[0].oifma_id", "$.attributes[1].oifma_id"]);
  });
});

describe("clashes between files", () => {
  function load(dir: string): { file: string; model: any }[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".fm.json"))
      .map((f) => ({ file: dir + f, value: validateFindingModel(parse(readFileSync(dir + f))) }))
      .flatMap(({ file, value }) => (value.ok ? [{ file, model: value.model }] : []));
  }

  it("finds none in the registry", () => {
    expect(findConflicts(load(DEFS))).toEqual([]);
  });

  it("finds the real clashes the registry set aside", () => {
    const conflicts = findConflicts([...load(DEFS), ...load(CONFLICTS)]);
    const names = conflicts.filter((c) => c.kind === "name").map((c) => c.value.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(["pneumothorax", "hydrocephalus", "pulmonary embolism"]));
    const shared = conflicts.find((c) => c.kind === "oifma_id" && c.files.some((f) => f.endsWith("lung_cancer_screening.fm.json")));
    expect(shared?.files.map((f) => f.split("/").pop()).sort()).toEqual(["incidental_pulmonary_nodules.fm.json", "lung_cancer_screening.fm.json"]);
    // Each conflict names at least two distinct files.
    for (const c of conflicts) expect(new Set(c.files).size).toBeGreaterThanOrEqual(2);
  });
});

describe("stubs", () => {
  it("have the registry's standard presence and change-from-prior attributes", () => {
    const stub = createStub({ name: "abdominal abscess", description: "A localized collection of pus in the abdomen" }, "GMTS");
    const real = validateFindingModel(parse(readDef("abdominal_abscess.fm.json")));
    if (!real.ok) throw new Error("corpus file invalid");
    const shape = (m: typeof stub) => m.attributes.map(({ oifma_id: _id, ...a }) => ({ ...a, values: (a as any).values.map(({ value_code: _c, ...v }: any) => v) }));
    expect(shape(stub)).toEqual(shape(real.model));
    expect(stub.oifm_id).toMatch(OIFM_ID_PATTERN);
    for (const a of stub.attributes) {
      expect(a.oifma_id).toMatch(OIFMA_ID_PATTERN);
      expect(a.oifma_id.startsWith("OIFMA_GMTS_")).toBe(true);
    }
  });

  it("take IDs that are not in use", () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i++) createStub({ name: `finding number ${i}` }, "TEST", taken);
    expect(taken.size).toBe(600); // 200 model IDs + 400 attribute IDs, all distinct
  });

  it("refuse an invalid name or source with a message", () => {
    expect(() => createStub({ name: "abc" }, "MSFT")).toThrow(/name must be at least 5 characters/);
    expect(() => createStub({ name: "valid name" }, "msft")).toThrow(/source code "msft" must be 3 or 4 capital letters/);
  });
});
