// Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): each list gives a document
// 1 / (k + rank); the sums decide the order. It needs no scores on a common scale (BM25 and
// cosine have none), and k = 60 is the value the paper found robust.

export const RRF_K = 60;

/** The ids of `lists` (each best first) in order of their fused score; ties keep first-seen order. */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k = RRF_K): string[] {
  const score = new Map<string, number>();
  for (const list of lists) {
    list.forEach((id, rank) => score.set(id, (score.get(id) ?? 0) + 1 / (k + rank + 1)));
  }
  // Map order is first-seen order, and sort is stable.
  return [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)!);
}
