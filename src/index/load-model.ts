// Loading one model file for a library user: the whole validated model, or every problem in it.
import { readFile } from "node:fs/promises";
import type { FindingModelFull } from "../model/types.js";
import { checkModelBytes, type FileError } from "./process-files.js";
import { describeIoError } from "./scan.js";

export type LoadedModel = { ok: true; model: FindingModelFull } | { ok: false; errors: FileError[] };

/**
 * Read, parse, validate and normalize one `*.fm.json` file. Never throws for bad input.
 * @param file - path of the model file
 * @returns `{ ok: true, model }` with the normalized model, or `{ ok: false, errors }` with every
 * problem (file, JSON path, message) when the file cannot be read, is not JSON or not a valid model
 * @example
 * ```ts
 * import { loadModelFile, toMarkdown } from "findingmodel";
 *
 * const loaded = await loadModelFile("defs/pneumothorax.fm.json");
 * if (loaded.ok) console.log(toMarkdown(loaded.model));
 * else for (const e of loaded.errors) console.error(`${e.file} ${e.path}: ${e.message}`);
 * ```
 */
export async function loadModelFile(file: string): Promise<LoadedModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return { ok: false, errors: [{ file, path: "$", message: describeIoError(e) }] };
  }
  const checked = checkModelBytes(file, bytes);
  return checked.model ? { ok: true, model: checked.model } : { ok: false, errors: checked.errors };
}
