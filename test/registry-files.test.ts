import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { modelFileName, slugOf } from "../src/model/slug.js";
import {
  compareCodePoints,
  textFileName,
  toIdsJson,
  toIndexMarkdown,
  type RegistryEntry,
} from "../src/model/registry-files.js";
import type { FindingModelFull } from "../src/model/types.js";

const corpus = new URL("../fixtures/registry/", import.meta.url);
const defsDir = new URL("defs/", corpus);

function loadCorpus(): RegistryEntry[] {
  return readdirSync(defsDir)
    .filter((f) => f.endsWith(".fm.json"))
    .map((filename) => ({
      filename,
      model: JSON.parse(readFileSync(new URL(filename, defsDir), "utf8")) as FindingModelFull,
    }));
}

const entries = loadCorpus();
const indexMd = readFileSync(new URL("index.md", corpus), "utf8");
const idsJson = readFileSync(new URL("ids.json", corpus), "utf8");

function model(name: string, extra: Partial<FindingModelFull> = {}): FindingModelFull {
  return { oifm_id: "OIFM_TEST_000001", name, description: "d", attributes: [], ...extra };
}

describe("slugOf", () => {
  it("matches every corpus file name except the two known odd ones", () => {
    const odd = entries.filter((e) => modelFileName(e.model.name) !== e.filename).map((e) => e.filename);
    expect(odd.sort()).toEqual(["breast_malignancy_risk.fm.json", "composite_metrics_hippocampal_occupancy_score.fm.json"]);
    expect(entries.length).toBe(2382);
  });

  it("replaces each non-ASCII-alphanumeric character with one _ and lower-cases", () => {
    expect(slugOf("abdominal aortic aneurysm")).toBe("abdominal_aortic_aneurysm");
    // conflicts/junk/computer_assisted_reporting___decision_support__car_ds_.fm.json
    expect(slugOf("Computer-Assisted Reporting / Decision Support (CAR/DS)")).toBe(
      "computer_assisted_reporting___decision_support__car_ds_",
    );
    expect(slugOf("LI-RADS")).toBe("li_rads");
    expect(slugOf("composite metrics (hippocampal occupancy score)")).toBe(
      "composite_metrics__hippocampal_occupancy_score_",
    );
    expect(slugOf("MRI T2*")).toBe("mri_t2_");
    expect(slugOf("x|y")).toBe("x_y");
    // No trimming, no collapsing; non-ASCII replaced before lower-casing, one _ per code point
    // (expected values from Python's re.sub(r"[^a-zA-Z0-9]", "_", name).lower()).
    expect(slugOf("  Déjà vu!! ")).toBe("__d_j__vu___");
    expect(slugOf("İstanbul")).toBe("_stanbul");
    expect(slugOf("a\u{1F600}b")).toBe("a_b");
    expect(modelFileName("Breast Density")).toBe("breast_density.fm.json");
  });
});

describe("toIdsJson", () => {
  it("is byte-identical to the registry's ids.json", () => {
    expect(toIdsJson(entries)).toBe(idsJson);
  });

  it("does not depend on the input order", () => {
    expect(toIdsJson(entries.slice().reverse())).toBe(idsJson);
  });

  it("escapes like Python json.dumps (ensure_ascii)", () => {
    const m = model("x", {
      oifm_id: "OIFM_X_000001",
      attributes: [
        { oifma_id: "A", name: 'x\u007f\u0001\u2028\u{1F600}\t"\\/', type: "numeric", required: false },
      ],
    });
    // Expected output produced by Python's json.dumps on the same data.
    expect(toIdsJson([{ filename: "caf\u00e9.fm.json", model: m }])).toBe(
      '{"oifm_ids": {"OIFM_X_000001": "caf\\u00e9.fm.json"}, "attribute_ids": {"A": ["caf\\u00e9.fm.json", "x\\u007f\\u0001\\u2028\\ud83d\\ude00\\t\\"\\\\/"]}}',
    );
    expect(toIdsJson([])).toBe('{"oifm_ids": {}, "attribute_ids": {}}');
  });

  it("keeps a repeated ID at its first place with the last value, as a Python dict does", () => {
    const attr = (id: string, name: string) => ({ oifma_id: id, name, type: "numeric" as const, required: false });
    const a = model("a", { oifm_id: "OIFM_X_000001", attributes: [attr("A1", "one"), attr("A2", "two")] });
    const b = model("b", { oifm_id: "OIFM_X_000002", attributes: [attr("A3", "three"), attr("A1", "again")] });
    expect(toIdsJson([{ filename: "b.fm.json", model: b }, { filename: "a.fm.json", model: a }])).toBe(
      '{"oifm_ids": {"OIFM_X_000001": "a.fm.json", "OIFM_X_000002": "b.fm.json"}, "attribute_ids": ' +
        '{"A1": ["b.fm.json", "again"], "A2": ["a.fm.json", "two"], "A3": ["b.fm.json", "three"]}}',
    );
  });
});

describe("toIndexMarkdown", () => {
  it("with registry links, is byte-identical to the registry's index.md", () => {
    expect(toIndexMarkdown(entries, { links: "registry" })).toBe(indexMd);
  });

  it("with working links, equals the registry's index.md except for the two odd rows", () => {
    const ours = toIndexMarkdown(entries).split("\n");
    const theirs = indexMd.split("\n");
    expect(ours.length).toBe(theirs.length);
    const differing = ours.flatMap((line, i) => (line === theirs[i] ? [] : [{ ours: line, theirs: theirs[i] }]));
    // The registry formed both links from the slug of the model name. For these two definitions the
    // defs file name is not that slug, so the registry's JSON links point at files that do not exist:
    //  - breast_malignancy_risk.fm.json (name "Mammographic malignancy assessment"): registry links
    //    defs/mammographic_malignancy_assessment.fm.json (missing) and
    //    text/mammographic_malignancy_assessment.md (also missing in the registry: its text file is
    //    text/breast_malignancy_risk.md, named after the defs file). We link the real defs file, and
    //    the text file our exporter writes, text/<slugOf(name)>.md = textFileName(entry).
    //  - composite_metrics_hippocampal_occupancy_score.fm.json: registry links
    //    defs/composite_metrics__hippocampal_occupancy_score_.fm.json (missing); its text link
    //    text/composite_metrics__hippocampal_occupancy_score_.md exists and is what we write too.
    expect(differing).toEqual([
      {
        theirs:
          "| OIFM_MSFT_156954 | Mammographic malignancy assessment<br/>[Text](text/mammographic_malignancy_assessment.md) [JSON](defs/mammographic_malignancy_assessment.fm.json) | Risk of breast cancer, Case Score, Breast cancer risk assessment |  | Heather Chase | Case Score |",
        ours:
          "| OIFM_MSFT_156954 | Mammographic malignancy assessment<br/>[Text](text/mammographic_malignancy_assessment.md) [JSON](defs/breast_malignancy_risk.fm.json) | Risk of breast cancer, Case Score, Breast cancer risk assessment |  | Heather Chase | Case Score |",
      },
      {
        theirs:
          "| OIFM_MSFT_642865 | composite metrics (hippocampal occupancy score)<br/>[Text](text/composite_metrics__hippocampal_occupancy_score_.md) [JSON](defs/composite_metrics__hippocampal_occupancy_score_.fm.json) |  |  | Heather Chase | hippocampal occupancy score |",
        ours:
          "| OIFM_MSFT_642865 | composite metrics (hippocampal occupancy score)<br/>[Text](text/composite_metrics__hippocampal_occupancy_score_.md) [JSON](defs/composite_metrics_hippocampal_occupancy_score.fm.json) |  |  | Heather Chase | hippocampal occupancy score |",
      },
    ]);
  });

  it("links every row to a defs file that exists and to the text file the exporter writes", () => {
    const files = new Set(entries.map((e) => e.filename));
    const written = new Set(entries.map((e) => textFileName(e)));
    const links = [...toIndexMarkdown(entries).matchAll(/\[Text\]\(text\/([^)]*)\) \[JSON\]\(defs\/([^)]*)\)/g)];
    expect(links.length).toBe(entries.length);
    for (const [, text, json] of links) {
      expect(files.has(json!)).toBe(true);
      expect(written.has(text!)).toBe(true);
    }
    const textDir = new Set(readdirSync(new URL("text/", corpus)));
    // Our text names agree with the registry's text folder for all but breast_malignancy_risk.
    expect(entries.filter((e) => !textDir.has(textFileName(e))).map((e) => e.filename)).toEqual([
      "breast_malignancy_risk.fm.json",
    ]);
  });

  it("does not depend on the input order, and sorts by file name in code point order", () => {
    expect(toIndexMarkdown(entries.slice().reverse(), { links: "registry" })).toBe(indexMd);
    expect(compareCodePoints("a_b", "ab")).toBeLessThan(0); // "_" (5F) before "b" (62)
    expect(compareCodePoints("a\uffff", "a\u{10000}")).toBeLessThan(0); // unlike UTF-16 order
    expect(compareCodePoints("a", "ab")).toBeLessThan(0);
  });

  it("shows contributors by name, people and organizations alike, and empty lists as empty cells", () => {
    const m = model("Test Finding", {
      contributors: [
        { github_username: "jdoe", email: "j@example.org", name: "Jane Doe, MD", organization_code: "ORG" },
        { name: "Some Org", code: "ORG" },
      ],
    });
    const md = toIndexMarkdown([{ filename: "test_finding.fm.json", model: m }]);
    expect(md).toBe(
      [
        "# Finding Model Index",
        "",
        "1 entries",
        "",
        "| ID | Name | Synonyms | Tags | Contributors | Attributes |",
        "|----|------|----------|------|--------------|------------|",
        "| OIFM_TEST_000001 | Test Finding<br/>[Text](text/test_finding.md) [JSON](defs/test_finding.fm.json) |  |  | Jane Doe, MD, Some Org |  |",
      ].join("\n"),
    );
  });

  it("escapes | and line breaks so a cell cannot break the table (the registry has none; it does not escape)", () => {
    const m = model("A|B finding", {
      synonyms: ["x | y", "two\nlines"],
      tags: ["t*1", "t_2"],
      attributes: [{ oifma_id: "OIFMA_TEST_000001", name: "size|length", type: "numeric", required: false }],
    });
    const row = toIndexMarkdown([{ filename: "a_b_finding.fm.json", model: m }]).split("\n")[6];
    expect(row).toBe(
      "| OIFM_TEST_000001 | A\\|B finding<br/>[Text](text/a_b_finding.md) [JSON](defs/a_b_finding.fm.json) | x \\| y, two<br/>lines | t*1, t_2 |  | size\\|length |",
    );
  });
});
