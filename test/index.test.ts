import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { openIndex } from "../src/index/open-index.js";
import { findModelFiles } from "../src/index/scan.js";
import { generateFolder } from "../src/index/generate-folder.js";
import type { SyncTuning } from "../src/index/internal.js";
import { syncFolder, type SyncReport } from "../src/index/sync.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import { partsOf, type ChangeParts } from "../src/store/store.js";
import { toCanonicalJson } from "../src/model/canonical.js";
import { CONFLICTS, CORPUS, DEFS } from "./corpus.js";
import { wordsOf } from "../src/model/words.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-index-"));
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

let dbCount = 0;
const open = () => openIndex({ db: path.join(work, `t${++dbCount}.db`) });

describe("sync of the real registry", () => {
  let index: FindingModelIndex;
  beforeAll(async () => {
    index = await open();
  });
  afterAll(() => index.close());

  // 45 of the registry's files have a name or synonym of another model (53 of them in all): the
  // registry accepts them, and so does a sync by default, with a warning for each.
  const SHARED_FILES = 45;
  const SHARED_TERMS = 53;

  it("refuses the registry with strictSynonyms, naming each shared synonym, and changes nothing", async () => {
    const report = await index.sync(DEFS, { strictSynonyms: true });
    expect(report.applied).toBe(false);
    expect(report.added).toBe(0);
    expect(report.warnings).toEqual([]);
    expect(report.errors).toHaveLength(SHARED_TERMS);
    expect(new Set(report.errors.map((e) => e.file)).size).toBe(SHARED_FILES);
    expect(report.errors.find((e) => e.file.endsWith("aortic_calcification.fm.json"))?.message).toMatch(/"aortic atherosclerosis" is also the name of OIFM_\w+_\d+ in .*aortic_atherosclerosis\.fm\.json \(refused with --strict-synonyms\)/);
    expect(await index.count()).toBe(0);
  });

  it("indexes all 2,382 definitions by default, warning of each shared synonym, then finds nothing to do", async () => {
    const first = await index.sync(DEFS);
    expect(first).toMatchObject({ added: 2382, updated: 0, removed: 0, unchanged: 0, skipped: 0, errors: [], applied: true });
    expect(first.warnings).toHaveLength(SHARED_TERMS);
    expect(new Set(first.warnings.map((w) => w.file)).size).toBe(SHARED_FILES);
    // Each names the file, where in it, and the other model with its file.
    for (const w of first.warnings) {
      expect(w.file).toMatch(/\.fm\.json$/);
      expect(w.path).toMatch(/^\$\.(name|synonyms\[\d+\])$/);
      expect(w.message).toMatch(/^the (name|synonym) "[^"]+" (is a synonym of|is also the (name|synonym) of) OIFM_\w+ in \S+\.fm\.json$/);
    }
    expect(first.warnings).toContainEqual({
      file: DEFS + "alveolar_lung_disease.fm.json",
      path: "$.synonyms[3]",
      message: `the synonym "pulmonary consolidation" is also the synonym of OIFM_OIDM_628702 in ${DEFS}airspace_consolidation.fm.json`,
    });
    expect(await index.count()).toBe(2382);
    // A shared synonym finds one of its models.
    expect(["OIFM_OIDM_628702", (await index.get("alveolar lung disease"))!.oifm_id]).toContain((await index.get("pulmonary consolidation"))!.oifm_id);
    const second = await index.sync(DEFS);
    expect(second).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 2382, errors: [], warnings: [], applied: false });
  });

  it("still takes the deprecated allowDuplicateSynonyms, and ignores it", async () => {
    const other = await open();
    try {
      const report = await other.sync(DEFS);
      expect(report).toMatchObject({ added: 2382, errors: [], applied: true });
      expect(report.warnings).toHaveLength(SHARED_TERMS);
    } finally {
      await other.close();
    }
  });

  it("warns of a synonym shared with a model already in the index, on a later sync of one file", async () => {
    const dir = path.join(work, "later");
    cpSync(DEFS, dir, { recursive: true });
    const later = "alveolar_lung_disease.fm.json";
    unlinkSync(path.join(dir, later));
    const other = await open();
    try {
      const first = await other.sync(dir);
      expect(first.warnings.some((w) => w.file.endsWith(later) || w.message.includes(later))).toBe(false);
      cpSync(DEFS + later, path.join(dir, later));
      const report = await other.sync(dir);
      expect(report).toMatchObject({ added: 1, unchanged: 2381, errors: [], applied: true });
      expect(report.warnings.length).toBeGreaterThanOrEqual(2);
      // Each involves the added file and names the other file by its path, as a sync into a new
      // index does: the later file in path order gets the warning, whether the index held it or not.
      for (const w of report.warnings) {
        expect(w.file === path.join(dir, later) || w.message.endsWith(` in ${path.join(dir, later)}`), w.message).toBe(true);
        expect(w.message).toMatch(new RegExp(` in ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\S+\\.fm\\.json$`));
      }
      expect(report.warnings).toContainEqual({
        file: path.join(dir, later),
        path: "$.synonyms[3]",
        message: `the synonym "pulmonary consolidation" is also the synonym of OIFM_OIDM_628702 in ${path.join(dir, "airspace_consolidation.fm.json")}`,
      });
      // strictSynonyms refuses the same file, and changes nothing.
      const changed = JSON.parse(readFileSync(DEFS + later, "utf8"));
      changed.description += " Changed.";
      writeFileSync(path.join(dir, later), JSON.stringify(changed, null, 2));
      const strict = await other.sync(dir, { strictSynonyms: true });
      expect(strict).toMatchObject({ applied: false, warnings: [] });
      expect(strict.errors.map((e) => e.path)).toContain("$.synonyms[3]");
    } finally {
      await other.close();
    }
  }, 60_000);

  it("refuses a single file or a missing folder as the folder to sync, changing nothing", async () => {
    await expect(index.sync(DEFS + "abdominal_abscess.fm.json")).rejects.toThrow(/is a file; sync takes the folder/);
    await expect(index.sync(DEFS + "no-such-folder")).rejects.toThrow(/does not exist/);
    expect(await index.count()).toBe(2382);
  });

  it("gives back each whole model exactly as its file holds it", async () => {
    for (const file of ["abdominal_abscess.fm.json", "breast_density.fm.json", "cervical_lymph_nodes.fm.json"]) {
      const text = readFileSync(DEFS + file, "utf8");
      const id = JSON.parse(text).oifm_id;
      expect(toCanonicalJson((await index.getFull(id))!)).toBe(text);
    }
    const batch = await index.getFullBatch(["OIFM_GMTS_004244", "OIFM_MSFT_134126", "OIFM_NONE_000000"]);
    expect([...batch.keys()].sort()).toEqual(["OIFM_GMTS_004244", "OIFM_MSFT_134126"]);
  });

  it("looks models up by ID, name and synonym, ignoring case", async () => {
    expect((await index.get("OIFM_MSFT_134126"))?.name).toBe("abdominal aortic aneurysm");
    expect((await index.get("Abdominal Aortic ANEURYSM"))?.oifm_id).toBe("OIFM_MSFT_134126");
    expect((await index.get("aaa"))?.oifm_id).toBe("OIFM_MSFT_134126");
    expect(await index.contains("no such finding")).toBe(false);
  });

  it("writes the registry's ids.json and index.md from the index", async () => {
    expect(await index.toIdsJson()).toBe(readFileSync(CORPUS + "ids.json", "utf8"));
    const ours = (await index.toIndexMarkdown()).split("\n");
    const theirs = readFileSync(CORPUS + "index.md", "utf8").split("\n");
    const differing = ours.filter((line, i) => line !== theirs[i]);
    // Only the two rows whose JSON link the registry got wrong (see registry-files.ts).
    expect(differing.map((l) => l.split(" | ")[0]).sort()).toEqual(["| OIFM_MSFT_156954", "| OIFM_MSFT_642865"]);
  });

  it("merges a contributor's details found in several files", async () => {
    expect(await index.getPerson("HeatherChase")).toEqual({
      github_username: "HeatherChase",
      email: "heatherchase@microsoft.com",
      name: "Heather Chase",
      organization_code: "MSFT",
      url: "https://www.linkedin.com/in/heatherwalkerchase/",
    });
    const codes = new Set(readdirSync(DEFS).flatMap((f) => (JSON.parse(readFileSync(DEFS + f, "utf8")).contributors ?? []).filter((c: { code?: string }) => c.code).map((c: { code: string }) => c.code)));
    expect(await index.countOrganizations()).toBe(codes.size);
    expect((await index.getOrganization("GMTS"))?.name).toBe("Radiology Gamuts Ontology");
  });

  it("lists, counts tags and finds by slug", async () => {
    const page = await index.list({ limit: 5, offset: 10 });
    expect(page.total).toBe(2382);
    expect(page.items).toHaveLength(5);
    const tags = await index.tags();
    expect(tags[0]!.count).toBeGreaterThanOrEqual(tags[1]!.count);
    const ct = tags.find((t) => t.tag.toLowerCase() === "ct");
    expect(ct?.count).toBeGreaterThan(100);
    const prefix = await index.searchBySlug("abdominal_a", { match: "prefix" });
    expect(prefix.items.map((e) => e.slugName)).toEqual(expect.arrayContaining(["abdominal_abscess", "abdominal_aortic_aneurysm"]));
    expect((await index.searchBySlug("abdominal_abscess", { match: "exact" })).total).toBe(1);
  });

  describe("search", () => {
    it("puts an exact name or synonym match first", async () => {
      expect((await index.search("pneumothorax"))[0]!.name.toLowerCase()).toBe("pneumothorax");
      expect((await index.search("AAA"))[0]!.oifm_id).toBe("OIFM_MSFT_134126");
      expect((await index.search("OIFM_GMTS_004244"))[0]!.name).toBe("abdominal abscess");
    });

    it("matches plural and singular, case and punctuation", async () => {
      const singular = (await index.search("pulmonary nodule")).map((e) => e.oifm_id);
      const plural = (await index.search("Pulmonary Nodules!")).map((e) => e.oifm_id);
      expect(singular.length).toBeGreaterThan(3);
      expect(plural.filter((id) => singular.includes(id)).length).toBeGreaterThan(2);
      expect((await index.search("intra-abdominal abscess")).map((e) => e.name)).toContain("abdominal abscess");
    });

    it("fills up to the limit without duplicates and filters by tags", async () => {
      const results = await index.search("fracture", { limit: 25 });
      expect(results).toHaveLength(25);
      expect(new Set(results.map((e) => e.oifm_id)).size).toBe(25);
      const tagged = await index.search("fracture", { limit: 50, tags: ["CT", "MSK"] });
      for (const e of tagged) expect(e.tags.map((t) => t.toLowerCase())).toEqual(expect.arrayContaining(["ct", "msk"]));
    });

    it("is safe with any string and says so for a blank one", async () => {
      for (const q of ['"', "NEAR(", "*", "-", "(((", "a OR b", "'; DROP TABLE models; --", "x".repeat(10_000), "🫁 lung", "pneumo*", "^", "lung AND"]) {
        // Read as the words it holds: the same results as those words typed plainly; none without a word.
        const words = wordsOf(q);
        const plain = words.length === 0 ? [] : await index.search(words.join(" "));
        expect((await index.search(q)).map((e) => e.oifm_id), q.slice(0, 40)).toEqual(plain.map((e) => e.oifm_id));
      }
      expect(await index.count()).toBe(2382);
      await expect(index.search("   ")).rejects.toThrow(/blank/);
      await expect(index.search("lung", { limit: 0 })).rejects.toThrow(/limit must be a whole number from 1 to 1000/);
    });

    it("answers a batch like single searches", async () => {
      const queries = ["pneumothorax", "liver lesion", "AAA", "renal cyst"];
      const batch = await index.searchBatch(queries, { limit: 5 });
      for (const q of queries) expect(batch.get(q)!.map((e) => e.oifm_id)).toEqual((await index.search(q, { limit: 5 })).map((e) => e.oifm_id));
    });
  });
});

describe("keeping in step with a changing folder", () => {
  const dir = path.join(work, "defs");
  let index: FindingModelIndex;
  beforeAll(async () => {
    cpSync(DEFS, dir, { recursive: true });
    index = await open();
    await index.sync(dir);
  });
  afterAll(() => index.close());

  it("updates a changed file and removes a deleted one; readers see the change at once", async () => {
    expect((await index.search("abdominal abscess"))[0]!.name).toBe("abdominal abscess");
    const file = path.join(dir, "abdominal_abscess.fm.json");
    const model = JSON.parse(readFileSync(file, "utf8"));
    model.name = "abdominal abscess collection";
    writeFileSync(file, JSON.stringify(model, null, 2));
    unlinkSync(path.join(dir, "abdominal_clips.fm.json"));
    const report = await index.sync(dir);
    expect(report).toMatchObject({ added: 0, updated: 1, removed: 1, unchanged: 2380, errors: [] });
    expect(await index.get("abdominal abscess")).toBeUndefined();
    expect((await index.search("abdominal abscess"))[0]!.name).toBe("abdominal abscess collection");
    expect(await index.get("abdominal clips")).toBeUndefined();
  });

  it("does not rewrite an entry whose file was only touched", async () => {
    const file = path.join(dir, "abdominal_aortic_aneurysm.fm.json");
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    const report = await index.sync(dir);
    expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 2381 });
    expect((await index.sync(dir)).applied).toBe(false);
  });

  it("with real clashes, changes nothing by default and indexes the rest with skipInvalid", async () => {
    cpSync(CONFLICTS, path.join(dir, "conflicts"), { recursive: true });
    const strict = await index.sync(dir);
    expect(strict.applied).toBe(false);
    const failing = new Set(strict.errors.map((e) => path.basename(e.file)));
    expect([...failing]).toEqual(expect.arrayContaining(["pneumothorax.fm.json", "incidental_pulmonary_nodules.fm.json", "pulmonary_embolism.fm.json"]));
    // Of two files that clash, the later one in path order gets the error, whether the index held
    // it or not: here the indexed pneumothorax.fm.json, after conflicts/merge_gamuts/.
    expect(strict.errors.find((e) => e.file === path.join(dir, "pneumothorax.fm.json"))?.message).toMatch(/name "Pneumothorax" is also the name of \w+ in \S+conflicts\/merge_gamuts\/pneumothorax\.fm\.json/i);
    expect(strict.errors.some((e) => e.file.endsWith("conflicts/merge_gamuts/pneumothorax.fm.json"))).toBe(false);
    expect(await index.count()).toBe(2381);
    // The same verdict as a sync of the same folder into a new index.
    const fresh = await open();
    try {
      const anew = await fresh.sync(dir);
      const verdict = (r: typeof strict) => r.errors.map((e) => `${e.file} ${e.path} ${e.message}`).sort();
      expect(verdict(anew)).toEqual(verdict(strict));
      const lenient = await index.sync(dir, { skipInvalid: true });
      expect(lenient.applied).toBe(true);
      expect(lenient.skipped).toBe(failing.size);
      expect(verdict(lenient)).toEqual(verdict(strict));
      // The indexed files that lost a clash left the index, as they are not in a new one.
      const dropped = new Set(strict.errors.filter((e) => !e.file.includes("/conflicts/")).map((e) => e.file)).size;
      expect(dropped).toBeGreaterThan(0);
      expect(await index.count()).toBe(2381 + lenient.added - dropped);
      await fresh.sync(dir, { skipInvalid: true });
      expect(await index.toIdsJson()).toEqual(await fresh.toIdsJson());
      rmSync(path.join(dir, "conflicts"), { recursive: true });
      expect(await index.sync(dir)).toMatchObject({ removed: lenient.added, added: dropped, errors: [] });
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it("adds, updates and removes single files", async () => {
    mkdirSync(path.join(work, "single"), { recursive: true });
    const file = path.join(work, "single", "test_single_finding.fm.json");
    cpSync(path.join(DEFS, "abdominal_wall_mass.fm.json"), file);
    const model = JSON.parse(readFileSync(file, "utf8"));
    model.oifm_id = "OIFM_TEST_000001";
    model.name = "test single finding";
    model.synonyms = ["single test synonym"];
    model.attributes.forEach((a: { oifma_id: string }, i: number) => (a.oifma_id = `OIFMA_TEST_00000${i}`));
    writeFileSync(file, JSON.stringify(model, null, 2));
    expect(await index.addOrUpdateFromFile(file)).toBe("added");
    expect(await index.addOrUpdateFromFile(file)).toBe("unchanged");
    expect((await index.get("single test synonym"))?.oifm_id).toBe("OIFM_TEST_000001");
    expect(await index.remove("test single finding")).toBe(true);
    expect(await index.remove("test single finding")).toBe(false);
    // A file that clashes is refused with the reason.
    writeFileSync(file, readFileSync(path.join(DEFS, "pneumothorax.fm.json")));
    await expect(index.addOrUpdateFromFile(file)).rejects.toThrow(/model ID OIFM_\w+ is also used by pneumothorax\.fm\.json \(already in the index\)/);
    const kept = ["abdominal_aortic_aneurysm.fm.json"];
    expect(await index.removeUnused(kept)).toBe(2380);
    expect(await index.count()).toBe(1);
  });
});

describe("finding model files", () => {
  it("names them as path.join would, however the folder is spelt, each once", () => {
    const root = mkdtempSync(path.join(tmpdir(), "fm-scan-"));
    try {
      mkdirSync(path.join(root, "sub", "deeper"), { recursive: true });
      for (const f of ["a.fm.json", "sub/b.fm.json", "sub/deeper/c.fm.json", "sub/notes.json"]) writeFileSync(path.join(root, f), "{}");
      const expected = (dir: string) => ["a.fm.json", "sub/b.fm.json", "sub/deeper/c.fm.json"].map((f) => path.join(dir, f));
      const cwd = process.cwd();
      process.chdir(root);
      try {
        for (const spelling of [".", "./", "sub/..", root, root + "/"]) expect(findModelFiles([spelling]).files, spelling).toEqual(expected(spelling));
        // Two spellings of the same folder name each file once.
        expect(findModelFiles([".", root]).files).toHaveLength(3);
      } finally {
        process.chdir(cwd);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Names and synonyms of the registry's models that another of its models also has. */
const SHARED_TERMS_OF_REGISTRY = 53;

describe("a first sync (into an empty index)", () => {
  const root = path.join(work, "first");
  beforeAll(() => {
    cpSync(DEFS, path.join(root, "defs"), { recursive: true });
    cpSync(CONFLICTS, path.join(root, "conflicts"), { recursive: true });
  });
  const syncNew = async (options: SyncTuning) => {
    const store = await openSqliteStore(path.join(work, `first-${++dbCount}.db`));
    try {
      const report = await syncFolder(store, root, options);
      return { report, entries: await store.allEntries(), people: await store.people(), organizations: await store.organizations() };
    } finally {
      await store.close();
    }
  };
  const sorted = (errors: SyncReport["errors"]) => [...errors].sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));

  it("writes each file as it checks it, with the same outcome as holding them all: real clashes", async () => {
    for (const skipInvalid of [false, true]) {
      const streamed = await syncNew({ skipInvalid });
      const held = await syncNew({ skipInvalid, streamFirstSync: false });
      expect(streamed.report.errors.length).toBeGreaterThan(0);
      expect(sorted(streamed.report.errors)).toEqual(sorted(held.report.errors));
      // The same warnings, in the same order (counts below compares them).
      expect(streamed.report.warnings.length).toBeGreaterThanOrEqual(SHARED_TERMS_OF_REGISTRY);
      const { ms: _a, errors: _e, ...counts } = streamed.report;
      const { ms: _b, errors: _f, ...heldCounts } = held.report;
      expect(counts).toEqual(heldCounts);
      expect(streamed.entries).toEqual(held.entries);
      expect(streamed.people).toEqual(held.people);
      expect(streamed.organizations).toEqual(held.organizations);
      // Nothing at all by default; every valid file that clashes with nothing before it with skipInvalid.
      if (skipInvalid) {
        expect(streamed.report).toMatchObject({ applied: true, skipped: new Set(streamed.report.errors.map((e) => e.file)).size });
        expect(streamed.entries.length).toBe(streamed.report.added);
      } else {
        expect(streamed.report).toMatchObject({ applied: false, added: 0, skipped: 0 });
        expect(streamed.entries).toEqual([]);
      }
    }
  }, 60_000);

  it("goes to the store in parts of the store's size, so that no part is held long", async () => {
    const dir = path.join(work, "parts");
    generateFolder(dir, 250, { seed: 7 });
    const store = await openSqliteStore(path.join(work, `parts-${++dbCount}.db`));
    try {
      const sizes: number[] = [];
      const apply = store.apply.bind(store);
      store.apply = (changes) => {
        expect("parts" in changes && changes.allNew).toBe(true);
        const parts = partsOf(changes);
        return apply({ ...(changes as ChangeParts), parts: (function* () {
          for (const part of parts) {
            sizes.push(part.upserts.length);
            yield part;
          }
        })() });
      };
      expect(await syncFolder(store, dir)).toMatchObject({ added: 250, applied: true, errors: [] });
      expect(sizes).toEqual([100, 100, 50]);
      expect(await store.count()).toBe(250);
    } finally {
      await store.close();
    }
  });
});
