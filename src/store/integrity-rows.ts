// The rows each engine derives from a model row (full text, attributes, synonyms, tags, JSON),
// compared with what the model row says: the shared half of Store.readIntegrity. SQL stays in the
// engine folders; they read the rows and hand them here as keyed texts.
import type { IndexEntry } from "./store.js";
import { uniqueSynonyms, uniqueTags } from "./rows.js";

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
export function expectedAttributes(entries: readonly IndexEntry[]): Map<string, DerivedRow> {
  const out = new Map<string, DerivedRow>();
  for (const e of entries) for (const a of e.attributes) out.set(a.oifma_id, { owner: e.oifm_id, value: attributeText(a.name, a.type) });
  return out;
}

export function attributeText(name: string, type: string): string {
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
