// The engine-independent half of Store.readIntegrity. Each engine reads its rows (SQL stays in
// the engine folders) and runs its own checks (the database's, its own derived rows and columns);
// what every engine stores alike — the model rows with their JSON, the attribute rows, the
// contributors — is checked here, once, and derived rows are compared here as keyed texts.
import { toOrganization, toPerson, uniqueSynonyms, uniqueTags, type OrganizationRow, type PersonRow } from "./rows.js";
import type { IndexEntry, IntegrityRead } from "./store.js";

/** What an engine read at one moment for the index check, besides the problems it found itself. */
export interface StoredRows {
  /** Each model row: its entry (undefined when its columns do not read as one; the engine says why) and its stored JSON (null: none). */
  models: ReadonlyArray<{ oifmId: string; entry: IndexEntry | undefined; json: string | null }>;
  /** The keys of model_json rows that no model row has. */
  orphanJson: ReadonlyArray<string | number>;
  /** The attribute rows, each with the oifm_id of its model (undefined: no model row has its key). */
  attributes: ReadonlyArray<{ oifmaId: string; owner: string | undefined; name: string; type: string }>;
  people: readonly PersonRow[];
  organizations: readonly OrganizationRow[];
}

/**
 * The checks of what every engine stores alike, added to the engine's own `problems`: each model
 * row has its JSON, no JSON row is without a model, the attribute rows are the entries' attributes.
 */
export function integrityRead(rows: StoredRows, problems: string[], skipped: string[]): IntegrityRead {
  const models: IntegrityRead["models"] = [];
  for (const m of rows.models) {
    if (m.json === null) problems.push(`model_json: model ${m.oifmId} has no stored JSON`);
    if (m.entry) models.push({ entry: m.entry, json: m.json ?? undefined });
  }
  for (const id of rows.orphanJson) problems.push(`model_json: row ${id} belongs to no model`);
  const attributes = new Map<string, DerivedRow>(rows.attributes.map((a) => [a.oifmaId, { owner: a.owner, value: attributeText(a.name, a.type) }]));
  compareDerived("attributes", expectedAttributes(models.map((m) => m.entry)), attributes, problems);
  return { problems, skipped, models, people: rows.people.map(toPerson), organizations: rows.organizations.map(toOrganization) };
}

/** A derived row: the model it belongs to (undefined: none) and its content as one text. */
export interface DerivedRow {
  owner: string | undefined;
  value: string;
}

/**
 * Problems of one derived table: rows the model rows call for that are missing or differ, rows
 * no model calls for, rows that belong to no model. Keys identify a row within the table.
 */
export function compareDerived(table: string, expected: ReadonlyMap<string, DerivedRow>, found: ReadonlyMap<string, DerivedRow>, problems: string[]): void {
  for (const [key, want] of expected) {
    const got = found.get(key);
    if (!got) problems.push(`${table}: model ${want.owner} has no row ${key}`);
    else if (got.owner !== want.owner) problems.push(`${table}: row ${key} belongs to ${got.owner === undefined ? "no model" : `model ${got.owner}`} where model ${want.owner} names it`);
    else if (got.value !== want.value) problems.push(`${table}: row ${key} of model ${want.owner} holds ${JSON.stringify(got.value)} where the model row says ${JSON.stringify(want.value)}`);
  }
  for (const [key, got] of found) {
    if (expected.has(key)) continue;
    problems.push(got.owner === undefined ? `${table}: row ${key} belongs to no model` : `${table}: row ${key} of model ${got.owner} is not in the model's entry`);
  }
}

/** The attribute rows the entries call for, keyed by attribute ID. */
function expectedAttributes(entries: readonly IndexEntry[]): Map<string, DerivedRow> {
  const out = new Map<string, DerivedRow>();
  for (const e of entries) for (const a of e.attributes) out.set(a.oifma_id, { owner: e.oifm_id, value: attributeText(a.name, a.type) });
  return out;
}

function attributeText(name: string, type: string): string {
  return JSON.stringify([name, type]);
}

/** Synonym rows (each lower-cased synonym once), keyed by model and synonym. */
export function expectedSynonyms(entries: readonly IndexEntry[]): Map<string, DerivedRow> {
  const out = new Map<string, DerivedRow>();
  for (const e of entries) for (const s of uniqueSynonyms(e.synonyms)) out.set(listKey(e.oifm_id, s.key), { owner: e.oifm_id, value: s.key });
  return out;
}

/** Tag rows (each lower-cased tag once, with its first spelling), keyed by model and tag. */
export function expectedTags(entries: readonly IndexEntry[]): Map<string, DerivedRow> {
  const out = new Map<string, DerivedRow>();
  for (const e of entries) for (const t of uniqueTags(e.tags)) out.set(listKey(e.oifm_id, t.key), { owner: e.oifm_id, value: t.value });
  return out;
}

export function listKey(oifmId: string, value: string): string {
  return `${oifmId} ${JSON.stringify(value)}`;
}
