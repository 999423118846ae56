// Writing a folder of synthetic models (for demos and scale tests).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toCanonicalJson } from "../model/canonical.js";
import { modelFileName } from "../model/slug.js";
import { iterateModels } from "../model/synthetic.js";
import { InvalidRequestError } from "./errors.js";
import { MODEL_FILE_SUFFIX } from "./scan.js";

export class GenerateFolderError extends InvalidRequestError {
  static override readonly errorCode = "generate-folder";
}

/** Write `count` synthetic models as `<slug>.fm.json` files into `dir` (created; must hold no model files yet). */
export function generateFolder(dir: string, count: number, options: { seed?: number } = {}): { dir: string; files: number } {
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new GenerateFolderError(`--count must be a whole number from 1 to 1,000,000; got ${count}`);
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).some((f) => f.endsWith(MODEL_FILE_SUFFIX))) throw new GenerateFolderError(`${dir} already holds model files; give an empty or new folder`);
  let files = 0;
  // One model at a time: 100,000 models kept in memory at once would take about a gigabyte.
  for (const model of iterateModels(count, options)) {
    writeFileSync(path.join(dir, modelFileName(model.name)), toCanonicalJson(model), { flag: "wx" });
    files++;
  }
  return { dir, files };
}
