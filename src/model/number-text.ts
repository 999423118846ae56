// Numbers are written back as they were read: a `1.0` in a file stays `1.0` in canonical JSON and
// in Markdown, although JavaScript reads it as 1. The parser records the source text of every
// number whose plain JavaScript form differs, keyed by the object that holds it and the field name.
// A WeakMap keeps this off the model objects themselves, so models stay plain data.

const sourceText = new WeakMap<object, Map<string, string>>();

/** Remember that `owner[key]` was written as `text` in the source file. */
export function recordNumberText(owner: object, key: string, text: string): void {
  let fields = sourceText.get(owner);
  if (!fields) sourceText.set(owner, (fields = new Map()));
  fields.set(key, text);
}

/** Carry the recorded source texts of `from` over to `to` (when a loader copies an object). */
export function copyNumberText(from: object, to: object): void {
  const fields = sourceText.get(from);
  if (fields) sourceText.set(to, new Map(fields));
}

/** The text of the number `owner[key]`: as read from the file where recorded, else JSON's form. */
export function numberText(owner: object, key: string, value: number): string {
  const text = sourceText.get(owner)?.get(key);
  return text !== undefined && Number(text) === value ? text : JSON.stringify(value);
}

/** Whether any number of `owner` was recorded with source text. */
export function hasNumberText(owner: object): boolean {
  return sourceText.has(owner);
}
