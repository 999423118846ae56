// Checks of a batch of new or changed models against each other and against the rest of the
// index, from one bulk read of the index (never a query per file; for a few files, of only the
// models they can clash with, see Store.validationSnapshot).
import { nameKey } from "../model/names.js";
import type { Contributor, Organization, Person } from "../model/types.js";
import { isPerson } from "../model/types.js";
import type { ModelSummary } from "../model/summary.js";
import type { ValidationSnapshot } from "../store/store.js";
import type { FileError } from "./process-files.js";

export interface BatchModel {
  /** The file as the user named it (for messages). */
  file: string;
  /** The file relative to the synced folder (as the index records it). */
  filename: string;
  summary: ModelSummary;
  contributors: Contributor[];
  /** An indexed model whose file the sync did not read: a name or synonym it shares with another such model is no warning of this sync. */
  unread?: boolean;
}

export interface CrossCheckOptions {
  /**
   * Refuse a name or synonym that is another model's name or synonym (a synonym of one model that
   * is another's name or synonym). By default it is a warning: the registry itself has such shared
   * synonyms, and accepts them.
   */
  strictSynonyms?: boolean;
}

/** Errors of each model keyed by its file, and the warnings of all of them in path order. */
export interface CrossCheckResult {
  errors: Map<string, FileError[]>;
  warnings: FileError[];
  /** Indexed models (not in the batch) that fail: their files as the index records them. */
  failedIndexed: string[];
}

/** Who holds an ID, name or synonym: a model in the index (`where`: its file as the index records it) or in the batch (the file as named). */
type Owner = { oifm_id: string; where: string; inIndex: boolean; unread?: boolean };
type Term = Owner & { what: "name" | "synonym" };

// Every sync checks its batch against every other model of the index, so the index's side is
// built with as little work per model as possible: no strings built (a file's description is made
// only for a clash), each name lower-cased once.
/**
 * Problems of the batch and of the index's models it meets, keyed by file. `remaining` are the
 * index's models that the batch does not replace or remove (all of them, or those that share a
 * key with the batch). Every model is checked against those before it in path order, the order a
 * sync into an empty index checks the same files in: of two files that clash, the later one gets
 * the error, whichever of them the index already held. So the same folder gets the same verdict
 * whatever the index held before. `fileOf` names an indexed model's file as the user named the folder.
 * Without `fileOf` (a sync of some files, not a folder: their order among the index's files means
 * nothing), the index's models come first and only the batch is checked.
 */
export function crossCheck(
  batch: readonly BatchModel[],
  remaining: ValidationSnapshot["models"],
  snapshot: Pick<ValidationSnapshot, "people" | "organizations">,
  options: CrossCheckOptions,
  fileOf?: (filename: string) => string,
): CrossCheckResult {
  const checker = new CrossChecker(fileOf ? [] : remaining, snapshot, options, remaining);
  const indexed = (fileOf ? remaining : []).map((m): BatchModel & { indexed: true } => ({
    file: fileOf!(m.filename),
    filename: m.filename,
    summary: { oifm_id: m.oifm_id, name: m.name, synonyms: m.synonyms, attributes: m.attributeIds.map((oifma_id) => ({ oifma_id })) } as unknown as ModelSummary,
    // Contributors of indexed models are what the index records (seeded from the snapshot).
    contributors: [],
    unread: true,
    indexed: true,
  }));
  const all: Array<BatchModel & { indexed?: true }> = [...batch, ...indexed].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  const errors = new Map<string, FileError[]>();
  const warnings: FileError[] = [];
  const failedIndexed: string[] = [];
  for (const m of all) {
    const problems = checker.check(m, warnings);
    if (problems.length === 0) continue;
    errors.set(m.file, problems);
    if (m.indexed) failedIndexed.push(m.filename);
  }
  return { errors, warnings, failedIndexed };
}

/**
 * The same checks one model at a time, in batch order: a sync that writes each model as soon as it
 * is checked holds only these keys, not the models.
 */
export class CrossChecker {
  private readonly ids = new Map<string, Owner>();
  private readonly names = new Map<string, Owner>();
  private readonly attributeIds = new Map<string, Owner>();
  /** Names and synonyms, lower-cased. */
  private readonly terms = new Map<string, Term>();
  private readonly people = new Map<string, { person: Person; where: string }>();
  private readonly organizations = new Map<string, { organization: Organization; where: string }>();

  /**
   * `remaining`: indexed models checked before any other (none, when the caller checks them in
   * order itself); `namingContributors`: the indexed models whose contributors the index's record
   * of them (`snapshot`) stands for.
   */
  constructor(
    remaining: ValidationSnapshot["models"],
    snapshot: Pick<ValidationSnapshot, "people" | "organizations">,
    private readonly options: CrossCheckOptions = {},
    namingContributors: ValidationSnapshot["models"] = remaining,
  ) {
    const stillNamedPeople = new Set<string>();
    const stillNamedOrganizations = new Set<string>();
    for (const m of namingContributors) for (const c of m.contributors) (c.kind === "person" ? stillNamedPeople : stillNamedOrganizations).add(c.key);
    for (const m of remaining) {
      const owner: Owner = { oifm_id: m.oifm_id, where: m.filename, inIndex: true };
      this.ids.set(m.oifm_id, owner);
      const lower = nameKey(m.name);
      this.names.set(lower, owner);
      this.terms.set(lower, { oifm_id: m.oifm_id, where: m.filename, inIndex: true, what: "name" });
      for (const s of m.synonyms) {
        const key = nameKey(s);
        if (!this.terms.has(key)) this.terms.set(key, { oifm_id: m.oifm_id, where: m.filename, inIndex: true, what: "synonym" });
      }
      for (const a of m.attributeIds) this.attributeIds.set(a, owner);
    }
    // Contributors must agree on their details wherever they appear. What the index holds counts
    // only while a model that stays in the index still names the contributor.
    for (const p of snapshot.people) if (stillNamedPeople.has(p.github_username)) this.people.set(p.github_username, { person: p, where: "the index" });
    for (const o of snapshot.organizations) if (stillNamedOrganizations.has(o.code)) this.organizations.set(o.code, { organization: o, where: "the index" });
  }

  /**
   * Problems of `m` against the index and the models checked before it (none: an empty list); a
   * name or synonym shared with another model is added to `warnings` instead (unless strictSynonyms).
   */
  check(m: BatchModel, warnings: FileError[]): FileError[] {
    const errors: FileError[] = [];
    const fail = (path: string, message: string) => errors.push({ file: m.file, path, message });
    const strict = this.options.strictSynonyms === true;
    const shared = (path: string, message: string, other: Owner) => {
      if (!strict && m.unread && other.unread) return;
      (strict ? errors : warnings).push({ file: m.file, path, message: strict ? `${message} (refused with --strict-synonyms)` : message });
    };
    const { ids, names, attributeIds, terms, people, organizations } = this;
    const s = m.summary;
    const owner: Owner = { oifm_id: s.oifm_id, where: m.file, inIndex: false, ...(m.unread ? { unread: true } : {}) };
    const sameId = ids.get(s.oifm_id);
    if (sameId) fail("$.oifm_id", `model ID ${s.oifm_id} is also used by ${place(sameId)}`);
    else ids.set(s.oifm_id, owner);

    const lower = nameKey(s.name);
    const sameName = names.get(lower);
    if (sameName && sameName.oifm_id !== s.oifm_id) fail("$.name", `the name "${s.name}" is also the name of ${sameName.oifm_id} in ${place(sameName)} (names are compared ignoring case)`);
    else names.set(lower, owner);

    s.attributes.forEach((a, i) => {
      const other = attributeIds.get(a.oifma_id);
      if (other && other.oifm_id !== s.oifm_id) fail(`$.attributes[${i}].oifma_id`, `attribute ID ${a.oifma_id} already belongs to model ${other.oifm_id} in ${place(other)}`);
      else attributeIds.set(a.oifma_id, owner);
    });

    const nameTerm = terms.get(lower);
    if (nameTerm && nameTerm.oifm_id !== s.oifm_id && nameTerm.what === "synonym") {
      shared("$.name", `the name "${s.name}" is a synonym of ${nameTerm.oifm_id} in ${place(nameTerm)}`, nameTerm);
    }
    (s.synonyms ?? []).forEach((synonym, i) => {
      const other = terms.get(nameKey(synonym));
      if (other && other.oifm_id !== s.oifm_id) shared(`$.synonyms[${i}]`, `the synonym "${synonym}" is also the ${other.what} of ${other.oifm_id} in ${place(other)}`, other);
    });
    if (!terms.has(lower)) terms.set(lower, { ...owner, what: "name" });
    for (const synonym of s.synonyms ?? []) if (!terms.has(nameKey(synonym))) terms.set(nameKey(synonym), { ...owner, what: "synonym" });

    m.contributors.forEach((c, i) => {
      const path = `$.contributors[${i}]`;
      if (isPerson(c)) {
        const seen = people.get(c.github_username);
        const diff = seen && differences(seen.person, c, ["email", "name", "organization_code", "url"]);
        if (diff) fail(path, `contributor ${c.github_username} has other details in ${seen.where}: ${diff}; a person must be described the same way everywhere`);
        else if (!seen) people.set(c.github_username, { person: c, where: m.file });
      } else {
        const seen = organizations.get(c.code);
        const diff = seen && differences(seen.organization, c, ["name", "url"]);
        if (diff) fail(path, `organization ${c.code} has other details in ${seen.where}: ${diff}; an organization must be described the same way everywhere`);
        else if (!seen) organizations.set(c.code, { organization: c, where: m.file });
      }
    });
    return errors;
  }
}

function place(o: Owner): string {
  return o.inIndex ? `${o.where} (already in the index)` : o.where;
}

/** Details that both sides state and state differently (a detail left out elsewhere is no clash). */
function differences<T extends object>(a: T, b: T, keys: (keyof T)[]): string {
  return keys
    .filter((k) => a[k] != null && b[k] != null && a[k] !== b[k])
    .map((k) => `${String(k)} ${JSON.stringify(a[k] ?? null)} there, ${JSON.stringify(b[k] ?? null)} here`)
    .join("; ");
}
