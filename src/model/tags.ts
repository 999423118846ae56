// When two tags are the same tag. Tags are compared ignoring case everywhere: a search's tag
// filter (both stores, the index's in-memory filters, the any-term fill), the tag list's counts
// (one line per tagKey, both stores' tag_lower columns), the integrity check, and the web page's
// chips (which take this function through /assets/rules.js, so it reads nothing else).

/** The form in which tags are compared: lower-cased by JavaScript's full Unicode rule. */
export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

/**
 * Whether a model with `tags` carries every one of `wanted`, given as tagKeys (a search turns its
 * tags into keys once, then tests many models); true when none is wanted.
 */
export function carriesTags(tags: readonly string[], wanted: readonly string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const own = tags.map(tagKey);
  return wanted.every((key) => own.includes(key));
}
