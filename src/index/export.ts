// The registry's generated files for a folder of definitions: text/<slug>.md for each model,
// index.md and ids.json. Nothing is written unless every definition is valid and none clash;
// files whose content is already right are not rewritten (their modification time stays).
import { readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { textFileName, toIdsJson, toIndexMarkdown, type RegistryEntry } from "../model/registry-files.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { checkModelFiles, type CheckReport } from "./check-folder.js";
import { describeIoError } from "./scan.js";

export interface ExportReport extends Omit<CheckReport, "changed"> {
  /** Output files written because they were missing or different. */
  written: string[];
  /** Output files already up to date. */
  unchanged: number;
}

export async function exportRegistry(defsDir: string, outDir: string): Promise<ExportReport> {
  // Whether the definitions are in canonical form is validate's business, not reported here.
  const { processed, files, valid, invalid, errors, conflicts } = await checkModelFiles([defsDir], { markdown: true });
  const result: ExportReport = { files, valid, invalid, errors, conflicts, written: [], unchanged: 0 };
  if (errors.length > 0 || conflicts.length > 0) return result;

  const entries: RegistryEntry[] = processed.map((f) => ({ filename: toPosix(path.relative(defsDir, f.file)), model: f.summary! }));
  const outputs = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const file = path.join(outDir, "text", textFileName(entry));
    // Two names with the same slug (e.g. "a-b" and "a b") would overwrite each other's text.
    const clash = outputs.has(file);
    if (clash) {
      result.errors.push({ file: path.join(defsDir, entry.filename), path: "$.name", message: `its text file ${textFileName(entry)} is also the text file of another model; rename one of them` });
      continue;
    }
    outputs.set(file, processed[i]!.markdown!);
  }
  if (result.errors.length > 0) return result;
  outputs.set(path.join(outDir, "index.md"), toIndexMarkdown(entries, { defsPath: toPosix(path.relative(outDir, defsDir)) }));
  outputs.set(path.join(outDir, "ids.json"), toIdsJson(entries));

  await mkdir(path.join(outDir, "text"), { recursive: true });
  // Reads and writes of a few kilobytes each: done inline, which measured faster than async I/O.
  // Only files that exist are read to compare (one listing instead of a failed open per new file).
  const existing = new Set([...listFiles(outDir), ...listFiles(path.join(outDir, "text"))]);
  for (const [file, content] of outputs) {
    if (existing.has(file) && hasContent(file, content)) {
      result.unchanged++;
      continue;
    }
    try {
      writeFileAtomicSync(file, content);
      result.written.push(file);
    } catch (e) {
      result.errors.push({ file, path: "$", message: `could not be written: ${describeIoError(e)}` });
    }
  }
  result.written.sort();
  return result;
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/**
 * Whether `file` holds exactly `content`. Read as text (one call, decoded in C++) and compared as
 * text: cheaper than encoding `content` to compare bytes. Decoding turns a bad byte into U+FFFD,
 * so a content with that character is compared as bytes.
 */
function hasContent(file: string, content: string): boolean {
  try {
    if (content.includes("\uFFFD")) return readFileSync(file).equals(Buffer.from(content));
    return readFileSync(file, "utf8") === content;
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
