// What both engines decide on finding what is where an index should be: nothing yet (create it),
// an index of an older version (migrate it) or of this one, or one of a newer findingmodel or
// something else entirely (refuse, changing nothing). Only the words for the place differ.
import { StoreError } from "./store.js";

export interface FoundIndex {
  /** Nothing there yet. */
  empty: boolean;
  /** Marked as a findingmodel index. */
  ours: boolean;
  version: number;
}

export interface IndexPlace {
  /** The place as messages name it (a file, or a schema on a server). */
  where: string;
  /** The message for a place that holds another program's data. */
  foreign: string;
  /** How to point the program elsewhere, e.g. "point --db at another file". */
  elsewhere: string;
}

/** Whether the place needs the schema created or migrated to `current` (true), is current (false), or cannot be used (throws). */
export function needsSchema(found: FoundIndex, place: IndexPlace, current: number): boolean {
  if (found.empty) return true;
  if (!found.ours) throw new StoreError("other", place.foreign);
  if (found.version > current) {
    throw new StoreError(
      "too-new",
      `${place.where} has index schema version ${found.version}, but this findingmodel reads version ${current} at most; ` +
        `upgrade findingmodel (npm install findingmodel@latest), or ${place.elsewhere}`,
    );
  }
  return found.version < current;
}

/** The first few names of `objects`, for a message. */
export function listed(objects: readonly string[]): string {
  return objects.slice(0, 5).join(", ") + (objects.length > 5 ? ", ..." : "");
}
