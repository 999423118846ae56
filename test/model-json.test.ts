import { describe, expect, it } from "vitest";
import { toCanonicalJson, toCanonicalJsonFresh, toCompactJson, toCompactJsonFresh } from "../src/model/canonical.js";
import { parseJsonText } from "../src/model/json-text.js";
import { validateFindingModel } from "../src/model/validate.js";
import { defFileNames, readDef } from "./corpus.js";

function load(text: string | Buffer) {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const checked = validateFindingModel(parsed.value);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.model;
}

describe("canonical JSON", () => {
  it("rewrites every definition of the registry to exactly its own bytes", () => {
    const differ: string[] = [];
    for (const name of defFileNames()) {
      const bytes = readDef(name);
      const model = load(bytes);
      const text = bytes.toString("utf8");
      if (toCanonicalJson(model) !== text || toCanonicalJsonFresh(model) !== text) differ.push(name);
    }
    expect(differ).toEqual([]);
  });

  it("writes each model compactly (as the index keeps it) so that reading it back gives the file's canonical text", () => {
    const differ: string[] = [];
    for (const name of defFileNames()) {
      const text = readDef(name).toString("utf8");
      const model = load(text);
      const compact = toCompactJson(model);
      if (compact !== toCompactJsonFresh(model) || /\n/.test(compact) || toCanonicalJson(load(compact)) !== text) differ.push(name);
    }
    expect(differ).toEqual([]);
    expect(toCompactJson(load(readDef("breast_density.fm.json")))).toContain('"minimum":1.0,');
  });

  it("keeps a number as it was written (1.0 stays 1.0) in the only file that has one", () => {
    const model = load(readDef("breast_density.fm.json"));
    expect(toCanonicalJson(model)).toContain('"minimum": 1.0,');
    expect(toCanonicalJsonFresh(model)).toContain('"minimum": 1.0,');
  });

  it("keeps 1.50, 2e3 and -0 as written even next to value codes that end in .0", () => {
    const model = load(
      JSON.stringify({
        oifm_id: "OIFM_TEST_000001",
        name: "test finding",
        description: "A finding for tests.",
        attributes: [
          { oifma_id: "OIFMA_TEST_000001", name: "size", type: "numeric", minimum: 0, maximum: 2, unit: "cm" },
          { oifma_id: "OIFMA_TEST_000002", name: "count", type: "choice", values: [{ value_code: "OIFMA_TEST_000002.0", name: "one" }, { name: "two" }] },
        ],
      })
        .replace('"minimum":0', '"minimum":-0')
        .replace('"maximum":2', '"maximum":2e3'),
    );
    const text = toCanonicalJson(model);
    expect(text).toContain('"minimum": -0,');
    expect(text).toContain('"maximum": 2e3,');
    const other = load('{"oifm_id":"OIFM_TEST_000001","name":"test finding","description":"A finding.","attributes":[{"oifma_id":"OIFMA_TEST_000001","name":"size","type":"numeric","minimum":1.50}]}');
    expect(toCanonicalJson(other)).toContain('"minimum": 1.50,');
  });

  it("orders keys as the schema does, leaves out nulls, fills defaults and renumbers value codes", () => {
    const model = load(
      JSON.stringify({
        attributes: [
          {
            values: [{ name: "a", value_code: "OIFMA_TEST_000009.7", description: null }, { name: "b" }, { name: "c" }],
            type: "choice",
            name: "kind",
            oifma_id: "OIFMA_TEST_000009",
            max_selected: "all",
          },
          { type: "numeric", name: "size", oifma_id: "OIFMA_TEST_000010", unit: null },
        ],
        synonyms: null,
        description: "A finding for tests.",
        name: "test finding",
        oifm_id: "OIFM_TEST_000001",
      }),
    );
    expect(JSON.parse(toCanonicalJson(model))).toEqual({
      oifm_id: "OIFM_TEST_000001",
      name: "test finding",
      description: "A finding for tests.",
      attributes: [
        {
          oifma_id: "OIFMA_TEST_000009",
          name: "kind",
          type: "choice",
          values: [
            { value_code: "OIFMA_TEST_000009.0", name: "a" },
            { value_code: "OIFMA_TEST_000009.1", name: "b" },
            { value_code: "OIFMA_TEST_000009.2", name: "c" },
          ],
          required: false,
          max_selected: 3,
        },
        { oifma_id: "OIFMA_TEST_000010", name: "size", type: "numeric", required: false },
      ],
    });
    expect(Object.keys(JSON.parse(toCanonicalJson(model)))).toEqual(["oifm_id", "name", "description", "attributes"]);
    expect(toCanonicalJson(model)).toBe(toCanonicalJsonFresh(model));
  });

  it("caps max_selected at the number of values", () => {
    const model = load('{"oifm_id":"OIFM_TEST_000001","name":"test finding","description":"A finding.","attributes":[{"oifma_id":"OIFMA_TEST_000001","name":"kind","type":"choice","max_selected":9,"values":[{"name":"a"},{"name":"b"}]}]}');
    expect(model.attributes[0]).toMatchObject({ max_selected: 2 });
  });
});

describe("reading JSON", () => {
  it("says where malformed JSON breaks, by line and column", () => {
    const result = parseJsonText('{\n  "name": "x",\n  "oops"\n}');
    expect(result).toMatchObject({ ok: false, error: { line: 4, column: 1 } });
    if (!result.ok) expect(result.error.message).toBe("malformed JSON: Unexpected token '}' (colon expected)");
  });

  it("locates a stray character V8 gives no position for", () => {
    const result = parseJsonText("{}\n\n  x");
    expect(result).toMatchObject({ ok: false, error: { line: 3, column: 3 } });
  });

  it("reports an empty or blank file as empty", () => {
    for (const text of ["", "  \n\t"]) expect(parseJsonText(text)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/empty/) } });
  });

  it("reports invalid UTF-8 with the position of the bad byte", () => {
    const bytes = Buffer.concat([Buffer.from('{\n "name": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const result = parseJsonText(bytes);
    expect(result).toMatchObject({ ok: false, error: { line: 2, column: 14 } });
    if (!result.ok) expect(result.error.message).toMatch(/not valid UTF-8 \(bad byte 0xc3 at byte 15\)/);
  });

  it("accepts a UTF-8 byte order mark", () => {
    expect(parseJsonText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("{}")]))).toEqual({ ok: true, value: {}, text: "{}", hadBom: true });
  });
});
