// What a sync makes of a checked file: the candidate it checks, the entry it writes, and the
// contributors it upserts (merged with what the index knows).
import path from "node:path";
import { slugOf } from "../model/slug.js";
import type { Contributor, Organization, Person } from "../model/types.js";
import { isPerson } from "../model/types.js";
import type { ContributorRef, EntryRecord, SyncChanges, ValidationSnapshot } from "../store/store.js";
import type { BatchModel } from "./cross-check.js";
import { withModelJson } from "./held-json.js";
import type { FileRecord, ProcessedFile } from "./process-files.js";

/** A valid file that is new or changed: checked against the rest, then written. */
export interface Candidate extends BatchModel {
  record: FileRecord;
  kind: "added" | "updated";
}

export function toCandidate(p: ProcessedFile, filename: string, kind: Candidate["kind"]): Candidate {
  return { file: p.file, filename, summary: p.summary!, contributors: p.record!.contributors, record: p.record!, kind };
}

export function toEntryRecord(c: Candidate): EntryRecord {
  const s = c.summary;
  const entry = {
    oifm_id: s.oifm_id,
    name: s.name,
    slugName: slugOf(s.name),
    filename: c.filename,
    fileHash: c.record.fileHash,
    fileSize: c.record.fileSize,
    fileMtimeMs: c.record.fileMtimeMs,
    description: s.description,
    synonyms: s.synonyms ?? [],
    tags: s.tags ?? [],
    contributors: c.contributors.map(contributorRef),
    attributes: s.attributes,
  };
  return withModelJson(entry, c.file, c.record);
}

export function contributorRef(c: Contributor): ContributorRef {
  return isPerson(c) ? { kind: "person", key: c.github_username, name: c.name } : { kind: "organization", key: c.code, name: c.name };
}

/**
 * People and organizations to write: those the written models name, each merged with what is
 * known (a detail left out is kept). Gathered model by model, holding each contributor once.
 */
export class ContributorUpserts {
  private readonly people: Map<string, Person>;
  private readonly organizations: Map<string, Organization>;
  private readonly changedPeople = new Map<string, Person>();
  private readonly changedOrganizations = new Map<string, Organization>();

  constructor(known: Pick<ValidationSnapshot, "people" | "organizations"> | undefined) {
    this.people = new Map((known?.people ?? []).map((p) => [p.github_username, p]));
    this.organizations = new Map((known?.organizations ?? []).map((o) => [o.code, o]));
  }

  add(contributors: readonly Contributor[]): void {
    for (const c of contributors) {
      if (isPerson(c)) {
        const merged = merge(this.people.get(c.github_username), c);
        if (merged) {
          this.people.set(c.github_username, merged);
          this.changedPeople.set(c.github_username, merged);
        }
      } else {
        const merged = merge(this.organizations.get(c.code), c);
        if (merged) {
          this.organizations.set(c.code, merged);
          this.changedOrganizations.set(c.code, merged);
        }
      }
    }
  }

  changes(): Pick<SyncChanges, "people" | "organizations"> {
    return { people: [...this.changedPeople.values()], organizations: [...this.changedOrganizations.values()] };
  }
}

/** `known` updated with the details `next` states; undefined when that changes nothing. */
function merge<T extends object>(known: T | undefined, next: T): T | undefined {
  if (!known) return next;
  const merged = { ...known } as Record<string, unknown>;
  let changed = false;
  for (const [k, v] of Object.entries(next)) {
    if (v != null && merged[k] !== v) {
      merged[k] = v;
      changed = true;
    }
  }
  return changed ? (merged as T) : undefined;
}

/** `file` relative to the synced folder, with "/" separators (as the index records it). */
export function relativeName(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join("/");
}
