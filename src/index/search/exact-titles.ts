// Exact matches, answered from memory: the models whose ID is the query, then those whose name is
// it, then those with a synonym that is it (case-insensitive), as the stores' exactMatches orders
// them (within each kind by lower-cased name, then ID).
import { nameKey } from "../../model/names.js";
import { carriesTags } from "../../model/tags.js";
import type { IndexEntry } from "../../store/store.js";

export class ExactTitles {
  private readonly byId = new Map<string, IndexEntry>();
  private readonly byName = new Map<string, IndexEntry[]>();
  private readonly bySynonym = new Map<string, IndexEntry[]>();

  add(entries: readonly IndexEntry[]): void {
    const file = (map: Map<string, IndexEntry[]>, key: string, e: IndexEntry) => {
      const list = map.get(key);
      if (!list) map.set(key, [e]);
      else if (!list.includes(e)) list.push(e);
    };
    for (const e of entries) {
      this.byId.set(e.oifm_id, e);
      file(this.byName, nameKey(e.name), e);
      for (const s of e.synonyms) file(this.bySynonym, nameKey(s), e);
    }
  }

  /** Ready to answer (once, after the last add). */
  finish(): this {
    const order = (a: IndexEntry, b: IndexEntry) => compare(nameKey(a.name), nameKey(b.name)) || compare(a.oifm_id, b.oifm_id);
    for (const list of this.byName.values()) list.sort(order);
    for (const list of this.bySynonym.values()) list.sort(order);
    return this;
  }

  /** The entry with this ID. */
  entry(oifmId: string): IndexEntry | undefined {
    return this.byId.get(oifmId);
  }

  /** At most `limit` models whose ID, name or a synonym is `query`, each once, carrying every one of `tags` (tagKeys). */
  matches(query: string, limit: number, tags?: readonly string[]): IndexEntry[] {
    const key = nameKey(query);
    const byId = this.byId.get(query);
    const found = [...(byId ? [byId] : []), ...(this.byName.get(key) ?? []), ...(this.bySynonym.get(key) ?? [])];
    const out: IndexEntry[] = [];
    for (const e of found) {
      if (out.length >= limit) break;
      if (out.includes(e) || !carriesTags(e.tags, tags)) continue;
      out.push(e);
    }
    return out;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
