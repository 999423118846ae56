// The radiology lexicon: the shipped file loads, every entry has a source, a malformed line is
// refused naming its line and the reason, and a query is rewritten as the entries say.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type CompiledLexicon, Lexicon, LexiconError, numberless, parseLexicon, parseLexiconFiles, readCompiledLexicon, readLexiconFolder, shippedLexicon } from "../src/index/lexicon.js";

const FOLDER = fileURLToPath(new URL("../src/index/lexicon/", import.meta.url));
const SHIPPED = readdirSync(FOLDER).filter((name) => name.endsWith(".tsv")).sort().map((name) => FOLDER + name);
const HEADER = "term\texpansion\tkind\tsource";
const parse = (...lines: string[]) => parseLexicon([`# a note`, HEADER, ...lines].join("\n"), "test.tsv");

describe("the radiology lexicon", () => {
  it("ships files that load, each entry with a kind and a source", () => {
    expect(SHIPPED.map((f) => f.slice(FOLDER.length))).toContain("radiology-lexicon.tsv");
    const entries = SHIPPED.flatMap((file) => parseLexicon(readFileSync(file, "utf8"), file));
    expect(entries.length).toBeGreaterThan(150);
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(["abbreviation", "spelling", "equivalent", "site", "number", "adjective"]));
    expect(entries.every((e) => e.source.length > 3)).toBe(true);
    expect(shippedLexicon().entries.length).toBe(entries.length);
  });

  it("refuses a malformed line, naming the line and the reason", () => {
    const fails = (lines: string[], message: RegExp) => {
      expect(() => parse(...lines)).toThrow(LexiconError);
      expect(() => parse(...lines)).toThrow(message);
    };
    fails(["ptx\tpneumothorax\tabbreviation"], /test\.tsv line 3: expected 4 tab-separated cells \(term, expansion, kind, source\), got 3/);
    fails(["ptx\tpneumothorax\tabbreviation\treport", "ptx pneumothorax abbreviation report"], /line 4: expected 4 tab-separated cells/);
    fails(["ptx\tpneumothorax\tshorthand\treport"], /line 3: unknown kind "shorthand"; use one of abbreviation, spelling, equivalent, site, number, adjective/);
    fails(["bile duct\tbiliary\tadjective\treport"], /line 3: the adjective entry "bile duct" must name one word/);
    fails(["ptx\tpneumothorax\tabbreviation\t"], /line 3: "ptx" has no source or rationale/);
    fails(["--\tpneumothorax\tabbreviation\treport"], /line 3: the term has no letter or digit/);
    fails(["ptx\t?\tabbreviation\treport"], /line 3: the expansion of "ptx" has no letter or digit/);
    fails(["PTX\tptx\tabbreviation\treport"], /line 3: "PTX" expands to itself/);
    fails(["ptx\tpneumothorax\tabbreviation\treport", "", "PTX\tpneumothorax\tabbreviation\tagain"], /line 5: "PTX" is already defined on line 3/);
    expect(() => parseLexicon("ptx\tpneumothorax\tabbreviation\treport", "x.tsv")).toThrow(/x\.tsv line 1: expected the header/);
    expect(() => parseLexicon("# only a note\n", "x.tsv")).toThrow(/x\.tsv: no header line/);
  });

  it("refuses a term defined in two files, naming both", () => {
    const file = (name: string, ...lines: string[]) => ({ text: [HEADER, ...lines].join("\n"), file: name });
    const a = file("a.tsv", "ptx\tpneumothorax\tabbreviation\treport");
    const b = file("b.tsv", "chf\tcongestive heart failure\tabbreviation\treport", "PTX\tpneumothorax\tabbreviation\tagain");
    expect(() => parseLexiconFiles([a, b])).toThrow(/b\.tsv line 3: "ptx" is already defined in a\.tsv line 2/);
    expect(parseLexiconFiles([a, file("c.tsv", "chf\tcongestive heart failure\tabbreviation\treport")]).map((e) => `${e.file}:${e.line}`)).toEqual(["a.tsv:2", "c.tsv:2"]);
  });

  it("refuses two terms that differ only by articles and expand differently, naming both", () => {
    const a = { text: [HEADER, "lump in the breast\tbreast mass\tequivalent\tlay phrase"].join("\n"), file: "a.tsv" };
    const b = { text: [HEADER, "lump in breast\tbreast lesion\tequivalent\tlay phrase"].join("\n"), file: "b.tsv" };
    expect(() => parseLexiconFiles([a, b])).toThrow(/b\.tsv line 2: "lump in breast" is "lump in the breast" of a\.tsv line 2/);
    const same = { text: [HEADER, "lump in breast\tbreast mass\tequivalent\tlay phrase"].join("\n"), file: "c.tsv" };
    expect(parseLexiconFiles([a, same])).toHaveLength(2);
  });

  it("joins an organ and its adjectives both ways, and rewrites nothing with them", () => {
    const lexicon = new Lexicon(parse("liver\thepatic\tadjective\treport", "bowel\tintestinal enteric\tadjective\treport", "intestine\tintestinal\tadjective\treport"));
    expect(lexicon.adjectives.get("liver")).toEqual(["liver", "hepatic"]);
    expect(lexicon.adjectives.get("hepatic")).toEqual(["liver", "hepatic"]);
    expect(lexicon.adjectives.get("intestinal")).toEqual(["bowel", "intestinal", "enteric", "intestine"]);
    expect(lexicon.rewrite("liver lesion")).toEqual({ text: undefined, siteWords: [], siteTerms: [] });
  });

  it("rewrites the longest term at each word; a site term only adds its organ for general models", () => {
    const lexicon = new Lexicon(
      parse(
        "ptx\tpneumothorax\tabbreviation\treport",
        "free air\tpneumoperitoneum\tequivalent\treport",
        "free\tunbound\tequivalent\treport",
        "upper lobe\tupper lobe lung\tsite\treport",
      ),
    );
    expect(lexicon.rewrite("Small right PTX")).toEqual({ text: "small right pneumothorax", siteWords: [], siteTerms: [], whole: false });
    expect(lexicon.rewrite("free air under the diaphragm")).toEqual({ text: "pneumoperitoneum under the diaphragm", siteWords: [], siteTerms: [], whole: false });
    expect(lexicon.rewrite("right upper lobe nodule")).toEqual({ text: undefined, siteWords: ["lung"], siteTerms: ["upper", "lobe"] });
    expect(lexicon.rewrite("right upper lobe PTX")).toEqual({ text: "right upper lobe pneumothorax", siteWords: ["lung"], siteTerms: ["upper", "lobe"], whole: false });
    expect(lexicon.rewrite("pneumothorax")).toEqual({ text: undefined, siteWords: [], siteTerms: [] });
    // One term, the whole query but for articles: the lexicon's word on the query as its writers saw it.
    expect(lexicon.rewrite("the PTX")).toEqual({ text: "the pneumothorax", siteWords: [], siteTerms: [], whole: true });
    expect(lexicon.rewrite("free air")).toEqual({ text: "pneumoperitoneum", siteWords: [], siteTerms: [], whole: true });
  });

  it("matches a term with or without articles and with one filler or side word inside it; a last 'a' is a letter", () => {
    const lexicon = new Lexicon(
      parse(
        "air under the skin\tsubcutaneous emphysema\tequivalent\tplain description",
        "triple a\tabdominal aortic aneurysm\tequivalent\tspoken name",
        "blood around the lung\themothorax\tequivalent\tplain description",
      ),
    );
    expect(lexicon.rewrite("air under skin").text).toBe("subcutaneous emphysema");
    expect(lexicon.rewrite("air under the the skin").text).toBe("subcutaneous emphysema");
    expect(lexicon.rewrite("air trapped under the skin of the chest").text).toBe("subcutaneous emphysema of the chest");
    expect(lexicon.rewrite("blood pooled around a lung").text).toBe("hemothorax");
    // A side word inside a term is kept, before the expansion.
    expect(lexicon.rewrite("small blood around the left lung").text).toBe("small left hemothorax");
    // One filler, not two; and not any word.
    expect(lexicon.rewrite("blood pooled collected around the lung").text).toBeUndefined();
    expect(lexicon.rewrite("air deep under the skin").text).toBeUndefined();
    // "a" ending a term is a letter, not an article: "triple" alone is no term.
    expect(lexicon.rewrite("triple a").text).toBe("abdominal aortic aneurysm");
    expect(lexicon.rewrite("triple mogul sign").text).toBeUndefined();
  });

  it("takes an 'A of B' term in the other order too ('B A'), for a whole query but for side, severity and size", () => {
    const lexicon = new Lexicon(
      parse(
        "thinning of bone	osteopenia	equivalent	plain description",
        "osteoarthritis of the knee	degenerative joint changes	equivalent	SNOMED CT",
        "blockage of the bowel	bowel obstruction	equivalent	plain description",
        "bowel blockage	small bowel obstruction	equivalent	written as a term",
        "swelling of the aorta	aortic aneurysm	equivalent	plain description",
        "swelling of aorta	aortic dilation	equivalent	the same words, another expansion",
      ),
    );
    expect(lexicon.rewrite("bone thinning").text).toBe("osteopenia");
    expect(lexicon.rewrite("knee osteoarthritis").text).toBe("degenerative joint changes");
    expect(lexicon.rewrite("severe right knee osteoarthritis").text).toBe("severe right degenerative joint changes");
    expect(lexicon.rewrite("2 cm left knee osteoarthritis").text).toBe("2 cm left degenerative joint changes");
    expect(lexicon.rewrite("R knee osteoarthritis").text).toBe("r degenerative joint changes");
    // Inside a longer phrase its words may be a registry title's: left as typed.
    expect(lexicon.rewrite("areas of bone thinning").text).toBeUndefined();
    // A term the files write wins over another's reversed form.
    expect(lexicon.rewrite("bowel blockage").text).toBe("small bowel obstruction");
    // Two terms whose reversed forms meet with different expansions give none.
    expect(lexicon.rewrite("aorta swelling").text).toBeUndefined();
    expect(lexicon.rewrite("swelling of the aorta").text).toBe("aortic aneurysm");
  });

  it("takes a 'B A' term in the other order too ('A of the B'), for a whole query but for side, severity and size; never one with a joining word", () => {
    const lexicon = new Lexicon(
      parse(
        "lad stenosis	left anterior descending coronary artery stenosis	equivalent	report phrase",
        "c2 fracture	upper cervical spine fracture	equivalent	report phrase",
        "kidney stone	urinary tract calculus	equivalent	lay term",
        "stone of kidney	nephrolithiasis	equivalent	written as a term",
        "air in chest	pneumothorax	equivalent	plain description",
      ),
    );
    expect(lexicon.rewrite("stenosis of the LAD").text).toBe("left anterior descending coronary artery stenosis");
    expect(lexicon.rewrite("severe stenosis of the LAD").text).toBe("severe left anterior descending coronary artery stenosis");
    expect(lexicon.rewrite("fracture of C2").text).toBe("upper cervical spine fracture");
    // Inside a longer phrase, left as typed.
    expect(lexicon.rewrite("stenosis of the LAD stent").text).toBeUndefined();
    // A term the files write wins over another's other order.
    expect(lexicon.rewrite("stone of the kidney").text).toBe("nephrolithiasis");
    // "air in chest" is no compound: "in chest of air" is nothing.
    expect(lexicon.rewrite("in chest of air").text).toBeUndefined();
  });

  it("takes a side letter inside a term as a side word ('OA of the R knee')", () => {
    const lexicon = new Lexicon(parse("osteoarthritis of the knee	degenerative joint changes	equivalent	SNOMED CT"));
    expect(lexicon.rewrite("osteoarthritis of the R knee").text).toBe("r degenerative joint changes");
    expect(lexicon.rewrite("osteoarthritis of the lt knee").text).toBe("lt degenerative joint changes");
    // One side word, not two.
    expect(lexicon.rewrite("osteoarthritis of the r l knee").text).toBeUndefined();
  });

  it("joins a word an expansion gave to a word of the query or of another expansion into a term ('rt effusion', 'small eff', 'rt eff')", () => {
    const lexicon = new Lexicon(
      parse(
        "rt\tright\tabbreviation\treport shorthand",
        "eff\teffusion\tabbreviation\treport shorthand",
        "oa\tosteoarthritis\tabbreviation\treport shorthand",
        "right effusion\tright pleural effusion\tequivalent\treport phrase",
        "small effusion\tsmall pleural effusion\tequivalent\treport phrase",
        "osteoarthritis of the knee\tdegenerative joint changes\tequivalent\tSNOMED CT",
      ),
    );
    expect(lexicon.rewrite("rt effusion").text).toBe("right pleural effusion");
    expect(lexicon.rewrite("small eff").text).toBe("small pleural effusion");
    expect(lexicon.rewrite("knee oa").text).toBe("degenerative joint changes");
    expect(lexicon.rewrite("rt eff").text).toBe("right pleural effusion");
    // Never a term within one expansion's words: an expansion that is itself a term stays as it is.
    expect(new Lexicon(parse("sr\tright effusion\tabbreviation\ttest", "right effusion\tright pleural effusion\tequivalent\ttest")).rewrite("sr").text).toBe("right effusion");
  });

  it("keeps a side word that names a heart chamber out of a term ('enlarged right ventricle')", () => {
    const lexicon = new Lexicon(parse("enlarged ventricles\thydrocephalus\tequivalent\treport phrase"));
    expect(lexicon.rewrite("enlarged left ventricles").text).toBeUndefined();
    expect(lexicon.rewrite("enlarged ventricles").text).toBe("hydrocephalus");
  });

  it("matches a term whose words differ from the query's only in number, after the terms as written", () => {
    expect(["lesions", "lesion", "bodies", "body", "masses", "mass", "bruises", "bruise", "abscesses", "stenosis", "venous", "ribs", "gas"].map(numberless)).toEqual([
      "lesion", "lesion", "body", "body", "mass", "mass", "bruis", "bruis", "abscess", "stenosis", "venous", "rib", "gas",
    ]);
    const lexicon = new Lexicon(
      parse(
        "small effusion\tsmall pleural effusion\tequivalent\treport phrase",
        "thoracic empyema\tempyema\tequivalent\treport phrase",
        "lung spots\tmultiple pulmonary nodules\tequivalent\tlay words",
        "lung spot\tpulmonary nodule\tequivalent\tlay words",
      ),
    );
    expect(lexicon.rewrite("small effusions").text).toBe("small pleural effusion");
    expect(lexicon.rewrite("bilateral thoracic empyemas").text).toBe("bilateral empyema");
    // The term as written wins over its other number.
    expect(lexicon.rewrite("lung spots").text).toBe("multiple pulmonary nodules");
    expect(lexicon.rewrite("lung spot").text).toBe("pulmonary nodule");
  });

  it("compiles to a form that a program reads back as the same lexicon (what the build ships in dist/)", () => {
    const lexicon = readLexiconFolder(FOLDER);
    const back = Lexicon.fromCompiled(JSON.parse(JSON.stringify(lexicon.compiled(FOLDER))) as CompiledLexicon, FOLDER);
    expect(back.entries).toEqual(lexicon.entries);
    expect([...back.adjectives]).toEqual([...lexicon.adjectives]);
    for (const q of ["rt eff", "small effusions", "knee OA", "bone thinning", "left upper lobe collapse", "air trapped under the skin of the chest", "R IJ CVC"]) {
      expect(back.rewrite(q)).toEqual(lexicon.rewrite(q));
    }
    expect(() => Lexicon.fromCompiled({ ...lexicon.compiled(FOLDER), format: 0 }, FOLDER)).toThrow(/format 0, not 1: run the build again/);
    // A damaged file: named, with what to do.
    const dir = mkdtempSync(path.join(tmpdir(), "lexicon-"));
    try {
      const file = path.join(dir, "compiled.json");
      writeFileSync(file, JSON.stringify(lexicon.compiled(FOLDER)).slice(0, 1000));
      expect(() => readCompiledLexicon(file, FOLDER)).toThrow(LexiconError);
      expect(() => readCompiledLexicon(file, FOLDER)).toThrow(`${file}: not a compiled lexicon (`);
      expect(() => readCompiledLexicon(file, FOLDER)).toThrow(/\); run the build again$/);
      writeFileSync(file, JSON.stringify({ format: 1, entries: [] }));
      expect(() => readCompiledLexicon(file, FOLDER)).toThrow(`${file}: the compiled lexicon lacks its entries, terms or adjectives: run the build again`);
      writeFileSync(file, JSON.stringify(lexicon.compiled(FOLDER)));
      expect(readCompiledLexicon(file, FOLDER).entries).toEqual(lexicon.entries);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("joins two words written with a hyphen when the index or a term holds the joined word and lacks a half ('pneumo-thorax')", () => {
    const lexicon = new Lexicon(parse("pneumothorax under tension\ttension pneumothorax\tequivalent\tplain description"));
    const indexed = (words: string[]) => ({ has: (w: string) => words.includes(w), nearest: () => undefined });
    const registry = indexed(["pneumobilia", "intracranial", "hemorrhage", "x", "ray", "xray", "bulls", "eye", "bullseye"]);
    expect(lexicon.rewrite("pneumo-bilia", registry).text).toBe("pneumobilia");
    expect(lexicon.rewrite("Intra-cranial hemorrhage", registry).text).toBe("intracranial hemorrhage");
    // A term's word, joined, is then read as the term.
    expect(lexicon.rewrite("pneumo-thorax under tension", registry).text).toBe("tension pneumothorax");
    // Both halves indexed (the registry writes them apart too), or nothing holds the joined word: as typed.
    expect(lexicon.rewrite("x-ray hardware", registry).text).toBeUndefined();
    expect(lexicon.rewrite("bulls-eye lesions", registry).text).toBeUndefined();
    expect(lexicon.rewrite("fluid-fluid level", registry).text).toBeUndefined();
    // Digits are no halves; and without the index's words nothing is joined.
    expect(lexicon.rewrite("T2-weighted", registry).text).toBeUndefined();
    expect(lexicon.rewrite("pneumo-bilia").text).toBeUndefined();
  });

  it("forgives one typing error in a term's word that the index neither holds nor is one error from", () => {
    const lexicon = new Lexicon(
      parse("broken collarbone\tclavicle fracture\tequivalent\tlay words", "scarred lungs\tinterstitial lung fibrosis\tequivalent\tlay words"),
    );
    const indexed = (words: string[], near: Record<string, string> = {}) => ({ has: (w: string) => words.includes(w), nearest: (w: string) => near[w] });
    const registry = indexed(["broken", "lungs", "clavicle", "fracture"]);
    expect(lexicon.rewrite("broken colarbone", registry).text).toBe("clavicle fracture");
    expect(lexicon.rewrite("scared lungs", registry).text).toBe("interstitial lung fibrosis");
    expect(lexicon.rewrite("broken collarbnoe", registry).text).toBe("clavicle fracture");
    // Without the index's words, as typed; and so a word the index holds or is one error from.
    expect(lexicon.rewrite("broken colarbone").text).toBeUndefined();
    expect(lexicon.rewrite("broken colarbone", indexed(["broken", "colarbone"])).text).toBeUndefined();
    expect(lexicon.rewrite("broken colarbone", indexed(["broken"], { colarbone: "carbone" })).text).toBeUndefined();
    // A word no term takes is shown as typed.
    expect(lexicon.rewrite("colarbone pain", registry).text).toBeUndefined();
    expect(lexicon.rewrite("scared lungs and colarbone", registry).text).toBe("interstitial lung fibrosis and colarbone");
    // Only the words search takes (32) are looked at, and none longer than a term word and a letter.
    const filler = Array.from({ length: 31 }, () => "broken").join(" ");
    expect(lexicon.rewrite(`${filler} broken colarbone`, registry).text).toBeUndefined();
    expect(lexicon.rewrite(`${filler.split(" ").slice(1).join(" ")} broken colarbone`, registry).text).toBe(`${filler.split(" ").slice(1).join(" ")} clavicle fracture`);
    expect(lexicon.rewrite(`broken ${"colarbone".repeat(5000)}`, registry).text).toBeUndefined();
  });
});
