// The registry's generated files for a folder of definitions: text/<slug>.md for each model,
// index.md and ids.json. Nothing is written unless every definition is valid and none clash;
// files whose content is already right are not rewritten (their modification time stays).
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { toMarkdown } from "../model/markdown.js";
import { textFileName, toIdsJson, toIndexMarkdown, type RegistryEntry } from "../model/registry-files.js";
import { writeFileAtomic } from "./atomic-write.js";
import { checkModelFiles, type CheckReport } from "./check-folder.js";
import { READ_CONCURRENCY } from "./load.js";
import { describeIoError } from "./scan.js";

export interface ExportReport extends Omit<CheckReport, "changed"> {
  /** Output files written because they were missing or different. */
  written: string[];
  /** Output files already up to date. */
  unchanged: number;
}

export async function exportRegistry(defsDir: string, outDir: string): Promise<ExportReport> {
  const check = await checkModelFiles([defsDir]);
  const { loaded, changed: _notCanonical, ...report } = check;
  const result: ExportReport = { ...report, written: [], unchanged: 0 };
  if (report.errors.length > 0 || report.conflicts.length > 0) return result;

  const entries: RegistryEntry[] = loaded.map((f) => ({ filename: toPosix(path.relative(defsDir, f.file)), model: f.model! }));
  const outputs = new Map<string, string>();
  for (const entry of entries) {
    const file = path.join(outDir, "text", textFileName(entry));
    // Two names with the same slug (e.g. "a-b" and "a b") would overwrite each other's text.
    const clash = outputs.has(file);
    if (clash) {
      result.errors.push({ file: path.join(defsDir, entry.filename), path: "$.name", message: `its text file ${textFileName(entry)} is also the text file of another model; rename one of them` });
      continue;
    }
    outputs.set(file, toMarkdown(entry.model));
  }
  if (result.errors.length > 0) return result;
  outputs.set(path.join(outDir, "index.md"), toIndexMarkdown(entries, { defsPath: toPosix(path.relative(outDir, defsDir)) }));
  outputs.set(path.join(outDir, "ids.json"), toIdsJson(entries));

  await mkdir(path.join(outDir, "text"), { recursive: true });
  const limit = pLimit(READ_CONCURRENCY);
  await Promise.all(
    [...outputs].map(([file, content]) =>
      limit(async () => {
        if (await hasContent(file, content)) {
          result.unchanged++;
          return;
        }
        try {
          await writeFileAtomic(file, content);
          result.written.push(file);
        } catch (e) {
          result.errors.push({ file, path: "$", message: `could not be written: ${describeIoError(e)}` });
        }
      }),
    ),
  );
  result.written.sort();
  return result;
}

async function hasContent(file: string, content: string): Promise<boolean> {
  try {
    const existing = await readFile(file);
    return existing.length === Buffer.byteLength(content) && existing.equals(Buffer.from(content));
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
