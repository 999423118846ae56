import { readdirSync, readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { toMarkdown } from "../src/model/markdown.js";
import { recordNumberText } from "../src/model/number-text.js";
import type { FindingModelFull, NumericAttributeIded, ChoiceAttributeIded } from "../src/model/types.js";

const corpus = new URL("../fixtures/registry/", import.meta.url);
const defsDir = fileURLToPath(new URL("defs/", corpus));
const textDir = fileURLToPath(new URL("text/", corpus));

const NUMERIC_KEYS = new Set(["minimum", "maximum", "max_selected"]);

/**
 * Load a model with plain JSON.parse and record the source text of its attribute numbers
 * (`1.0` must print as `1.0`). Stand-in for the real parser: attribute numbers are the only
 * numbers Markdown prints, and they occur in the file in attribute order, then key order.
 * The lookbehind skips `\"minimum\": 1` inside string values.
 */
function loadModel(raw: string): FindingModelFull {
  const model = JSON.parse(raw) as FindingModelFull;
  const texts = [...raw.matchAll(/(?<!\\)"(minimum|maximum|max_selected)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g)];
  let i = 0;
  for (const attribute of model.attributes) {
    for (const key of Object.keys(attribute)) {
      if (!NUMERIC_KEYS.has(key)) continue;
      const found = texts[i++];
      if (!found || found[1] !== key) throw new Error(`number text out of step at ${key}`);
      recordNumberText(attribute, key, found[2]!);
    }
  }
  if (i !== texts.length) throw new Error("unmatched number texts");
  return model;
}

function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  for (let line = 0; line < Math.max(a.length, e.length); line++) {
    if (a[line] !== e[line]) {
      return `line ${line + 1}: got ${JSON.stringify(a[line])}, want ${JSON.stringify(e[line])}`;
    }
  }
  return "no line differs";
}

describe("toMarkdown on the registry corpus", () => {
  const defs = readdirSync(defsDir).filter((f) => f.endsWith(".fm.json")).sort();

  it("has the whole corpus", () => {
    expect(defs.length).toBe(2382);
  });

  it("renders every definition byte-identical to the registry's Markdown", () => {
    const mismatches: string[] = [];
    const missing: string[] = [];
    let matched = 0;
    for (const file of defs) {
      const slug = file.slice(0, -".fm.json".length);
      const textPath = textDir + slug + ".md";
      if (!existsSync(textPath)) {
        missing.push(slug);
        continue;
      }
      const expected = readFileSync(textPath, "utf8");
      const actual = toMarkdown(loadModel(readFileSync(defsDir + file, "utf8")));
      if (actual === expected) matched++;
      else mismatches.push(`${file}: ${firstDifference(actual, expected)}`);
    }
    expect(mismatches, `${mismatches.length} mismatches:\n${mismatches.join("\n")}`).toEqual([]);
    // One registry text file is named differently from its definition (a doubled underscore);
    // see the "misnamed text file" test below.
    expect(missing).toEqual(["composite_metrics_hippocampal_occupancy_score"]);
    expect(matched).toBe(2381);
  });

  it("renders the definition whose text file is misnamed", () => {
    const raw = readFileSync(defsDir + "composite_metrics_hippocampal_occupancy_score.fm.json", "utf8");
    const expected = readFileSync(textDir + "composite_metrics__hippocampal_occupancy_score_.md", "utf8");
    expect(toMarkdown(loadModel(raw))).toBe(expected);
  });
});

// Small hand-built models for the quirks, with expected output written from the corpus rules.

function model(partial: Partial<FindingModelFull>): FindingModelFull {
  return {
    oifm_id: "OIFM_TEST_000001",
    name: "test finding",
    description: "A finding for tests.",
    attributes: [],
    ...partial,
  };
}

function numeric(partial: Partial<NumericAttributeIded>): NumericAttributeIded {
  return { oifma_id: "OIFMA_TEST_000002", name: "size", type: "numeric", required: false, ...partial };
}

function choice(partial: Partial<ChoiceAttributeIded>): ChoiceAttributeIded {
  return {
    oifma_id: "OIFMA_TEST_000003",
    name: "presence",
    type: "choice",
    values: [
      { value_code: "OIFMA_TEST_000003.0", name: "absent" },
      { value_code: "OIFMA_TEST_000003.1", name: "present", description: "It is there" },
    ],
    required: false,
    max_selected: 1,
    ...partial,
  };
}

const HEAD = "# Test finding—`OIFM_TEST_000001`\n\nA finding for tests.\n\n## Attributes\n\n";

describe("toMarkdown quirks", () => {
  it("capitalizes names like Python: first letter up, the rest down (acronyms too)", () => {
    const md = toMarkdown(model({ name: "MRI of the CNS", attributes: [numeric({ name: "CT density", minimum: 0 })] }));
    expect(md).toBe("# Mri of the cns—`OIFM_TEST_000001`\n\nA finding for tests.\n\n## Attributes\n\n### Ct density—`OIFMA_TEST_000002`\n\nMininum: 0");
  });

  it("capitalizes non-ASCII names with Python's title case and final sigma", () => {
    const md = toMarkdown(model({ name: "ßΑΣ ΑΣ", attributes: [numeric({ name: "ǆx", minimum: 1 })] }));
    expect(md.split("\n")[0]).toBe("# Ssας ας—`OIFM_TEST_000001`");
    expect(md).toContain("### ǅx—`OIFMA_TEST_000002`");
  });

  it("capitalizes a Georgian name as Python does: Mkhedruli keeps its own title form, Mtavruli lowers the rest", () => {
    // Python: "ფილტვი MRI".capitalize() == "ფილტვი mri" (upper case would be Mtavruli "Ფ");
    // "ᲤᲘᲚ".capitalize() == "Ფილ".
    const md = toMarkdown(model({ name: "ფილტვი MRI", attributes: [numeric({ name: "ᲤᲘᲚ", minimum: 1 })] }));
    expect(md.split("\n")[0]).toBe("# ფილტვი mri—`OIFM_TEST_000001`");
    expect(md).toContain("### Ფილ—`OIFMA_TEST_000002`");
  });

  it("prints floats in plain digits from 1e-4 up to below 1e16 and in exponent form outside, as Python's repr", () => {
    // Each pair: the float as a file writes it, and Python's repr of it.
    const cases: Array<[number, string]> = [
      [0.0001, "0.0001"],
      [0.00012, "0.00012"],
      [0.000012, "1.2e-05"],
      [0.00009999, "9.999e-05"],
      [1e15, "1000000000000000.0"],
      [9999999999999998, "9999999999999998.0"],
      [1e16, "1e+16"],
      [1.5e16, "1.5e+16"],
      [-1e16, "-1e+16"],
      [123.456, "123.456"],
    ];
    for (const [value, repr] of cases) {
      const a = numeric({ minimum: value });
      recordNumberText(a, "minimum", value.toExponential());
      expect(toMarkdown(model({ attributes: [a] })), String(value)).toBe(HEAD + `### Size—\`OIFMA_TEST_000002\`\n\nMininum: ${repr}`);
    }
  });

  it("prints a missing minimum as None, a zero minimum as 0, and omits a zero maximum", () => {
    const md = toMarkdown(
      model({
        attributes: [
          numeric({ oifma_id: "OIFMA_TEST_000010", minimum: 0, maximum: 0, unit: "mm" }),
          numeric({ oifma_id: "OIFMA_TEST_000011", description: "How big.", maximum: 5 }),
        ],
      }),
    );
    expect(md).toBe(
      HEAD +
        "### Size—`OIFMA_TEST_000010`\n\nMininum: 0  \nUnit: mm\n\n" +
        // The final strip() removes the trailing two spaces of the last line.
        "### Size—`OIFMA_TEST_000011`\n\nHow big.  \nMininum: None  \nMaximum: 5",
    );
  });

  it("keeps a number's source text (1.0 stays 1.0)", () => {
    const attribute = numeric({ minimum: 1, maximum: 4.99 });
    recordNumberText(attribute, "minimum", "1.0");
    expect(toMarkdown(model({ attributes: [attribute] }))).toBe(
      HEAD + "### Size—`OIFMA_TEST_000002`\n\nMininum: 1.0  \nMaximum: 4.99",
    );
  });

  it("has no blank line after 'Select up to N', but one after 'Select one'", () => {
    const md = toMarkdown(
      model({
        attributes: [
          choice({ oifma_id: "OIFMA_TEST_000020", max_selected: 3, description: "Where." }),
          choice({ oifma_id: "OIFMA_TEST_000021" }),
        ],
        contributors: [{ name: "Org", code: "ORG" }],
      }),
    );
    expect(md).toBe(
      HEAD +
        "### Presence—`OIFMA_TEST_000020`\n\nWhere.  \n*(Select up to 3)*\n- **absent**  \n- **present**: It is there  \n\n" +
        "### Presence—`OIFMA_TEST_000021`\n\n*(Select one)*\n\n- **absent**  \n- **present**: It is there  \n\n" +
        "---\n\n**Contributors**\n\n- Org (ORG)",
    );
  });

  it("writes model, attribute and value codes, with and without display", () => {
    const md = toMarkdown(
      model({
        index_codes: [{ system: "RADLEX", code: "RID1" }, { system: "SNOMED", code: "123", display: "Thing" }],
        attributes: [
          choice({
            index_codes: [{ system: "SNOMED", code: "705057003", display: "Presence" }],
            values: [
              { value_code: "OIFMA_TEST_000003.0", name: "absent", index_codes: [{ system: "RADLEX", code: "RID28473", display: "absent" }] },
              { value_code: "OIFMA_TEST_000003.1", name: "present", index_codes: [{ system: "RADLEX", code: "RID28472" }] },
            ],
          }),
        ],
      }),
    );
    expect(md).toBe(
      "# Test finding—`OIFM_TEST_000001`\n\nA finding for tests.\n\n**Codes:** RADLEX RID1; SNOMED 123 Thing\n\n## Attributes\n\n" +
        "### Presence—`OIFMA_TEST_000003`\n\n**Codes**: SNOMED 705057003 Presence  \n*(Select one)*\n\n" +
        "- **absent**  \n_RADLEX RID28473 absent_\n- **present**  \n_RADLEX RID28472_",
    );
  });

  it("renders synonyms, tags and people and organizations with and without url", () => {
    const md = toMarkdown(
      model({
        synonyms: ["tf", "test"],
        tags: ["chest", "CT"],
        attributes: [choice({})],
        contributors: [
          { github_username: "ann", email: "ann@example.org", name: "Ann Ó Briain", organization_code: "ABC" },
          { github_username: "bob", email: "bob@example.org", name: "Bob", organization_code: "ABC", url: "https://b.example" },
          { name: "Gamuts", code: "GMTS", url: "https://gamuts.net/" },
          { name: "Open Imaging Data Model", code: "OIDM" },
        ],
      }),
    );
    expect(md).toBe(
      "# Test finding—`OIFM_TEST_000001`\n\n**Synonyms:** tf, test\n\n**Tags:** chest, CT\n\nA finding for tests.\n\n## Attributes\n\n" +
        "### Presence—`OIFMA_TEST_000003`\n\n*(Select one)*\n\n- **absent**  \n- **present**: It is there  \n\n" +
        "---\n\n**Contributors**\n\n" +
        "- Ann Ó Briain (ABC) — [Email](mailto:ann@example.org)\n" +
        "- Bob (ABC) — [Email](mailto:bob@example.org) — [Link](https://b.example)\n" +
        "- [Gamuts](https://gamuts.net/) (GMTS)\n" +
        "- Open Imaging Data Model (OIDM)",
    );
  });

  it("collapses runs of three or more newlines everywhere, the model's own text included", () => {
    const md = toMarkdown(
      model({
        description: "Line one.\n\n\n\nLine two.\n",
        attributes: [
          numeric({ description: "\nLeading newline.", minimum: 0, unit: "mm" }),
          choice({
            index_codes: [{ system: "SNOMED", code: "705057003", display: "Presence" }],
            values: [
              { value_code: "OIFMA_TEST_000003.0", name: "absent" },
              { value_code: "OIFMA_TEST_000003.1", name: "present", description: "It is there\n\n\n" },
            ],
          }),
        ],
      }),
    );
    expect(md).toBe(
      "# Test finding—`OIFM_TEST_000001`\n\nLine one.\n\nLine two.\n\n## Attributes\n\n" +
        "### Size—`OIFMA_TEST_000002`\n\nLeading newline.  \nMininum: 0  \nUnit: mm\n\n" +
        // No description but codes: the codes line directly after the blank line.
        "### Presence—`OIFMA_TEST_000003`\n\n**Codes**: SNOMED 705057003 Presence  \n*(Select one)*\n\n" +
        // The final strip() eats the value description's trailing newlines and spaces.
        "- **absent**  \n- **present**: It is there",
    );
  });

  it("prints numbers as Python does: floats by repr, ints by digits, max_selected as an int", () => {
    const a = numeric({ minimum: 1.5, maximum: 100 });
    recordNumberText(a, "minimum", "1.50");
    recordNumberText(a, "maximum", "1e2");
    const b = numeric({ oifma_id: "OIFMA_TEST_000004", minimum: -0, maximum: 0.00001 });
    recordNumberText(b, "minimum", "-0");
    const c = choice({
      values: [
        { value_code: "OIFMA_TEST_000003.0", name: "a" },
        { value_code: "OIFMA_TEST_000003.1", name: "b" },
        { value_code: "OIFMA_TEST_000003.2", name: "c" },
      ],
      max_selected: 3,
    });
    recordNumberText(c, "max_selected", "3.0");
    expect(toMarkdown(model({ attributes: [a, b, c] }))).toBe(
      HEAD +
        "### Size—`OIFMA_TEST_000002`\n\nMininum: 1.5  \nMaximum: 100.0  \n\n" +
        "### Size—`OIFMA_TEST_000004`\n\nMininum: 0  \nMaximum: 1e-05  \n\n" +
        "### Presence—`OIFMA_TEST_000003`\n\n*(Select up to 3)*\n- **a**  \n- **b**  \n- **c**",
    );
  });

  it("strips the result with Python's whitespace set, not JavaScript's", () => {
    const stripped = toMarkdown(model({ attributes: [numeric({ minimum: 0, unit: "mm\u001f\u0085" })] }));
    expect(stripped).toBe(HEAD + "### Size—`OIFMA_TEST_000002`\n\nMininum: 0  \nUnit: mm");
    const kept = toMarkdown(model({ attributes: [numeric({ minimum: 0, unit: "mm\ufeff" })] }));
    expect(kept).toBe(HEAD + "### Size—`OIFMA_TEST_000002`\n\nMininum: 0  \nUnit: mm\ufeff");
  });

  it("skips empty lists and empty strings as Jinja does", () => {
    const md = toMarkdown(model({ synonyms: [], tags: [], index_codes: [], attributes: [numeric({ description: "", unit: "", minimum: 2 })], contributors: [] }));
    expect(md).toBe(HEAD + "### Size—`OIFMA_TEST_000002`\n\nMininum: 2");
  });
});
