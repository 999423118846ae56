// The part of a model that folder-level work needs (clash checks, index.md, ids.json, an index
// entry): small, plain, and cheap to pass between threads, unlike a whole model.
import type { FindingModelFull } from "./types.js";

export interface ModelSummary {
  oifm_id: string;
  name: string;
  description: string;
  synonyms?: string[];
  tags?: string[];
  contributors?: { name: string }[];
  attributes: { oifma_id: string; name: string; type: "choice" | "numeric" }[];
}

export function summarize(model: FindingModelFull): ModelSummary {
  const summary: ModelSummary = {
    oifm_id: model.oifm_id,
    name: model.name,
    description: model.description,
    attributes: model.attributes.map((a) => ({ oifma_id: a.oifma_id, name: a.name, type: a.type })),
  };
  if (model.synonyms) summary.synonyms = model.synonyms;
  if (model.tags) summary.tags = model.tags;
  if (model.contributors) summary.contributors = model.contributors.map((c) => ({ name: c.name }));
  return summary;
}
