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
