// The text of a model that its vector is made from, and the hash that says whether a stored vector
// still belongs to it. What a person would say the model is: its name, other names and
// description (tags and attribute names are shared by hundreds of models and would pull every
// vector toward the same place).
import { createHash } from "node:crypto";
import type { IndexEntry } from "../../store/store.js";

export function modelText(entry: Pick<IndexEntry, "name" | "synonyms" | "description">): string {
  const parts = [entry.name];
  if (entry.synonyms.length > 0) parts.push(`Also called: ${entry.synonyms.join(", ")}.`);
  if (entry.description.trim() !== "") parts.push(entry.description.trim());
  return parts.join("\n");
}

/** Hash of `text` as embedded by `model`: another text or another model, another hash. */
export function textHash(model: string, text: string): string {
  return createHash("sha256").update(model).update("\0").update(text).digest("base64url");
}
