// The tuning/check split of an evaluation query: fixed by the query's text alone, so a query keeps
// its half whatever else changes in the set.

export type Half = "tune" | "check";

/** FNV-1a (32-bit) of the lower-cased, trimmed query: even -> tune, odd -> check. */
export function halfOf(query: string): Half {
  let h = 0x811c9dc5;
  for (const ch of query.trim().toLowerCase()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 2 === 0 ? "tune" : "check";
}
