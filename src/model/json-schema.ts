// The JSON Schema of a whole finding model as this program hands it out (the HTTP API's
// FindingModel, the MCP tool get_finding_model's output): the shape of a validated model, as its
// *.fm.json file holds it. Descriptive only: what is given out was validated when it was indexed.

const codeSchema = {
  type: "object",
  required: ["system", "code"],
  properties: { system: { type: "string" }, code: { type: "string" }, display: { type: "string" } },
};

export const findingModelJsonSchema = {
  type: "object" as const,
  description: "The whole model, as its *.fm.json file holds it (see the registry's finding_model.schema.json).",
  required: ["oifm_id", "name", "description", "attributes"],
  properties: {
    oifm_id: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    synonyms: { type: "array", items: { type: "string" } },
    tags: { type: "array", items: { type: "string" } },
    contributors: { type: "array", items: { type: "object" } },
    attributes: { type: "array", items: { type: "object" } },
    index_codes: { type: "array", items: codeSchema },
  },
};
