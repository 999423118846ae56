// Row shapes and conversions every engine shares: contributors as stored, the entry columns of a
// model row, values without repeats ignoring case. SQL stays in the engine folders.
import { nameKey } from "../model/names.js";
import { tagKey } from "../model/tags.js";
import type { Organization, Person } from "../model/types.js";
import { createHash } from "node:crypto";
import type { ContributorRef, EntryRecord, FileState, IndexEntry } from "./store.js";

export interface PersonRow {
  github_username: string;
  email: string;
  name: string;
  organization_code: string;
  url: string | null;
}

export interface OrganizationRow {
  code: string;
  name: string;
  url: string | null;
}

export function toPerson(r: PersonRow): Person {
  const p: Person = { github_username: r.github_username, email: r.email, name: r.name, organization_code: r.organization_code };
  if (r.url !== null) p.url = r.url;
  return p;
}

export function toOrganization(r: OrganizationRow): Organization {
  const o: Organization = { name: r.name, code: r.code };
  if (r.url !== null) o.url = r.url;
  return o;
}

/** A model row's entry columns, by the names both engines' tables give them, with its lists parsed. */
export interface EntryColumns {
  oifm_id: string;
  name: string;
  slug_name: string;
  filename: string;
  file_hash: string;
  file_size: number;
  file_mtime_ms: number;
  description: string;
  synonyms: string[];
  tags: string[];
  contributors: IndexEntry["contributors"];
  attributes: IndexEntry["attributes"];
}

/** The entry of a model row. */
export function entryOf(r: EntryColumns): IndexEntry {
  return {
    oifm_id: r.oifm_id,
    name: r.name,
    slugName: r.slug_name,
    filename: r.filename,
    fileHash: r.file_hash,
    fileSize: r.file_size,
    fileMtimeMs: r.file_mtime_ms,
    description: r.description,
    synonyms: r.synonyms,
    tags: r.tags,
    contributors: r.contributors,
    attributes: r.attributes,
  };
}

/** The columns of a model row, in the order both engines' tables declare them. */
export function entryColumns(r: EntryRecord): [string, string, string, string, string, string, number, number, string, string, string, string, string] {
  return [
    r.oifm_id,
    r.name,
    nameKey(r.name),
    r.slugName,
    r.filename,
    r.fileHash,
    r.fileSize,
    r.fileMtimeMs,
    r.description,
    JSON.stringify(r.synonyms),
    JSON.stringify(r.tags),
    // Exactly the declared fields, whatever else the caller's objects carry.
    JSON.stringify(r.contributors.map((c) => ({ kind: c.kind, key: c.key, name: c.name }))),
    JSON.stringify(r.attributes.map((a) => ({ oifma_id: a.oifma_id, name: a.name, type: a.type }))),
  ];
}

/** Synonyms without repeats by nameKey, each with its key, first spelling kept. */
export function uniqueSynonyms(synonyms: readonly string[]): KeyedValue[] {
  return uniqueBy(synonyms, nameKey);
}

/** Tags without repeats by tagKey, each with its key, first spelling kept. */
export function uniqueTags(tags: readonly string[]): KeyedValue[] {
  return uniqueBy(tags, tagKey);
}

export interface KeyedValue {
  value: string;
  /** The form the stores compare and index (nameKey or tagKey). */
  key: string;
}

function uniqueBy(values: readonly string[], keyOf: (value: string) => string): KeyedValue[] {
  const seen = new Set<string>();
  const out: KeyedValue[] = [];
  for (const value of values) {
    const key = keyOf(value);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ value, key });
  }
  return out;
}

/**
 * The people and organizations named by the models a change removes or rewrites: the only ones it
 * can leave unnamed. After the change, each that no model names any more is deleted, in the same
 * transaction, so the contributor tables hold exactly what the indexed models say.
 */
export class RemovedContributors {
  private readonly keys = { person: new Set<string>(), organization: new Set<string>() };

  add(refs: ReadonlyArray<Pick<ContributorRef, "kind" | "key">>): void {
    for (const r of refs) this.keys[r.kind]?.add(r.key);
  }

  get any(): boolean {
    return this.keys.person.size + this.keys.organization.size > 0;
  }

  /**
   * The keys of one kind as the parameter of the engines' prune statements: a JSON array of
   * [key, key as a JSON string]. The second is looked for in a model's contributors text before
   * that text is parsed: a cheap filter that leaves out every model that cannot name the key.
   */
  param(kind: ContributorRef["kind"]): string {
    return JSON.stringify([...this.keys[kind]].map((k) => [k, JSON.stringify(k)]));
  }
}

/** One text for a set of file states, whatever their order (SyncChanges.basis). */
export function statesFingerprint(states: readonly FileState[]): string {
  const rows = states.map((s) => JSON.stringify([s.filename, s.oifm_id, s.fileHash, s.fileSize, s.fileMtimeMs])).sort();
  return createHash("sha256").update(rows.join("\n")).digest("hex");
}
