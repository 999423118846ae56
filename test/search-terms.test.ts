// The words a search looks for (index/search/terms.ts): a query's words without stop words, and,
// for the full-text search, without the measurements and severity words a report adds.
import { describe, expect, it } from "vitest";
import { findingTerms, searchTerms } from "../src/index/search/terms.js";

describe("search terms", () => {
  it("are the query's words without stop words, unless only stop words are left", () => {
    expect(searchTerms("Calcification in the Gallbladder")).toEqual(["calcification", "gallbladder"]);
    expect(searchTerms("in the")).toEqual(["in", "the"]);
  });
});

describe("finding terms", () => {
  it("leave out measurements: a number with its unit, written apart or together, decimals too", () => {
    expect(findingTerms(searchTerms("4 mm left lower pole renal stone"))).toEqual(["left", "lower", "pole", "renal", "stone"]);
    expect(findingTerms(searchTerms("2.5 cm liver lesion"))).toEqual(["liver", "lesion"]);
    expect(findingTerms(searchTerms("3mm nodule"))).toEqual(["nodule"]);
  });

  it("keep numbers that are not sizes, and level names", () => {
    expect(findingTerms(searchTerms("L1 compression fracture"))).toEqual(["l1", "compression", "fracture"]);
    expect(findingTerms(searchTerms("grade 2 splenic injury"))).toEqual(["grade", "2", "splenic", "injury"]);
    expect(findingTerms(searchTerms("mm"))).toEqual(["mm"]);
  });

  it("leave out severity words but not size words, which name findings too", () => {
    expect(findingTerms(searchTerms("mild right ventricular dilation"))).toEqual(["right", "ventricular", "dilation"]);
    expect(findingTerms(searchTerms("moderately severe stenosis"))).toEqual(["stenosis"]);
    expect(findingTerms(searchTerms("small bowel obstruction"))).toEqual(["small", "bowel", "obstruction"]);
  });

  it("keep everything when nothing else would be left", () => {
    expect(findingTerms(searchTerms("mild"))).toEqual(["mild"]);
    expect(findingTerms(searchTerms("5 mm"))).toEqual(["5", "mm"]);
  });
});
