// Before a server listens: the search data read, and the work of the search and lookup routes done
// a few hundred times (untimed) on queries made from the index's own names and synonyms, so that
// the code a request runs is compiled and optimized before the first request rather than during
// the first seconds of load (when each request waited for it). The index is asked directly, not
// through app.inject: after hundreds of injected requests every young-generation collection of the
// server took several times as long, for as long as it ran (--trace-gc: median 4-6 ms, against
// 0.6 ms after the same searches asked directly).
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { wordsOf } from "../model/words.js";
import { jsonEndingWithEntries, publicEntryJson } from "./public-entry.js";

/** Searches run by warmUp: enough for V8 to optimize the search path (see docs/reliability.md). */
export const WARM_UP_SEARCHES = 400;
/** Lookups run by warmUp. */
const WARM_UP_LOOKUPS = 100;

/** What warmUp did: how many searches and lookups, and how long it took. */
export interface WarmUpReport {
  requests: number;
  ms: number;
}

export async function warmUp(index: FindingModelIndex, searches = WARM_UP_SEARCHES): Promise<WarmUpReport> {
  const started = performance.now();
  await index.readSearchDataNow();
  const entries = (await index.list({ limit: 1000 })).items;
  if (entries.length === 0) return { requests: 0, ms: performance.now() - started };
  const titles = entries.flatMap((e) => [e.name, ...e.synonyms]);
  const words = titles.flatMap((t) => wordsOf(t)).filter((w) => w.length > 3);
  let requests = 0;
  for (let i = 0; i < searches; i++) {
    const q = warmUpQuery(i, titles, words);
    // What the search route does with it.
    const answer = await index.searchAnswer(q, { limit: 10 });
    jsonEndingWithEntries({ query: q, limit: 10, mode: answer.mode }, "results", answer.results);
    requests++;
  }
  for (let i = 0; i < WARM_UP_LOOKUPS; i++) {
    const entry = await index.get(entries[(i * 37) % entries.length]!.oifm_id);
    if (entry) publicEntryJson(entry);
    requests++;
  }
  return { requests, ms: performance.now() - started };
}

/**
 * The i-th query, in turn of the kinds of search there are: a whole title (an exact match), two
 * words of different titles (every word, else any word; general models), a word with a letter
 * left out beside another (near words), one word (a prefix).
 */
function warmUpQuery(i: number, titles: readonly string[], words: readonly string[]): string {
  const word = (n: number) => words[(n * 7919) % words.length]!;
  switch (i % 4) {
    case 0:
      return titles[(i * 131) % titles.length]!;
    case 1:
      return `${word(i)} ${word(i * 31 + 7)}`;
    case 2: {
      const w = word(i * 17 + 3);
      const at = i % w.length;
      return `${w.slice(0, at)}${w.slice(at + 1)} ${word(i + 11)}`;
    }
    default:
      return word(i * 13 + 5).slice(0, 5);
  }
}
