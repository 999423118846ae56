// Clashes between models that are each valid on their own: the registry's cross-file checks.
import { nameKey } from "./names.js";
import type { ModelSummary } from "./summary.js";

export type ConflictKind = "oifm_id" | "oifma_id" | "name";

export interface Conflict {
  kind: ConflictKind;
  /** The clashing value: an ID, or a name as written in the first file. */
  value: string;
  /** Every file that holds it, in the order given. */
  files: string[];
}

export interface ModelInFile {
  file: string;
  /** The model, or its summary (a full model will do). */
  model: Pick<ModelSummary, "oifm_id" | "name" | "attributes">;
}

/** Duplicate model IDs, attribute IDs used by more than one file, and names that clash (nameKey). */
export function findConflicts(models: ModelInFile[]): Conflict[] {
  const byId = new Map<string, string[]>();
  const byAttributeId = new Map<string, string[]>();
  const byName = new Map<string, { value: string; files: string[] }>();
  for (const { file, model } of models) {
    add(byId, model.oifm_id, file);
    for (const attribute of model.attributes) add(byAttributeId, attribute.oifma_id, file);
    const key = nameKey(model.name);
    const seen = byName.get(key);
    if (seen) seen.files.push(file);
    else byName.set(key, { value: model.name, files: [file] });
  }
  const conflicts: Conflict[] = [];
  for (const [value, files] of byId) if (files.length > 1) conflicts.push({ kind: "oifm_id", value, files });
  for (const [value, files] of byAttributeId) {
    // An ID repeated inside one file is that file's own error; here only clashes between files count.
    const distinct = [...new Set(files)];
    if (distinct.length > 1) conflicts.push({ kind: "oifma_id", value, files: distinct });
  }
  for (const { value, files } of byName.values()) if (files.length > 1) conflicts.push({ kind: "name", value, files });
  return conflicts;
}

function add(map: Map<string, string[]>, key: string, file: string): void {
  const files = map.get(key);
  if (files) files.push(file);
  else map.set(key, [file]);
}
