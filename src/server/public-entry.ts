// An index entry as the API shows it: the model's summary and its file's name relative to the
// definitions folder, without the bookkeeping sync keeps for change detection (hash, size, mtime),
// which is the server's business. Fields are picked, not dropped, so a new store field stays in.
import type { IndexEntry } from "../store/store.js";

export type PublicEntry = Pick<IndexEntry, "oifm_id" | "name" | "slugName" | "filename" | "description" | "synonyms" | "tags" | "contributors" | "attributes">;

export function publicEntry(e: IndexEntry): PublicEntry {
  return {
    oifm_id: e.oifm_id,
    name: e.name,
    slugName: e.slugName,
    filename: e.filename,
    description: e.description,
    synonyms: e.synonyms,
    tags: e.tags,
    contributors: e.contributors,
    attributes: e.attributes,
  };
}

/**
 * JSON.stringify(publicEntry(e)), made once per entry object: searches and lookups answer from the
 * entries search holds in memory, the same objects request after request, so their answers are
 * put together from these strings instead of serializing every entry each time (the bytes are
 * those of JSON.stringify of the whole answer). Entries are never changed in place.
 */
const jsonOf = new WeakMap<IndexEntry, string>();

/** The media type of these answers. */
export const JSON_TYPE = "application/json; charset=utf-8";

export function publicEntryJson(e: IndexEntry): string {
  let json = jsonOf.get(e);
  if (json === undefined) {
    json = JSON.stringify(publicEntry(e));
    jsonOf.set(e, json);
  }
  return json;
}

/** JSON.stringify(entries.map(publicEntry)). */
export function publicEntriesJson(entries: readonly IndexEntry[]): string {
  let out = "[";
  for (let i = 0; i < entries.length; i++) out += (i > 0 ? "," : "") + publicEntryJson(entries[i]!);
  return out + "]";
}

/** JSON.stringify({ ...fields, [key]: entries.map(publicEntry) }): `fields` first, the entries last. */
export function jsonEndingWithEntries(fields: Record<string, unknown>, key: string, entries: readonly IndexEntry[]): string {
  const head = JSON.stringify(fields);
  return `${head.length > 2 ? `${head.slice(0, -1)},` : "{"}${JSON.stringify(key)}:${publicEntriesJson(entries)}}`;
}
