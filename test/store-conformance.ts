// What every Store must do, written once against the Store interface and run against each engine
// (see sqlite-store.test.ts). The data are the registry's real models (fixtures/registry/defs),
// turned into index entries with the project's own functions.
//
// `open` must return a new, empty store each time it is called; each test closes what it opens.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/model/canonical.js";
import { parseJsonText } from "../src/model/json-text.js";
import { slugOf } from "../src/model/slug.js";
import { wordsOf } from "../src/model/words.js";
import { isPerson, type FindingModelFull, type Organization, type Person } from "../src/model/types.js";
import { validateFindingModel } from "../src/model/validate.js";
import { StoreError, type EntryRecord, type IndexEntry, type Store, type SyncChanges } from "../src/store/store.js";
import { FindingModelIndex } from "../src/index/finding-model-index.js";
import { generateFolder } from "../src/index/generate-folder.js";
import { SyncDeclinedError, syncFiles, syncFolder, type RemovalPlan, type SyncReport } from "../src/index/sync.js";
import { CONFLICTS, DEFS, defFileNames } from "./corpus.js";

// --- the corpus as index entries ---

interface CorpusModel {
  record: EntryRecord;
  model: FindingModelFull;
}

let corpusCache: CorpusModel[] | undefined;

/** Every registry model as an entry record, in file-name order (read once per test file). */
export function corpus(): CorpusModel[] {
  corpusCache ??= defFileNames().map(readModel);
  return corpusCache;
}

function readModel(fileName: string): CorpusModel {
  const bytes = readFileSync(DEFS + fileName);
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) throw new Error(`${fileName}: ${parsed.error.message}`);
  const valid = validateFindingModel(parsed.value);
  if (!valid.ok) throw new Error(`${fileName}: ${valid.issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  const m = valid.model;
  const record: EntryRecord = {
    oifm_id: m.oifm_id,
    name: m.name,
    slugName: slugOf(m.name),
    filename: fileName,
    fileHash: createHash("sha256").update(bytes).digest("hex"),
    fileSize: bytes.length,
    fileMtimeMs: statSync(DEFS + fileName).mtimeMs,
    description: m.description,
    synonyms: m.synonyms ?? [],
    tags: m.tags ?? [],
    contributors: (m.contributors ?? []).map((c) =>
      isPerson(c) ? { kind: "person" as const, key: c.github_username, name: c.name } : { kind: "organization" as const, key: c.code, name: c.name },
    ),
    attributes: m.attributes.map((a) => ({ oifma_id: a.oifma_id, name: a.name, type: a.type })),
    modelJson: toCanonicalJson(m),
  };
  return { record, model: m };
}

export function recordOf(fileName: string): EntryRecord {
  const found = corpus().find((c) => c.record.filename === fileName);
  if (!found) throw new Error(`no ${fileName} in the corpus`);
  return found.record;
}

/** The people and organizations named as contributors by `models`, each once. */
export function contributorsOf(models: readonly CorpusModel[]): { people: Person[]; organizations: Organization[] } {
  const people = new Map<string, Person>();
  const organizations = new Map<string, Organization>();
  for (const c of models.flatMap((m) => m.model.contributors ?? [])) {
    if (isPerson(c)) people.set(c.github_username, c);
    else organizations.set(c.code, c);
  }
  return { people: [...people.values()], organizations: [...organizations.values()] };
}

export function changes(partial: Partial<SyncChanges>): SyncChanges {
  return { upserts: [], deletes: [], people: [], organizations: [], ...partial };
}

/** The entry part of a record (what reads return). */
function entryOf(r: EntryRecord): IndexEntry {
  const { modelJson: _json, ...entry } = r;
  return entry;
}

const ids = (entries: readonly IndexEntry[]): string[] => entries.map((e) => e.oifm_id);


async function expectStoreError(promise: Promise<unknown>, code: StoreError["code"], ...mentions: string[]): Promise<StoreError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a StoreError").toBeInstanceOf(StoreError);
  const err = caught as StoreError;
  expect(err.code, err.message).toBe(code);
  for (const m of mentions) expect(err.message).toContain(m);
  return err;
}

// A few models of the registry the tests lean on.
const AAA = "abdominal_aortic_aneurysm.fm.json";
const ABSCESS = "abdominal_abscess.fm.json";
const ADRENAL_NODULE = "adrenal_nodule.fm.json";
const ATHEROSCLEROSIS = "aortic_atherosclerosis.fm.json"; // its name is a synonym of aortic_calcification
const AORTIC_CALCIFICATION = "aortic_calcification.fm.json";
const LUNG_ABSCESS = "lung_abscess.fm.json";
const DIVERTICULITIS = "colonic_diverticulitis.fm.json"; // "abscess" in its description only

export interface EngineTraits {
  /** Tags weigh more than attribute names (SQLite's BM25 weights do; PostgreSQL has one weight, D, for both). */
  tagsOutweighAttributes: boolean;
}

export function describeStoreConformance(engine: string, open: () => Promise<Store>, traits: EngineTraits): void {
  /** A new store holding `files` (all of the corpus when omitted), with their contributors. */
  async function storeWith(files?: readonly string[]): Promise<Store> {
    const models = files ? files.map((f) => corpus().find((c) => c.record.filename === f)!) : corpus();
    const store = await open();
    await store.apply(changes({ upserts: models.map((m) => m.record), ...contributorsOf(models) }));
    return store;
  }

  /** Some models beside the named ones, for tests that change data. */
  const SMALL = [AAA, ABSCESS, ADRENAL_NODULE, ATHEROSCLEROSIS, AORTIC_CALCIFICATION, LUNG_ABSCESS, DIVERTICULITIS];
  const smallSet = (): string[] => [...new Set([...SMALL, ...corpus().slice(0, 40).map((c) => c.record.filename)])];

  describe(`Store conformance: ${engine}`, () => {
    // A sync of a few files reads only what they can clash with (a scoped snapshot); the checks
    // must come out exactly as from a read of the whole index.
    describe("a small batch's checks, from a scoped snapshot and from the whole index", () => {
      let scoped: Store;
      let whole: Store;
      const work = mkdtempSync(path.join(tmpdir(), "fm-scope-"));
      beforeAll(async () => {
        [scoped, whole] = [await storeWith(), await storeWith()];
      }, 120_000);
      afterAll(async () => {
        await scoped?.close();
        await whole?.close();
        rmSync(work, { recursive: true, force: true });
      });

      /** Sync `files` (under `root`) into both stores; the reports must match. */
      async function both(root: string, files: string[]): Promise<SyncReport> {
        const a = await syncFiles(scoped, { root, files }, { validationRead: "bulk" });
        const b = await syncFiles(whole, { root, files }, { validationRead: "whole" });
        const { ms: _a, ...ra } = a;
        const { ms: _b, ...rb } = b;
        expect(ra).toEqual(rb);
        return a;
      }

      it("for every real clash the registry set aside", async () => {
        const files = readdirSync(CONFLICTS, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".fm.json")).sort();
        let failed = 0;
        for (const f of files) if ((await both(CONFLICTS, [path.join(CONFLICTS, f)])).errors.length > 0) failed++;
        expect(failed).toBeGreaterThan(10);
      }, 120_000);

      it("for a changed file that clashes by contributor or synonym, or does not clash", async () => {
        // A model whose contributor (a person) other models name too.
        const source = JSON.parse(readFileSync(DEFS + AAA, "utf8"));
        const file = path.join(work, AAA);
        const person = source.contributors.find((c: { github_username?: string }) => c.github_username);
        // (The expected warning: where in the file, and its message.)
        const cases: Array<[string, (m: any) => void, RegExp | undefined, [string, RegExp] | undefined]> = [
          ["a person's e-mail", (m) => (m.contributors.find((c: { github_username?: string }) => c.github_username === person.github_username).email = "someone.else@example.org"), /other details/, undefined],
          ["a synonym that is another model's name", (m) => (m.synonyms = [...(m.synonyms ?? []), recordOf(ABSCESS).name]), undefined, [`$.synonyms[${(source.synonyms ?? []).length}]`, /^the synonym "abdominal abscess" is also the name of OIFM_\w+ in abdominal_abscess\.fm\.json \(already in the index\)$/]],
          ["a name that is another model's synonym", (m) => (m.name = "Calcified Aorta"), undefined, ["$.name", /^the name "Calcified Aorta" is a synonym of OIFM_\w+ in aortic_calcification\.fm\.json \(already in the index\)$/]],
          ["its own description", (m) => (m.description = `${m.description} Changed.`), undefined, undefined],
        ];
        for (const [what, change, error, warning] of cases) {
          const m = JSON.parse(JSON.stringify(source));
          change(m);
          writeFileSync(file, JSON.stringify(m, null, 2));
          const report = await both(work, [file]);
          if (error) expect(report.errors.map((e) => e.message).join("\n"), what).toMatch(error);
          else expect(report, what).toMatchObject({ updated: 1, errors: [] });
          if (warning) expect(report.warnings, what).toEqual([{ file, path: warning[0], message: expect.stringMatching(warning[1]) }]);
          else expect(report.warnings, what).toEqual([]);
        }
        // With strictSynonyms a shared synonym is an error of the file, and nothing changes.
        const m = JSON.parse(JSON.stringify(source));
        m.synonyms = [...(m.synonyms ?? []), recordOf(ABSCESS).name.toUpperCase()];
        writeFileSync(file, JSON.stringify(m, null, 2));
        const a = await syncFiles(scoped, { root: work, files: [file] }, { validationRead: "bulk", strictSynonyms: true });
        const b = await syncFiles(whole, { root: work, files: [file] }, { validationRead: "whole", strictSynonyms: true });
        for (const r of [a, b]) {
          expect(r).toMatchObject({ applied: false, updated: 0, warnings: [] });
          expect(r.errors).toEqual([{ file, path: `$.synonyms[${m.synonyms.length - 1}]`, message: expect.stringMatching(/is also the name of .*\(refused with --strict-synonyms\)$/) }]);
        }
      });
    });

    describe("a sync of the whole registry", () => {
      const sortedProblems = (list: SyncReport["warnings"]) => [...list].sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path));

      it("indexes it with the 53 shared names and synonyms (in 45 files) as warnings, the same written as checked or held", async () => {
        const reports: SyncReport[] = [];
        for (const streamFirstSync of [true, false]) {
          const store = await open();
          try {
            const report = await syncFolder(store, DEFS, { streamFirstSync });
            expect(report).toMatchObject({ added: corpus().length, errors: [], applied: true });
            expect(await store.count()).toBe(corpus().length);
            reports.push(report);
          } finally {
            await store.close();
          }
        }
        const [streamed, held] = reports as [SyncReport, SyncReport];
        expect(streamed.warnings).toHaveLength(53);
        expect(new Set(streamed.warnings.map((w) => w.file)).size).toBe(45);
        expect(streamed.warnings).toEqual(held.warnings);
        expect(streamed.warnings).toContainEqual({
          file: DEFS + "aortic_calcification.fm.json",
          path: "$.synonyms[2]",
          message: `the synonym "aortic atherosclerosis" is also the name of OIFM_MGB_650866 in ${DEFS}aortic_atherosclerosis.fm.json`,
        });
      }, 120_000);

      it("refuses it with strictSynonyms, each of the same as an error, and writes nothing", async () => {
        const store = await open();
        try {
          const held = await syncFolder(store, DEFS, { strictSynonyms: true, streamFirstSync: false });
          expect(held).toMatchObject({ added: 0, applied: false, warnings: [] });
          expect(held.errors).toHaveLength(53);
          expect(await store.count()).toBe(0);
          const streamed = await syncFolder(store, DEFS, { strictSynonyms: true });
          expect(sortedProblems(streamed.errors)).toEqual(sortedProblems(held.errors));
          expect(await store.count()).toBe(0);
        } finally {
          await store.close();
        }
      }, 120_000);
    });

    describe("reads, on the whole registry", () => {
      let store: Store;
      const all = () => corpus().map((c) => c.record);

      beforeAll(async () => {
        store = await storeWith();
      }, 120_000);
      afterAll(async () => {
        await store?.close();
      });

      it("counts models, people and organizations", async () => {
        const { people, organizations } = contributorsOf(corpus());
        expect(await store.count()).toBe(corpus().length);
        expect(await store.countPeople()).toBe(people.length);
        expect(await store.countOrganizations()).toBe(organizations.length);
        expect(people.length).toBeGreaterThan(0);
        expect(organizations.length).toBeGreaterThan(0);
      });

      it("returns file states as written", async () => {
        const states = await store.fileStates();
        const expected = all().map((r) => ({ filename: r.filename, oifm_id: r.oifm_id, fileHash: r.fileHash, fileSize: r.fileSize, fileMtimeMs: r.fileMtimeMs }));
        const byName = (a: { filename: string }, b: { filename: string }) => (a.filename < b.filename ? -1 : 1);
        expect([...states].sort(byName)).toEqual(expected.sort(byName));
      });

      it("returns the validation snapshot", async () => {
        const snap = await store.validationSnapshot();
        expect(snap.models).toHaveLength(corpus().length);
        const aaa = recordOf(AAA);
        const got = snap.models.find((m) => m.oifm_id === aaa.oifm_id);
        expect(got).toEqual({
          oifm_id: aaa.oifm_id,
          name: aaa.name,
          filename: aaa.filename,
          synonyms: aaa.synonyms,
          attributeIds: aaa.attributes.map((a) => a.oifma_id),
          contributors: aaa.contributors,
        });
        const { people, organizations } = contributorsOf(corpus());
        expect(snap.people).toHaveLength(people.length);
        expect(snap.organizations).toHaveLength(organizations.length);
      });

      it("gets an entry by ID, by name and by synonym, ignoring case for names and synonyms", async () => {
        const aaa = recordOf(AAA);
        expect(await store.getEntry(aaa.oifm_id)).toEqual(entryOf(aaa));
        expect((await store.getEntry(aaa.name.toUpperCase()))?.oifm_id).toBe(aaa.oifm_id);
        expect((await store.getEntry("AAA"))?.oifm_id).toBe(aaa.oifm_id); // a synonym
        expect(await store.getEntry(aaa.oifm_id.toLowerCase())).toBeUndefined(); // IDs are exact
        expect(await store.getEntry("no such finding at all")).toBeUndefined();
        expect(await store.getEntry("")).toBeUndefined();
      });

      it("gets entries and model JSON in bulk; missing IDs are left out", async () => {
        const a = recordOf(AAA);
        const b = recordOf(LUNG_ABSCESS);
        const entries = await store.getEntries([b.oifm_id, "OIFM_NONE_000000", a.oifm_id]);
        expect(entries).toEqual([entryOf(b), entryOf(a)]);
        expect(await store.getEntries([])).toEqual([]);

        expect(await store.getModelJson(a.oifm_id)).toBe(a.modelJson);
        expect(await store.getModelJson("OIFM_NONE_000000")).toBeUndefined();
        const batch = await store.getModelJsonBatch([a.oifm_id, "OIFM_NONE_000000", b.oifm_id, "'); --"]);
        expect(batch).toEqual(new Map([[a.oifm_id, a.modelJson], [b.oifm_id, b.modelJson]]));
        expect((await store.getModelJsonBatch([])).size).toBe(0);
        const every = await store.getModelJsonBatch(all().map((r) => r.oifm_id));
        expect(every.size).toBe(corpus().length);
      });

      it("gets people and organizations", async () => {
        const { people, organizations } = contributorsOf(corpus());
        const p = people[0]!;
        const o = organizations[0]!;
        expect(await store.getPerson(p.github_username)).toEqual(p);
        expect(await store.getOrganization(o.code)).toEqual(o);
        expect(await store.getPerson("nobody-here")).toBeUndefined();
        expect(await store.getOrganization("NONE")).toBeUndefined();
        expect((await store.people()).map((x) => x.github_username).sort()).toEqual(people.map((x) => x.github_username).sort());
        expect((await store.organizations()).map((x) => x.code).sort()).toEqual(organizations.map((x) => x.code).sort());
      });

      it("lists entries by name ignoring case, a page at a time, with the total", async () => {
        const first = await store.list(50, 0);
        const second = await store.list(50, 50);
        expect(first.total).toBe(corpus().length);
        expect(first.items).toHaveLength(50);
        const names = [...first.items, ...second.items].map((e) => e.name.toLowerCase());
        expect(names).toEqual([...names].sort());
        expect(new Set(ids([...first.items, ...second.items])).size).toBe(100);
        const expectedFirst = all()
          .map((r) => r.name.toLowerCase())
          .sort()
          .slice(0, 50);
        expect(first.items.map((e) => e.name.toLowerCase())).toEqual(expectedFirst);
        const past = await store.list(10, corpus().length);
        expect(past).toEqual({ items: [], total: corpus().length });
      });

      it("lists all entries by file name", async () => {
        const entries = await store.allEntries();
        expect(entries.map((e) => e.filename)).toEqual(all().map((r) => r.filename).sort());
        expect(entries.find((e) => e.filename === AAA)).toEqual(entryOf(recordOf(AAA)));
      });

      it("counts tags ignoring case, most used first", async () => {
        const tags = await store.tags();
        const expected = new Map<string, number>();
        for (const r of all()) for (const t of new Set(r.tags.map((x) => x.toLowerCase()))) expected.set(t, (expected.get(t) ?? 0) + 1);
        expect(tags).toHaveLength(expected.size);
        for (const { tag, count } of tags) expect(count, tag).toBe(expected.get(tag.toLowerCase()));
        const counts = tags.map((t) => t.count);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
      });

      it("finds slugs exactly, as a prefix or anywhere, LIKE wildcards taken literally", async () => {
        const slugs = all().map((r) => r.slugName);
        const aaa = recordOf(AAA);
        const exact = await store.searchBySlug(aaa.slugName, "exact", 10, 0);
        expect(exact).toEqual({ items: [entryOf(aaa)], total: 1 });

        const prefix = await store.searchBySlug("abdominal_", "prefix", 5, 0);
        const expectedPrefix = slugs.filter((s) => s.startsWith("abdominal_")).sort();
        expect(prefix.total).toBe(expectedPrefix.length);
        expect(prefix.items.map((e) => e.slugName)).toEqual(expectedPrefix.slice(0, 5));
        const next = await store.searchBySlug("abdominal_", "prefix", 5, 5);
        expect(next.items.map((e) => e.slugName)).toEqual(expectedPrefix.slice(5, 10));

        const contains = await store.searchBySlug("nodule", "contains", 1000, 0);
        expect(contains.total).toBe(slugs.filter((s) => s.includes("nodule")).length);
        expect(contains.items.every((e) => e.slugName.includes("nodule"))).toBe(true);

        // "_" and "%" are LIKE wildcards; a slug search must match them as themselves.
        const underscore = await store.searchBySlug("_", "contains", 1, 0);
        const withUnderscore = slugs.filter((s) => s.includes("_")).length;
        expect(withUnderscore).toBeLessThan(slugs.length);
        expect(underscore.total).toBe(withUnderscore);
        expect(await store.searchBySlug("%", "contains", 10, 0)).toEqual({ items: [], total: 0 });
        expect((await store.searchBySlug("%", "prefix", 10, 0)).total).toBe(0);
        expect((await store.searchBySlug("abdominal%", "prefix", 10, 0)).total).toBe(0);
        expect((await store.searchBySlug("abdominal_aortic_aneurysm_", "exact", 10, 0)).total).toBe(0);
        expect((await store.searchBySlug("\\", "contains", 10, 0)).total).toBe(0);
      });

      it("reports stats", async () => {
        const stats = await store.stats();
        expect(stats.engine).toBe(store.engine);
        expect(stats.schemaVersion).toBeGreaterThanOrEqual(1);
        expect(stats.sizeBytes).toBeGreaterThan(0);
        expect(typeof stats.location).toBe("string");
      });

      describe("exact matches", () => {
        it("finds by ID, then name, then synonym, each model once", async () => {
          const ath = recordOf(ATHEROSCLEROSIS);
          const calc = recordOf(AORTIC_CALCIFICATION);
          expect(calc.synonyms.map((s) => s.toLowerCase())).toContain(ath.name.toLowerCase());
          expect(ids(await store.exactMatches(ath.name.toUpperCase(), { limit: 10 }))).toEqual([ath.oifm_id, calc.oifm_id]);
          expect(ids(await store.exactMatches(ath.oifm_id, { limit: 10 }))).toEqual([ath.oifm_id]);
          // A model whose name is also one of its own synonyms comes once.
          const own = corpus().find((c) => c.record.synonyms.some((s) => s.toLowerCase() === c.record.name.toLowerCase()))!.record;
          expect(ids(await store.exactMatches(own.name, { limit: 10 })).filter((id) => id === own.oifm_id)).toHaveLength(1);
          expect(await store.exactMatches("not a finding", { limit: 10 })).toEqual([]);
          expect(await store.exactMatches("abdominal", { limit: 10 })).toEqual([]); // whole names only
        });

        it("returns whole entries and honours limit, tags and exclude", async () => {
          const ath = recordOf(ATHEROSCLEROSIS);
          const calc = recordOf(AORTIC_CALCIFICATION);
          const [first] = await store.exactMatches(ath.name, { limit: 10 });
          expect(first).toEqual(entryOf(ath));
          expect(ids(await store.exactMatches(ath.name, { limit: 1 }))).toEqual([ath.oifm_id]);
          expect(ids(await store.exactMatches(ath.name, { limit: 10, exclude: [ath.oifm_id] }))).toEqual([calc.oifm_id]);
          // aortic_calcification carries "chest"; aortic_atherosclerosis carries no tag.
          expect(ath.tags).toEqual([]);
          expect(calc.tags).toContain("chest");
          expect(ids(await store.exactMatches(ath.name, { limit: 10, tags: ["CHEST"] }))).toEqual([calc.oifm_id]);
          expect(await store.exactMatches(ath.name, { limit: 10, tags: ["no-such-tag"] })).toEqual([]);
        });

        it("answers many queries in one call as one call each would, in the order asked", async () => {
          const ath = recordOf(ATHEROSCLEROSIS);
          const calc = recordOf(AORTIC_CALCIFICATION);
          const queries = [ath.name.toUpperCase(), ath.oifm_id, calc.synonyms[0]!, "not a finding", ath.name, "a\u0000b", ath.oifm_id, ...corpus().slice(0, 40).map((c) => c.record.name)];
          const optionSets = [{ limit: 10 }, { limit: 1 }, { limit: 10, exclude: [ath.oifm_id] }, { limit: 10, tags: ["no-such-tag"] }, { limit: 10, tags: ["chest"] }];
          for (const options of optionSets) {
            const many = await store.exactMatchesMany(queries, options);
            expect(many).toEqual(await Promise.all(queries.map((q) => store.exactMatches(q, options))));
          }
          const many = await store.exactMatchesMany(queries, { limit: 10 });
          expect(ids(many[0]!)).toEqual([ath.oifm_id, calc.oifm_id]);
          expect(many[3]).toEqual([]);
          expect(await store.exactMatchesMany([], { limit: 10 })).toEqual([]);
        });
      });

      describe("search through the index: lexicon and general models (queries from the tune half of eval/written-queries.tsv)", () => {
        // One index for these cases: its word list (read on the first search that needs it) is not rebuilt for each query.
        let index: FindingModelIndex | undefined;
        const top = async (query: string, n: number) => ids(await (index ??= new FindingModelIndex(store, { cache: false })).search(query)).slice(0, n);
        const idOf = (name: string) => corpus().find((c) => c.record.name.toLowerCase() === name.toLowerCase())!.record.oifm_id;

        it("reads abbreviations and British spellings", async () => {
          expect(await top("small right PTX", 2)).toContain(idOf("pneumothorax"));
          expect(await top("PTX", 2)).toContain(idOf("pneumothorax")); // the issue's example
          expect(await top("ETT", 1)).toEqual([idOf("Endotracheal Tube Placement")]);
          expect(await top("subdural haematoma", 1)).toEqual([idOf("Subdural Hematoma")]);
          expect(await top("catheter, central venous", 1)).toEqual([idOf("central venous catheter")]);
        });

        it("puts the general model first for a specific phrase", async () => {
          expect(await top("comminuted fracture", 1)).toEqual([idOf("fracture")]);
          expect(await top("6 mm right upper lobe nodule", 5)).toContain(idOf("Pulmonary Nodule"));
          expect(await top("right paratracheal lymphadenopathy", 1)).toEqual([idOf("mediastinal and/or hilar lymph node enlargement")]);
        });

        it("of general models, puts first the one whose titles hold more of the query, then the one whose own name is closest", async () => {
          // "spiculated nodule" is a synonym of shaggy lung nodule; "lung nodule" one of Pulmonary Nodule's.
          expect(await top("spiculated lung nodule", 1)).toEqual([idOf("shaggy lung nodule")]);
          // Both have "lung mass" as a synonym; solitary pulmonary mass also has "pulmonary mass".
          expect(await top("spiculated left upper lobe mass", 1)).toEqual([idOf("pulmonary mass")]);
          expect(await top("pulmonary masses", 1)).toEqual([idOf("pulmonary mass")]);
          // "multiple" says how many, not what: "multiple fractures" is one word long here.
          expect(await top("multiple left rib fractures", 1)).toEqual([idOf("Rib Fracture")]);
          // A repeated word counts once: "without" twice does not put "colonic distention without obstruction" first.
          expect(await top("colonic diverticulitis without perforation or abscess without bleeding", 1)).toEqual([idOf("colonic diverticulitis")]);
        });

        it("ranks the finding's model first when the query only adds its size or severity", async () => {
          // The registry models size as an attribute: "small pleural effusion" is the Pleural Effusion
          // model, not the longer title that begins with those words.
          expect(await top("small pleural effusion", 1)).toEqual([idOf("Pleural Effusion")]);
          expect(await top("small pleural effusions", 1)).toEqual([idOf("Pleural Effusion")]);
          expect(await top("mild cardiomegaly", 1)).toEqual([idOf("cardiomegaly")]);
          // A title with the size word itself still comes first; "small bowel" names a part.
          expect(await top("massive pleural effusion", 1)).toEqual([idOf("massive pleural effusion")]);
          expect(await top("small bowel obstruction", 1)).toEqual([idOf("Small Bowel Obstruction")]);
        });

        it("forgives a typing error in a lexicon word the registry does not use", async () => {
          expect(await top("broken colarbone", 1)).toEqual([idOf("clavicle fracture")]);
        });

        it("finds the general model of a finding at an anatomic site, but not a model named by the site alone", async () => {
          // The site adds its organ's words for general models: the brain's for a lobe, the bone's for part of a bone.
          expect(await top("frontal lobe mass", 1)).toEqual([idOf("intracranial mass")]);
          expect(await top("cerebellum metastasis", 1)).toEqual([idOf("brain metastasis")]);
          // A model named by the site's word and the finding still comes first.
          expect(await top("humeral head fracture", 1)).toEqual([idOf("Humerus Fracture")]);
          expect(await top("skull base metastasis", 1)).toEqual([idOf("skull metastasis")]);
          // A result named for another organ does not stay ahead of the query organ's general model.
          expect(await top("ill-defined pancreas mass", 1)).toEqual([idOf("pancreatic lesion")]);
          // "Lobectomy" (a lobe removed) names the site only: emphysema, not it.
          expect(await top("upper lobe centrilobular emphysema", 1)).toEqual([idOf("emphysema")]);
        });

        it("puts a title that is the query but for number before the rewrite of a lexicon term inside the query", async () => {
          // "liver metastases" alone is a lexicon term for the general liver lesion; these are models of their own.
          expect(await top("hemorrhagic liver metastases", 1)).toEqual([idOf("hemorrhagic liver metastasis")]);
          expect(await top("cystic liver metastases", 1)).toEqual([idOf("cystic liver metastasis")]);
        });

        it("reads a lexicon term in the other word order and with a side letter inside it", async () => {
          // "LAD stenosis" is a term; "stenosis of the LAD" is its other order (not LAD, lymphadenopathy).
          expect(await top("LAD stenosis", 1)).toEqual([idOf("coronary artery calcifications")]);
          expect(await top("stenosis of the LAD", 1)).toEqual([idOf("coronary artery calcifications")]);
          // A word written with a hyphen that the registry writes as one.
          expect(await top("pneumo-bilia", 1)).toEqual([idOf("pneumobilia")]);
          // "OA of the knee" with R as its side word.
          expect(await top("OA of the R knee", 1)).toEqual([idOf("degenerative joint changes")]);
        });

        it("of two models named alike but for number, puts first the one in the query's number", async () => {
          expect(await top("metatarsals short", 1)).toEqual([idOf("short metatarsals")]);
          expect(await top("metatarsal short", 1)).toEqual([idOf("short metatarsal")]);
          expect(await top("crests iliac serrated", 1)).toEqual([idOf("serrated iliac crests")]);
        });

        it("takes no model named for another organ than the query's as its general model", async () => {
          // pulmonary mass has the synonym "mass": the general model of a lung mass, not of a kidney's.
          expect(await top("enhancing renal mass", 10)).not.toContain(idOf("pulmonary mass"));
          expect(await top("3 cm enhancing mass in the left kidney", 10)).not.toContain(idOf("pulmonary mass"));
          expect(await top("enhancing lung mass", 3)).toContain(idOf("pulmonary mass"));
        });

        it("finds the same thing said in other words", async () => {
          expect(await top("water on the lung", 1)).toEqual([idOf("Pleural Effusion")]);
          expect(await top("free intraperitoneal air", 1)).toEqual([idOf("Pneumoperitoneum")]);
          // Another form of the stem in a title: goiter's synonym "thyroid enlargement".
          expect(await top("enlarged thyroid", 1)).toEqual([idOf("goiter")]);
          // An organ's adjective in a title (the lexicon's adjective entries).
          expect(await top("liver haemangioma", 1)).toEqual([idOf("Hepatic Hemangioma")]);
          expect(await top("4 mm left lower pole renal stone", 1)).toEqual([idOf("kidney stone")]);
        });

        it("joins plural and singular", async () => {
          const single = [idOf("Pulmonary Nodule"), idOf("solitary pulmonary nodule")];
          expect((await top("pulmonary nodules", 2)).some((id) => single.includes(id))).toBe(true);
          expect(await top("pneumothoraces", 1)).toEqual([idOf("pneumothorax")]);
        });

        it("searches past measurements and severity words, and keeps a name that holds one", async () => {
          expect(await top("4 mm left lower pole renal stone", 3)).toContain(idOf("kidney stone"));
          expect(await top("mild anterior wedging of T12", 2)).toContain(idOf("wedging of vertebral body"));
          expect(await top("mild bowel wall thickening", 1)).toEqual([idOf("mild bowel wall thickening")]);
        });

        it("reads lexicon terms for findings the registry names otherwise", async () => {
          expect(await top("lacunar infarct", 1)).toEqual([idOf("cerebral infarction")]);
          expect(await top("perforated appendicitis", 1)).toEqual([idOf("Acute Appendicitis")]);
          expect(await top("breast microcalcifications", 1)).toEqual([idOf("breast calcification cluster")]);
        });

        it("corrects a misspelt word to the near word that, with the others, names a model", async () => {
          // "nodles" is one typing error from "nodes" (commoner) and from "nodules".
          expect(await top("lung nodles", 2)).toContain(idOf("Pulmonary Nodule"));
          expect(await top("facal cleft", 1)).toEqual([idOf("facial cleft")]);
        });

        it("keeps the registry's own names first", async () => {
          expect(await top("atelectasis", 1)).toEqual([idOf("atelectasis")]);
          expect(await top("tension pneumothorax", 1)).toEqual([idOf("tension pneumothorax")]);
          expect(await top("AAA", 1)).toEqual([idOf("abdominal aortic aneurysm")]);
        });
      });

      describe("text search", () => {
        it("ranks by weight: a name match before a description-only match", async () => {
          const results = await store.textSearch(["abscess"], { limit: 100 });
          const position = (file: string) => ids(results).indexOf(recordOf(file).oifm_id);
          expect(position(ABSCESS)).toBeGreaterThanOrEqual(0);
          expect(position(DIVERTICULITIS)).toBeGreaterThan(position(ABSCESS));
          expect(position(DIVERTICULITIS)).toBeGreaterThan(position(LUNG_ABSCESS));
          expect(wordsOf(results[0]!.name)).toContain("abscess");
          // Every model with "abscess" in its name or a synonym comes before those with it elsewhere only.
          const inTitle = (e: IndexEntry) => [e.name, ...e.synonyms].some((t) => wordsOf(t).some((w) => w.startsWith("absces")));
          const lastTitle = results.map(inTitle).lastIndexOf(true);
          const firstOther = results.map(inTitle).indexOf(false);
          expect(firstOther === -1 || lastTitle < firstOther).toBe(true);
        });

        it("returns whole entries, at most `limit`, each once", async () => {
          const results = await store.textSearch(["aortic"], { limit: 7 });
          expect(results).toHaveLength(7);
          expect(new Set(ids(results)).size).toBe(7);
          const aaa = recordOf(AAA);
          const got = (await store.textSearch(["abdominal", "aortic", "aneurysm"], { limit: 3 }))[0];
          expect(got).toEqual(entryOf(aaa));
        });

        it("matches plural and singular forms", async () => {
          const adrenal = recordOf(ADRENAL_NODULE);
          expect(ids(await store.textSearch(["nodules"], { limit: 500 }))).toContain(adrenal.oifm_id);
          expect(ids(await store.textSearch(["nodules", "adrenal"], { limit: 10 }))).toContain(adrenal.oifm_id);
          const plural = corpus().find((c) => wordsOf(c.record.name).includes("nodules"))!.record;
          expect(ids(await store.textSearch(["nodule", "multiple"], { limit: 500 }))).toContain(plural.oifm_id);
        });

        it("matches the last term as a prefix, for search as you type", async () => {
          const aaa = recordOf(AAA);
          expect(ids(await store.textSearch(["abdominal", "aortic", "aneur"], { limit: 5 }))).toContain(aaa.oifm_id);
          expect(ids(await store.textSearch(["abdom"], { limit: 500 }))).toContain(aaa.oifm_id);
          // Only the last term: a cut-off word earlier on is a word of its own, and matches nothing.
          expect(await store.textSearch(["abdom", "zzqxjunkword"], { limit: 5 })).toEqual([]);
          expect(ids(await store.textSearch(["zzqxjunkword", "abdom"], { limit: 500 }))).toContain(aaa.oifm_id);
        });

        it("puts entries with every term first, then fills with entries having any term", async () => {
          const adrenal = recordOf(ADRENAL_NODULE);
          const results = await store.textSearch(["adrenal", "nodule"], { limit: 40 });
          expect(results).toHaveLength(40);
          expect(results[0]?.oifm_id).toBe(adrenal.oifm_id);
          const text = (e: IndexEntry) => wordsOf([e.name, ...e.synonyms, e.description, ...e.tags, ...e.attributes.map((a) => a.name)].join(" "));
          const hasAll = results.map((e) => text(e).some((w) => w.startsWith("adrenal")) && text(e).some((w) => w.startsWith("nodul")));
          const firstPartial = hasAll.indexOf(false);
          expect(firstPartial).toBeGreaterThan(0);
          expect(hasAll.slice(firstPartial).every((x) => !x)).toBe(true);
          expect(new Set(ids(results)).size).toBe(results.length);
          // No model has both words: the any-term results alone.
          const none = await store.textSearch(["pneumothorax", "zzqxjunkword"], { limit: 5 });
          expect(none.length).toBeGreaterThan(0);
          expect(none.every((e) => text(e).some((w) => w.startsWith("pneumothora")))).toBe(true);
        });

        it("filters by tags (every tag, ignoring case)", async () => {
          const results = await store.textSearch(["nodule"], { limit: 200, tags: ["CT", "Chest"] });
          expect(results.length).toBeGreaterThan(0);
          for (const e of results) {
            const tags = e.tags.map((t) => t.toLowerCase());
            expect(tags).toContain("ct");
            expect(tags).toContain("chest");
          }
          const unfiltered = await store.textSearch(["nodule"], { limit: 200 });
          expect(unfiltered.length).toBeGreaterThan(results.length);
          expect(await store.textSearch(["nodule"], { limit: 10, tags: ["ct", "no-such-tag"] })).toEqual([]);
          // Also in the any-term fill.
          const fill = await store.textSearch(["nodule", "zzqxjunkword"], { limit: 50, tags: ["chest"] });
          expect(fill.length).toBeGreaterThan(0);
          expect(fill.every((e) => e.tags.some((t) => t.toLowerCase() === "chest"))).toBe(true);
        });

        it("leaves the any-term fill out when asked for every term only", async () => {
          expect(await store.textSearch(["abscess", "zzqxjunkword"], { limit: 10, everyTerm: true })).toEqual([]);
          expect((await store.textSearch(["abscess", "zzqxjunkword"], { limit: 10 })).length).toBeGreaterThan(0);
          const every = await store.textSearch(["adrenal", "nodule"], { limit: 50, everyTerm: true });
          const all = await store.textSearch(["adrenal", "nodule"], { limit: 50 });
          expect(every.length).toBeGreaterThan(0);
          expect(every.length).toBeLessThan(all.length);
          expect(ids(every)).toEqual(ids(all).slice(0, every.length));
        });

        it("leaves out excluded models, also in the any-term fill", async () => {
          const before = await store.textSearch(["abscess"], { limit: 10 });
          const excluded = ids(before.slice(0, 2));
          const after = await store.textSearch(["abscess"], { limit: 10, exclude: excluded });
          expect(ids(after).slice(0, 8)).toEqual(ids(before).slice(2));
          expect(ids(after)).not.toContain(excluded[0]);
          // The fill: entries with any term in the name, synonyms or description, the excluded left out.
          const fillBefore = await store.textSearch(["abscess", "zzqxjunkword"], { limit: 30 });
          expect(fillBefore.length).toBeGreaterThan(5);
          for (const e of fillBefore) expect([e.name, ...e.synonyms, e.description].join(" ").toLowerCase()).toContain("abscess");
          const fillExcluded = ids(fillBefore.slice(0, 2));
          const fill = await store.textSearch(["abscess", "zzqxjunkword"], { limit: 10, exclude: fillExcluded });
          expect(ids(fill)).toEqual(ids(fillBefore).slice(2, 12));
          // A long list (an engine may treat it differently from a short one).
          const wide = await store.textSearch(["abscess"], { limit: 100 });
          const many = [...excluded, ...corpus().slice(0, 200).map((c) => c.record.oifm_id), ...ids(wide.slice(5, 7))];
          const rest = ids(wide).filter((id) => !many.includes(id));
          expect(ids(await store.textSearch(["abscess"], { limit: 10, exclude: many }))).toEqual(rest.slice(0, 10));
          const wideFill = await store.textSearch(["abscess", "zzqxjunkword"], { limit: 100 });
          const manyFill = [...many, ...ids(wideFill.slice(0, 3))];
          const restFill = ids(wideFill).filter((id) => !manyFill.includes(id));
          expect(restFill.length).toBeGreaterThan(2);
          expect(ids(await store.textSearch(["abscess", "zzqxjunkword"], { limit: 10, exclude: manyFill }))).toEqual(restFill.slice(0, 10));
          const exact = recordOf(ATHEROSCLEROSIS);
          const calc = recordOf(AORTIC_CALCIFICATION).oifm_id;
          const manyButCalc = [...many.filter((id) => id !== calc), exact.oifm_id];
          expect(manyButCalc.length).toBeGreaterThan(100);
          expect(ids(await store.exactMatches(exact.name, { limit: 10, exclude: manyButCalc }))).toEqual([calc]);
        });

        it("answers many searches at once, as one at a time would", async () => {
          const queries = [["abscess"], ["adrenal", "nodule"], [], ["pneumo"], ["zzqxjunkword"], ['"']];
          const options = { limit: 5, tags: ["CT"] };
          const many = await store.textSearchMany(queries, options);
          const single = await Promise.all(queries.map((q) => store.textSearch(q, options)));
          expect(many).toEqual(single);
          expect(many).toHaveLength(queries.length);
          expect(await store.textSearchMany([], options)).toEqual([]);
        });

        it("returns nothing for no terms", async () => {
          expect(await store.textSearch([], { limit: 10 })).toEqual([]);
        });

        it("takes hostile strings as plain text: never an error, never syntax", async () => {
          const hostile = [
            '"',
            '""',
            'a"b',
            "NEAR(",
            "NEAR(abscess lung)",
            "*",
            "abs*",
            "-",
            "-abscess",
            ")",
            "(",
            "OR",
            "AND",
            "NOT",
            "abscess OR lung",
            "name:abscess",
            "{name}: abscess",
            "^abscess",
            "'; DROP TABLE models; --",
            "%",
            "_",
            "\\",
            "\u0000",
            "abscess\u0000lung",
            "lung\u0301",
            "🫁",
            "🫁 lung",
            "x".repeat(10_000),
            " ",
            "",
          ];
          const before = await store.count();
          const abscess = ids(await store.textSearch(["abscess"], { limit: 5 }));
          expect(abscess).toHaveLength(5);
          for (const h of hostile) {
            const words = wordsOf(h);
            const label = JSON.stringify(h.slice(0, 40));
            // A term is read as the words it holds (a phrase if several), its other characters never.
            const asText = words.length === 0 ? [] : ids(await store.textSearch([words.join(" ")], { limit: 5 }));
            expect(ids(await store.textSearch([h], { limit: 5 })), label).toEqual(asText);
            if (words.length === 0) {
              // A term without a word adds nothing: the other term alone is searched.
              expect(ids(await store.textSearch(["abscess", h], { limit: 5 })), label).toEqual(abscess);
              expect(ids(await store.textSearch([h, "abscess"], { limit: 5 })), label).toEqual(abscess);
            }
            // No model carries a hostile tag, has it as a name, or has it in its slug.
            expect(await store.textSearch(["abscess"], { limit: 5, tags: [h], exclude: [h] }), label).toEqual([]);
            expect(await store.exactMatches(h, { limit: 5, tags: [h], exclude: [h] }), label).toEqual([]);
            expect(await store.getEntry(h), label).toBeUndefined();
            const slugs = corpus().filter((c) => c.record.slugName.includes(h.toLowerCase())).length;
            expect((await store.searchBySlug(h, "contains", 5, 0)).total, label).toBe(slugs);
          }
          expect(await store.count()).toBe(before);
          // Operators are words, not syntax: "abscess or lung" as terms needs a word "or" for a
          // model to hold every term, and lung abscess (with no "or") comes only in the any-term fill.
          const asWords = await store.textSearch(["abscess", "or", "lung"], { limit: 100 });
          const holdsEvery = (e: IndexEntry) => {
            const text = wordsOf([e.name, ...e.synonyms, e.description ?? "", ...e.tags, ...e.attributes.map((a) => a.name)].join(" "));
            return text.includes("abscess") && text.includes("or") && text.some((w) => w.startsWith("lung"));
          };
          expect(asWords.length).toBeGreaterThan(0);
          const full = asWords.map(holdsEvery);
          expect(full.indexOf(false) === -1 || full.lastIndexOf(true) < full.indexOf(false)).toBe(true);
          expect(holdsEvery(entryOf(recordOf(LUNG_ABSCESS)))).toBe(false);
          expect(ids(asWords)).toContain(recordOf(LUNG_ABSCESS).oifm_id);
          // A hostile term among good ones does not stop the good ones from matching.
          expect(ids(await store.textSearch(["lung", "abscess", "🫁"], { limit: 3 }))).toContain(recordOf(LUNG_ABSCESS).oifm_id);
        });
      });
    });

    describe("field weights", () => {
      // Five models alike in every way but where the one searched word is: the name, a synonym,
      // the description, a tag or an attribute name. Every field of every model is one word, so
      // term frequency, field length and document length are equal: only the weights can order
      // them. They are written in the reverse of that order, so a tie (equal weights) puts them
      // the wrong way round.
      const FIELDS = ["name", "synonym", "description", "tag", "attribute"] as const;
      const WORD = "quokka";
      const FILLERS = ["alpha", "bravo", "charlie", "delta", "echo"];
      function weightRecord(field: (typeof FIELDS)[number], i: number): EntryRecord {
        const filler = FILLERS[i]!;
        const id = `OIFM_WGHT_00000${i}`;
        const name = field === "name" ? WORD : `${filler}name`;
        return {
          oifm_id: id,
          name,
          slugName: slugOf(name),
          filename: `${name}.fm.json`,
          fileHash: String(i).repeat(64),
          fileSize: 100,
          fileMtimeMs: 0,
          description: field === "description" ? WORD : `${filler}text`,
          synonyms: [field === "synonym" ? WORD : `${filler}syn`],
          tags: [field === "tag" ? WORD : `${filler}tag`],
          contributors: [],
          attributes: [{ oifma_id: `OIFMA_WGHT_00000${i}`, name: field === "attribute" ? WORD : `${filler}attr`, type: "choice" }],
          modelJson: "{}",
        };
      }
      const records = FIELDS.map(weightRecord);

      it("rank a name match, then a synonym, then the description, then tags and attribute names", async () => {
        const store = await open();
        try {
          await store.apply(changes({ upserts: [...records].reverse() }));
          const byField = new Map(records.map((r, i) => [r.oifm_id, FIELDS[i]!]));
          const order = (await store.textSearch([WORD], { limit: 10 })).map((e) => byField.get(e.oifm_id));
          expect(order.slice(0, 3)).toEqual(["name", "synonym", "description"]);
          if (traits.tagsOutweighAttributes) expect(order.slice(3)).toEqual(["tag", "attribute"]);
          else expect([...order.slice(3)].sort()).toEqual(["attribute", "tag"]);
          // The same through the many-searches statement.
          const [many] = await store.textSearchMany([[WORD]], { limit: 10 });
          expect(many!.map((e) => byField.get(e.oifm_id))).toEqual(order);
        } finally {
          await store.close();
        }
      });
    });

    describe("writes", () => {
      it("replaces a model's data on update: name, synonyms, tags, attributes, full text", async () => {
        const store = await storeWith(smallSet());
        try {
          const old = recordOf(ABSCESS);
          const oldSynonym = old.synonyms[0]!;
          const count = await store.count();
          const tagsBefore = new Map((await store.tags()).map((t) => [t.tag.toLowerCase(), t.count]));
          const droppedAttr = old.attributes[0]!;
          const updated: EntryRecord = {
            ...old,
            name: "Peritoneal Zorbfluid Collection",
            slugName: slugOf("Peritoneal Zorbfluid Collection"),
            synonyms: ["Qwertyzone"],
            tags: ["Brandnewtag"],
            description: "A made-up description with the word glimmerstone.",
            attributes: old.attributes.slice(1),
            modelJson: old.modelJson.replace(old.name, "Peritoneal Zorbfluid Collection"),
          };
          await store.apply(changes({ upserts: [updated] }));

          expect(await store.count()).toBe(count);
          expect(await store.getEntry(old.name)).toBeUndefined();
          expect(ids(await store.exactMatches(oldSynonym, { limit: 10 }))).not.toContain(old.oifm_id);
          expect(await store.getEntry("qwertyzone")).toEqual(entryOf(updated));
          expect(await store.getEntry("PERITONEAL ZORBFLUID COLLECTION")).toEqual(entryOf(updated));
          expect(await store.getEntry(old.oifm_id)).toEqual(entryOf(updated));
          expect(await store.getModelJson(old.oifm_id)).toBe(updated.modelJson);

          expect(ids(await store.textSearch(["glimmerstone"], { limit: 5 }))).toEqual([old.oifm_id]);
          expect(ids(await store.textSearch(["zorbfluid"], { limit: 5 }))).toEqual([old.oifm_id]);
          expect(ids(await store.textSearch(["qwertyzone"], { limit: 5 }))).toEqual([old.oifm_id]);
          expect(ids(await store.textSearch(["abdominal", "abscess"], { limit: 50 }))).not.toContain(old.oifm_id);
          expect(ids(await store.textSearch(["abscess"], { limit: 50, tags: ["brandnewtag"] }))).toEqual([]);
          expect(ids(await store.textSearch(["zorbfluid"], { limit: 5, tags: ["BRANDNEWTAG"] }))).toEqual([old.oifm_id]);

          const tagsAfter = new Map((await store.tags()).map((t) => [t.tag.toLowerCase(), t.count]));
          expect(tagsAfter.get("brandnewtag")).toBe(1);
          for (const t of new Set(old.tags.map((x) => x.toLowerCase()))) expect(tagsAfter.get(t) ?? 0).toBe(tagsBefore.get(t)! - 1);

          const snap = await store.validationSnapshot();
          expect(snap.models.find((m) => m.oifm_id === old.oifm_id)?.attributeIds).toEqual(updated.attributes.map((a) => a.oifma_id));
          expect((await store.searchBySlug(old.slugName, "exact", 5, 0)).total).toBe(0);
          expect(ids((await store.searchBySlug("peritoneal_zorbfluid_collection", "exact", 5, 0)).items)).toEqual([old.oifm_id]);

          // The dropped attribute ID is free again.
          const other = recordOf(AAA);
          await store.apply(changes({ upserts: [{ ...other, attributes: [...other.attributes, droppedAttr] }] }));
          expect((await store.validationSnapshot()).models.find((m) => m.oifm_id === other.oifm_id)?.attributeIds).toContain(droppedAttr.oifma_id);
        } finally {
          await store.close();
        }
      });

      it("lets models trade names, files and attribute IDs within one change", async () => {
        const store = await storeWith(smallSet());
        try {
          const a = recordOf(AAA);
          const b = recordOf(LUNG_ABSCESS);
          await store.apply(
            changes({
              upserts: [
                { ...a, name: b.name, filename: b.filename, attributes: b.attributes },
                { ...b, name: a.name, filename: a.filename, attributes: a.attributes },
              ],
            }),
          );
          expect((await store.getEntry(a.name))?.oifm_id).toBe(b.oifm_id);
          expect((await store.getEntry(b.name))?.oifm_id).toBe(a.oifm_id);
          const states = new Map((await store.fileStates()).map((s) => [s.filename, s.oifm_id]));
          expect(states.get(a.filename)).toBe(b.oifm_id);
        } finally {
          await store.close();
        }
      });

      it("refreshes file size and time of touched models only", async () => {
        const store = await storeWith(smallSet());
        try {
          const a = recordOf(AAA);
          await store.apply(changes({ touched: [{ oifm_id: a.oifm_id, fileSize: 12345, fileMtimeMs: 1_700_000_000_123.5 }] }));
          const state = (await store.fileStates()).find((s) => s.oifm_id === a.oifm_id);
          expect(state).toEqual({ filename: a.filename, oifm_id: a.oifm_id, fileHash: a.fileHash, fileSize: 12345, fileMtimeMs: 1_700_000_000_123.5 });
          expect(await store.getEntry(a.oifm_id)).toEqual({ ...entryOf(a), fileSize: 12345, fileMtimeMs: 1_700_000_000_123.5 });
          expect(await store.getModelJson(a.oifm_id)).toBe(a.modelJson);
        } finally {
          await store.close();
        }
      });

      it("deletes models with everything that belongs to them", async () => {
        const store = await storeWith(smallSet());
        try {
          const a = recordOf(ABSCESS);
          const count = await store.count();
          const tagsBefore = new Map((await store.tags()).map((t) => [t.tag.toLowerCase(), t.count]));
          await store.apply(changes({ deletes: [a.oifm_id, "OIFM_NONE_000000"] }));
          expect(await store.count()).toBe(count - 1);
          expect(await store.getEntry(a.oifm_id)).toBeUndefined();
          expect(await store.getEntry(a.name)).toBeUndefined();
          expect(ids(await store.exactMatches(a.synonyms[0]!, { limit: 10 }))).not.toContain(a.oifm_id);
          expect(await store.getModelJson(a.oifm_id)).toBeUndefined();
          expect(ids(await store.textSearch(["abscess"], { limit: 50 }))).not.toContain(a.oifm_id);
          expect((await store.fileStates()).map((s) => s.oifm_id)).not.toContain(a.oifm_id);
          const tagsAfter = new Map((await store.tags()).map((t) => [t.tag.toLowerCase(), t.count]));
          for (const t of new Set(a.tags.map((x) => x.toLowerCase()))) expect(tagsAfter.get(t) ?? 0).toBe(tagsBefore.get(t)! - 1);
          // Its name, file and attribute IDs are free again.
          const other = recordOf(AAA);
          await store.apply(changes({ upserts: [{ ...other, name: a.name, filename: a.filename, attributes: [...other.attributes, ...a.attributes] }] }));
          expect((await store.getEntry(a.name))?.oifm_id).toBe(other.oifm_id);
        } finally {
          await store.close();
        }
      });

      it("keeps exactly the people and organizations the indexed models name: those of removed or rewritten models go in the same change", async () => {
        /** Each contributor key the store's models name, by kind (from the entries, not the contributor tables). */
        const named = async (store: Store) => {
          const entries = await store.allEntries();
          const keys = (kind: string) => [...new Set(entries.flatMap((e) => e.contributors.filter((c) => c.kind === kind).map((c) => c.key)))].sort();
          return { people: keys("person"), organizations: keys("organization") };
        };
        const held = async (store: Store) => ({
          people: (await store.people()).map((p) => p.github_username).sort(),
          organizations: (await store.organizations()).map((o) => o.code).sort(),
        });
        const withPeople = corpus().filter((c) => (c.model.contributors ?? []).some(isPerson));
        const withOrganizations = corpus().filter((c) => (c.model.contributors ?? []).some((x) => !isPerson(x)));
        expect(withPeople.length).toBeGreaterThan(0);
        const store = await storeWith([...new Set([...withPeople.slice(0, 5), ...withOrganizations.slice(0, 5)].map((c) => c.record.filename))]);
        try {
          const before = await held(store);
          expect(before).toEqual(await named(store));
          expect(before.people.length).toBeGreaterThan(0);
          // Delete every model but one that names only organizations.
          const keep = withOrganizations.find((c) => !(c.model.contributors ?? []).some(isPerson))!.record;
          const others = (await store.allEntries()).map((e) => e.oifm_id).filter((id) => id !== keep.oifm_id);
          await store.apply(changes({ deletes: others }));
          expect(await store.count()).toBe(1);
          expect(await held(store)).toEqual(await named(store));
          expect(await store.countPeople()).toBe(0);
          expect(await store.countOrganizations()).toBe(new Set(keep.contributors.map((c) => c.key)).size);
          // An update that names nobody: its organizations go too.
          await store.apply(changes({ upserts: [{ ...keep, contributors: [] }] }));
          expect(await held(store)).toEqual({ people: [], organizations: [] });
          expect(await store.countOrganizations()).toBe(0);
        } finally {
          await store.close();
        }
      });

      it("a sync of a folder holding one model leaves only that model's contributors (5 generated models, then pneumothorax alone)", async () => {
        const work = mkdtempSync(path.join(tmpdir(), "fm-contrib-"));
        const store = await open();
        try {
          const [a, b] = [path.join(work, "a"), path.join(work, "b")];
          generateFolder(a, 5, { seed: 3 });
          cpSync(DEFS + "pneumothorax.fm.json", path.join(b, "pneumothorax.fm.json"), { recursive: true });
          await syncFolder(store, a);
          expect((await store.countPeople()) + (await store.countOrganizations())).toBeGreaterThan(1);
          expect(await syncFolder(store, b)).toMatchObject({ added: 1, removed: 5, applied: true });
          const only = recordOf("pneumothorax.fm.json");
          expect(await store.count()).toBe(1);
          expect((await store.people()).map((p) => p.github_username)).toEqual(only.contributors.filter((c) => c.kind === "person").map((c) => c.key));
          expect((await store.organizations()).map((o) => o.code)).toEqual(only.contributors.filter((c) => c.kind === "organization").map((c) => c.key));
        } finally {
          await store.close();
          rmSync(work, { recursive: true, force: true });
        }
      });

      describe("refuses clashes, changing nothing", () => {
        /** Apply `bad` plus a good new model; expect a constraint error and the store as it was. */
        async function expectRefused(bad: EntryRecord, ...mentions: string[]): Promise<void> {
          const store = await storeWith(smallSet().filter((f) => f !== ADRENAL_NODULE));
          try {
            const good = recordOf(ADRENAL_NODULE);
            const aaa = recordOf(AAA);
            const before = { count: await store.count(), states: await store.fileStates(), aaa: await store.getEntry(aaa.oifm_id), tags: await store.tags() };
            await expectStoreError(
              store.apply(changes({ upserts: [good, bad], deletes: [recordOf(LUNG_ABSCESS).oifm_id], touched: [{ oifm_id: aaa.oifm_id, fileSize: 1, fileMtimeMs: 1 }] })),
              "constraint",
              ...mentions,
            );
            expect(await store.count()).toBe(before.count);
            expect(await store.fileStates()).toEqual(before.states);
            expect(await store.getEntry(aaa.oifm_id)).toEqual(before.aaa);
            expect(await store.getEntry(good.oifm_id)).toBeUndefined();
            expect(await store.getEntry(recordOf(LUNG_ABSCESS).oifm_id)).toBeDefined();
            expect(await store.tags()).toEqual(before.tags);
            expect(ids(await store.textSearch(["adrenal", "nodule"], { limit: 5 }))).not.toContain(good.oifm_id);
            // And the store still takes good changes.
            await store.apply(changes({ upserts: [good] }));
            expect(await store.count()).toBe(before.count + 1);
          } finally {
            await store.close();
          }
        }

        const fresh = (): EntryRecord => ({
          ...recordOf(ABSCESS),
          oifm_id: "OIFM_TEST_000001",
          name: "Entirely New Finding",
          slugName: "entirely_new_finding",
          filename: "entirely_new_finding.fm.json",
          synonyms: [],
          attributes: [{ oifma_id: "OIFMA_TEST_000001", name: "presence", type: "choice" }],
        });

        it("the same name in another case", async () => {
          const name = recordOf(AAA).name.toUpperCase();
          await expectRefused({ ...fresh(), name, slugName: slugOf(name) }, name);
        });

        it("the same file name", async () => {
          await expectRefused({ ...fresh(), filename: AAA }, AAA);
        });

        it("an attribute ID of another model", async () => {
          const taken = recordOf(AAA).attributes[0]!.oifma_id;
          await expectRefused({ ...fresh(), attributes: [{ oifma_id: taken, name: "size", type: "numeric" }] }, taken);
        });

        it("an attribute ID used twice far apart in a change of 1,500 models (written in parts)", async () => {
          const store = await open();
          try {
            const records = corpus().slice(0, 1_500).map((c) => c.record);
            const taken = records[0]!.attributes[0]!.oifma_id;
            const last = records[records.length - 1]!;
            records[records.length - 1] = { ...last, attributes: [...last.attributes, { oifma_id: taken, name: "size", type: "numeric" }] };
            await expectStoreError(store.apply(changes({ upserts: records })), "constraint", taken);
            expect(await store.count()).toBe(0);
            await store.apply(changes({ upserts: records.slice(0, -1) }));
            expect(await store.count()).toBe(1_499);
          } finally {
            await store.close();
          }
          // Two writes of 1,500 models: 4.3-4.6 s for PostgreSQL one statement per model on a busy day.
        }, 30_000);

        it("the same model ID twice in one change", async () => {
          const good = recordOf(ADRENAL_NODULE);
          await expectRefused({ ...fresh(), oifm_id: good.oifm_id }, good.oifm_id);
        });
      });

      it("upserts people and organizations", async () => {
        const store = await open();
        try {
          const person: Person = { github_username: "octo", email: "octo@example.org", name: "Octo Cat", organization_code: "GH" };
          const org: Organization = { name: "GitHub", code: "GH", url: "https://github.com" };
          await store.apply(changes({ people: [person], organizations: [org, { name: "Other", code: "OTH" }] }));
          expect(await store.countPeople()).toBe(1);
          expect(await store.countOrganizations()).toBe(2);
          expect(await store.getPerson("octo")).toEqual(person);
          expect(await store.getOrganization("OTH")).toEqual({ name: "Other", code: "OTH" });

          const moved: Person = { ...person, email: "octo@new.example.org", url: "https://octo.example.org" };
          await store.apply(changes({ people: [moved], organizations: [{ ...org, name: "GitHub Inc." }] }));
          expect(await store.countPeople()).toBe(1);
          expect(await store.countOrganizations()).toBe(2);
          expect(await store.getPerson("octo")).toEqual(moved);
          expect(await store.getOrganization("GH")).toEqual({ ...org, name: "GitHub Inc." });
          expect((await store.organizations()).map((o) => o.code)).toEqual(["GH", "OTH"]);
          expect(await store.people()).toEqual([moved]);
        } finally {
          await store.close();
        }
      });

      it("lists people and organizations in alphabetical order, ignoring case", async () => {
        const store = await open();
        try {
          const person = (github_username: string): Person => ({ github_username, email: `${github_username}@example.org`, name: github_username, organization_code: "GH" });
          const organization = (code: string): Organization => ({ code, name: code });
          await store.apply(changes({ people: ["bob", "Carol", "alice", "Bea", "Alan"].map(person), organizations: ["ob", "OA", "oc"].map(organization) }));
          expect((await store.people()).map((p) => p.github_username)).toEqual(["Alan", "alice", "Bea", "bob", "Carol"]);
          expect((await store.organizations()).map((o) => o.code)).toEqual(["OA", "ob", "oc"]);
        } finally {
          await store.close();
        }
      });

      it("records the folder a sync came from, and asks before a sync from elsewhere removes most of the index", async () => {
        const work = mkdtempSync(path.join(tmpdir(), "fm-folder-"));
        const store = await open();
        try {
          const [a, b] = [path.join(work, "a"), path.join(work, "b")];
          generateFolder(a, 30, { seed: 11 });
          generateFolder(b, 10, { seed: 12 });
          expect(await store.syncedFrom()).toBeUndefined();
          // A first sync records it (written as checked, or held until all are checked).
          for (const streamFirstSync of [true, false]) {
            const fresh = await open();
            try {
              await syncFolder(fresh, path.relative(process.cwd(), a), { streamFirstSync });
              expect(await fresh.syncedFrom(), `streamFirstSync: ${streamFirstSync}`).toBe(a);
            } finally {
              await fresh.close();
            }
          }
          const asked: RemovalPlan[] = [];
          const ask = (answer: boolean) => (plan: RemovalPlan) => (asked.push(plan), answer);
          expect(await syncFolder(store, a, { confirmRemoval: ask(false) })).toMatchObject({ added: 30, applied: true });
          expect(await store.syncedFrom()).toBe(a);
          // The same folder, with most of its files gone: not asked.
          for (const f of readdirSync(a).slice(0, 20)) rmSync(path.join(a, f));
          expect(await syncFolder(store, a, { confirmRemoval: ask(false) })).toMatchObject({ removed: 20, applied: true });
          expect(asked).toEqual([]);
          // Another folder that would remove all 10: asked; "no" changes nothing.
          await expect(syncFolder(store, b, { confirmRemoval: ask(false) })).rejects.toBeInstanceOf(SyncDeclinedError);
          expect(asked).toEqual([{ removing: 10, indexed: 10, folder: b, syncedFrom: a }]);
          expect(await store.count()).toBe(10);
          expect(await store.syncedFrom()).toBe(a);
          // Without a question to ask (a script), or answered yes, it goes on and records the new folder.
          expect(await syncFolder(store, b, { confirmRemoval: ask(true) })).toMatchObject({ added: 10, removed: 10, applied: true });
          expect(await store.syncedFrom()).toBe(b);
          // A change without a folder (one file added) keeps the one recorded.
          const extra = path.join(work, "extra");
          generateFolder(extra, 1, { seed: 13 });
          const [file] = readdirSync(extra);
          await syncFiles(store, { root: extra, files: [path.join(extra, file!)] });
          expect(await store.count()).toBe(11);
          expect(await store.syncedFrom()).toBe(b);
          // Removing half or less of the index, from another folder, is not asked either.
          const d = path.join(work, "d");
          cpSync(b, d, { recursive: true });
          for (const f of readdirSync(d).slice(0, 4)) rmSync(path.join(d, f));
          expect(await syncFolder(store, d, { confirmRemoval: ask(false) })).toMatchObject({ removed: 5, unchanged: 6, applied: true });
          expect(asked).toHaveLength(2); // the "no" and the "yes" above
          expect(await store.syncedFrom()).toBe(d);
        } finally {
          await store.close();
          rmSync(work, { recursive: true, force: true });
        }
      });

      it("starts empty", async () => {
        const store = await open();
        try {
          expect(await store.count()).toBe(0);
          expect(await store.fileStates()).toEqual([]);
          expect(await store.list(10, 0)).toEqual({ items: [], total: 0 });
          expect(await store.tags()).toEqual([]);
          expect(await store.textSearch(["abscess"], { limit: 10 })).toEqual([]);
          expect(await store.getEntry("abscess")).toBeUndefined();
        } finally {
          await store.close();
        }
      });
    });
  });
}

/**
 * Two stores on one new, empty index sync the same folder at once: both find the index empty; the
 * second to hold the write lock finds it filled, writes nothing and syncs again. One reports the
 * models added, the other unchanged; both succeed. Closes both stores.
 */
export async function twoFirstSyncsAtOnce(a: Store, b: Store, { models = 60, sync = syncFolder }: { models?: number; sync?: typeof syncFolder } = {}): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "fm-twin-"));
  try {
    generateFolder(dir, models, { seed: 5 });
    const reports = await Promise.all([sync(a, dir), sync(b, dir)]);
    expect(reports.map((r) => [r.added, r.unchanged, r.errors.length]).sort()).toEqual([
      [0, models, 0],
      [models, 0, 0],
    ]);
    expect(await b.count()).toBe(models);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
