// `index check`: whether the index is internally consistent and, given a folder, whether it holds
// exactly what the files say. The engine checks its storage and the rows it derives from each
// model row (Store.readIntegrity); here, every engine alike: each entry against the model JSON
// stored with it, the contributor tables against the models that name them, the index against the
// files (same set, same bytes).
import { readFile } from "node:fs/promises";
import { slugOf } from "../model/slug.js";
import { isPerson, type FindingModelFull } from "../model/types.js";
import type { IndexEntry, Store } from "../store/store.js";
import { InvalidRequestError } from "./errors.js";
import { sha256Hex } from "./process-files.js";
import { findModelFiles } from "./scan.js";
import { contributorRef, relativeName } from "./sync-records.js";

export interface IndexProblem {
  /** storage: the database and the rows derived from model rows; entry: an entry against its JSON; contributors: the people and organizations tables; folder: the index against the files. */
  kind: "storage" | "entry" | "contributors" | "folder";
  message: string;
}

export interface IndexCheckReport {
  /** No problem found. */
  ok: boolean;
  models: number;
  people: number;
  organizations: number;
  /** The folder compared with the index, when one was given. */
  folder?: string;
  /** Model files in that folder. */
  files?: number;
  problems: IndexProblem[];
  /** Checks that could not run here, and why (not problems of the index). */
  skipped: string[];
}

export class CheckFolderError extends InvalidRequestError {
  static override readonly errorCode = "check-folder";
}

/** Check the index in `store`; with `folder`, also that it holds exactly the model files under it. */
export async function checkIndex(store: Store, folder?: string): Promise<IndexCheckReport> {
  const read = await store.readIntegrity();
  const problems: IndexProblem[] = read.problems.map((message) => ({ kind: "storage", message }));
  for (const m of read.models) for (const message of entryProblems(m.entry, m.json)) problems.push({ kind: "entry", message });
  for (const message of contributorProblems(read.models.map((m) => m.entry), read)) problems.push({ kind: "contributors", message });
  const report: IndexCheckReport = { ok: false, models: read.models.length, people: read.people.length, organizations: read.organizations.length, problems, skipped: read.skipped };
  if (folder !== undefined) {
    const files = await folderProblems(folder, read.models.map((m) => m.entry), problems);
    report.folder = folder;
    report.files = files;
  }
  report.ok = problems.length === 0;
  return report;
}

/** Fields of an entry that the model JSON stored with it says otherwise (sync-records.ts makes an entry from a model). */
function entryProblems(entry: IndexEntry, json: string | undefined): string[] {
  const where = `model ${entry.oifm_id} (file ${entry.filename})`;
  if (json === undefined) return []; // the engine reports the missing JSON
  let model: FindingModelFull;
  try {
    model = JSON.parse(json) as FindingModelFull;
  } catch (e) {
    return [`${where}: its stored JSON does not parse (${(e as Error).message})`];
  }
  if (typeof model !== "object" || model === null || !Array.isArray(model.attributes)) return [`${where}: its stored JSON is not a model`];
  const expected: Record<string, unknown> = {
    oifm_id: model.oifm_id,
    name: model.name,
    slugName: typeof model.name === "string" ? slugOf(model.name) : undefined,
    description: model.description,
    synonyms: model.synonyms ?? [],
    tags: model.tags ?? [],
    contributors: (model.contributors ?? []).map(contributorRef),
    attributes: model.attributes.map((a) => ({ oifma_id: a.oifma_id, name: a.name, type: a.type })),
  };
  const out: string[] = [];
  for (const [field, want] of Object.entries(expected)) {
    const got = JSON.stringify((entry as unknown as Record<string, unknown>)[field]);
    if (got !== JSON.stringify(want)) out.push(`${where}: its entry's ${field} is ${got} where its stored JSON says ${JSON.stringify(want)}`);
  }
  return out;
}

/** The people and organizations tables hold exactly the contributors the indexed models name. */
function contributorProblems(entries: readonly IndexEntry[], read: { people: Array<{ github_username: string }>; organizations: Array<{ code: string }> }): string[] {
  const named = { person: new Map<string, string>(), organization: new Map<string, string>() };
  for (const e of entries) for (const c of e.contributors) if (!named[c.kind].has(c.key)) named[c.kind].set(c.key, e.oifm_id);
  const out: string[] = [];
  const compare = (kind: "person" | "organization", table: string, held: readonly string[]) => {
    const have = new Set(held);
    for (const [key, model] of named[kind]) if (!have.has(key)) out.push(`${table}: ${kind} ${key}, named by model ${model}, is not in the table`);
    for (const key of held) if (!named[kind].has(key)) out.push(`${table}: ${kind} ${key} is named by no indexed model`);
  };
  compare("person", "people", read.people.map((p) => p.github_username));
  compare("organization", "organizations", read.organizations.map((o) => o.code));
  return out;
}

/** The index against the model files under `folder`: the same files, each with the same bytes. Returns how many files there are. */
async function folderProblems(folder: string, entries: readonly IndexEntry[], problems: IndexProblem[]): Promise<number> {
  const found = findModelFiles([folder]);
  if (found.missing.length > 0) throw new CheckFolderError(`${folder} does not exist`);
  for (const p of found.problems) problems.push({ kind: "folder", message: `${p.file}: ${p.message}` });
  const indexed = new Map(entries.map((e) => [e.filename, e]));
  const seen = new Set<string>();
  for (const file of found.files) {
    const name = relativeName(folder, file);
    seen.add(name);
    const entry = indexed.get(name);
    if (!entry) {
      problems.push({ kind: "folder", message: `${name}: in the folder, not in the index` });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      problems.push({ kind: "folder", message: `${name}: cannot be read (${(e as Error).message})` });
      continue;
    }
    const hash = sha256Hex(bytes);
    if (hash !== entry.fileHash) problems.push({ kind: "folder", message: `${name}: its bytes differ from what the index holds for model ${entry.oifm_id} (sha256 ${hash.slice(0, 12)}… in the folder, ${entry.fileHash.slice(0, 12)}… indexed)` });
  }
  for (const e of entries) if (!seen.has(e.filename)) problems.push({ kind: "folder", message: `${e.filename}: in the index (model ${e.oifm_id}), not in the folder` });
  return found.files.length;
}
