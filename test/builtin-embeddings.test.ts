// The built-in offline embeddings model, for real: the Universal Sentence Encoder lite loaded from
// the @energetic-ai packages on disk (a devDependency here, an optional peer dependency for
// users), on a small folder of registry models. No network, no stand-in model.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILTIN_DIMS, BuiltinEmbeddings } from "../src/index/embeddings/builtin-embeddings.js";
import { embeddingsFromConfig } from "../src/index/embeddings/from-environment.js";
import { openIndex } from "../src/index/open-index.js";
import { DEFS } from "./corpus.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-builtin-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FILES = ["ascites.fm.json", "pneumothorax.fm.json", "cardiomegaly.fm.json", "pneumoperitoneum.fm.json", "pleural_effusion.fm.json", "hydrocephalus.fm.json"];

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe("the built-in embeddings model", () => {
  const provider = new BuiltinEmbeddings();

  it("gives one vector of 512 numbers per text, the same each time, near for the same finding in other words", async () => {
    const [heart, cardiomegaly, pneumothorax] = await provider.embed(["enlarged heart", "cardiomegaly", "pneumothorax"]);
    expect(heart).toHaveLength(BUILTIN_DIMS);
    expect(cardiomegaly).toHaveLength(BUILTIN_DIMS);
    const [again] = await provider.embed(["enlarged heart"]);
    expect(cosine(heart!, again!)).toBeCloseTo(1, 4);
    // Measured: 0.56 beside 0.47.
    expect(cosine(heart!, cardiomegaly!)).toBeGreaterThan(cosine(heart!, pneumothorax!) + 0.05);
    expect(provider.model).toBe("builtin:use-lite@0.2.0");
  }, 60_000);

  it("a sync stores a vector for every model, and hybrid search answers with them", async () => {
    const dir = mkdtempSync(path.join(work, "defs-"));
    for (const f of FILES) copyFileSync(path.join(DEFS, f), path.join(dir, f));
    const index = await openIndex({ db: path.join(work, "index.db"), embeddingsConfig: { url: "builtin" } });
    try {
      const report = await index.sync(dir);
      expect(report.embeddings).toEqual({ embedded: FILES.length, reused: 0, missing: 0, pruned: 0 });
      const stored = await index.store.embeddings("builtin:use-lite@0.2.0");
      expect(stored).toHaveLength(FILES.length);
      for (const v of stored) expect(v.vector).toHaveLength(BUILTIN_DIMS);
      expect((await index.sync(dir)).embeddings).toEqual({ embedded: 0, reused: FILES.length, missing: 0, pruned: 0 });
      expect(index.searchModes()).toEqual(["lexical", "hybrid"]);
      // "belly fluid": of the six models' vectors, ascites's is nearest (0.50; the next 0.47), and
      // it leads the hybrid answer (words alone put pleural effusion first, by "fluid").
      const [query] = await new BuiltinEmbeddings().embed(["belly fluid"]);
      const names = new Map((await index.store.allEntries()).map((e) => [e.oifm_id, e.name]));
      const nearest = [...stored].sort((x, y) => cosine(query!, y.vector) - cosine(query!, x.vector));
      expect(names.get(nearest[0]!.oifm_id)).toBe("ascites");
      const answer = await index.searchAnswer("belly fluid", { limit: 3 });
      expect(answer.mode).toBe("hybrid");
      expect(answer.note).toBeUndefined();
      expect(answer.results[0]?.name).toBe("ascites");
      const exact = await index.searchAnswer("pneumothorax", { limit: 3 });
      expect(exact.results[0]?.name).toBe("pneumothorax");
    } finally {
      await index.close();
    }
  }, 120_000);

  it("is chosen by the URL builtin; another model name, or the packages missing, is an error saying what to do", () => {
    expect(embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "builtin" })).toMatchObject({ model: "builtin:use-lite@0.2.0" });
    expect(embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "builtin", FINDINGMODEL_EMBEDDINGS_MODEL: "use-lite" })).toBeInstanceOf(BuiltinEmbeddings);
    expect(() => embeddingsFromConfig({}, { FINDINGMODEL_EMBEDDINGS_URL: "builtin", FINDINGMODEL_EMBEDDINGS_MODEL: "nomic-embed-text" })).toThrow(/only model is "use-lite"/);
    // A project without the packages: resolved from a folder that has no node_modules.
    const bare = path.join(work, "bare");
    mkdirSync(bare, { recursive: true });
    expect(() => new BuiltinEmbeddings({ resolveFrom: path.join(bare, "app.js") })).toThrow(
      /needs the package @energetic-ai\/core, which is not installed: npm install @energetic-ai\/core@0.2.0 @energetic-ai\/embeddings@0.2.0 @energetic-ai\/model-embeddings-en@0.2.0/,
    );
  });
});
