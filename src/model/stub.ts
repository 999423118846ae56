// New models from a name: the registry's standard "presence" and "change from prior" attributes
// (the shape 2,130 and 1,966 of the registry's models use), with fresh IDs.
import { newId, valueCode } from "./ids.js";
import type { ChoiceAttributeIded, FindingModelFull, IndexCode } from "./types.js";
import { validateFindingModel } from "./validate.js";

export interface StubInfo {
  name: string;
  description?: string;
  synonyms?: string[];
  tags?: string[];
}

const radlex = (code: string, display: string): IndexCode => ({ system: "RADLEX", code, display });
const snomed = (code: string, display: string): IndexCode => ({ system: "SNOMED", code, display });

interface StandardValue {
  name: string;
  /** The value's description, given the finding's name. */
  describe: (name: string) => string;
  codes?: IndexCode[];
}

const PRESENCE: StandardValue[] = [
  { name: "absent", describe: (n) => `${upperFirst(n)} is absent`, codes: [radlex("RID28473", "absent"), snomed("2667000", "Absent (qualifier value)")] },
  { name: "present", describe: (n) => `${upperFirst(n)} is present`, codes: [radlex("RID28472", "present"), snomed("52101004", "Present (qualifier value)")] },
  { name: "indeterminate", describe: (n) => `Presence of ${n} cannot be determined`, codes: [radlex("RID39110", "indeterminate"), snomed("82334004", "Indeterminate (qualifier value)")] },
  { name: "unknown", describe: (n) => `Presence of ${n} is unknown`, codes: [radlex("RID5655", "unknown"), snomed("261665006", "Unknown (qualifier value)")] },
];

const CHANGE_FROM_PRIOR: StandardValue[] = [
  { name: "unchanged", describe: (n) => `${upperFirst(n)} is unchanged`, codes: [radlex("RID39268", "unchanged"), snomed("260388006", "No status change (qualifier value)")] },
  { name: "stable", describe: (n) => `${upperFirst(n)} is stable`, codes: [radlex("RID5734", "stable"), snomed("58158008", "Stable (qualifier value)")] },
  { name: "new", describe: (n) => `${upperFirst(n)} is new`, codes: [radlex("RID5720", "new"), snomed("7147002", "New (qualifier value)")] },
  { name: "resolved", describe: (n) => `${upperFirst(n)} seen on a prior exam has resolved` },
  { name: "increased", describe: (n) => `${upperFirst(n)} has increased`, codes: [radlex("RID36043", "increased"), snomed("35105006", "Increased (qualifier value)")] },
  { name: "decreased", describe: (n) => `${upperFirst(n)} has decreased`, codes: [radlex("RID36044", "decreased"), snomed("1250004", "Decreased (qualifier value)")] },
  { name: "larger", describe: (n) => `${upperFirst(n)} is larger`, codes: [radlex("RID5791", "enlarged"), snomed("263768009", "Greater (qualifier value)")] },
  { name: "smaller", describe: (n) => `${upperFirst(n)} is smaller`, codes: [radlex("RID38669", "diminished"), snomed("263796003", "Lesser (qualifier value)")] },
];

/** The registry's two standard attributes. */
export type StandardAttributeKind = "presence" | "change from prior";

const STANDARD: Record<StandardAttributeKind, { describe: (name: string) => string; values: StandardValue[]; codes: IndexCode[] }> = {
  presence: {
    describe: (n) => `Presence or absence of ${n}`,
    values: PRESENCE,
    codes: [snomed("705057003", "Presence (property) (qualifier value)")],
  },
  "change from prior": {
    describe: (n) => `Whether and how a ${n} has changed over time`,
    values: CHANGE_FROM_PRIOR,
    codes: [radlex("RID49896", "change"), snomed("263703002", "Changed status (qualifier value)")],
  },
};

/**
 * The standard "presence" or "change from prior" attribute of the finding `findingName`, with
 * attribute ID `oifmaId` and value codes derived from it, in the registry's shape.
 */
export function standardAttribute(kind: StandardAttributeKind, findingName: string, oifmaId: string): ChoiceAttributeIded {
  const standard = STANDARD[kind];
  return {
    oifma_id: oifmaId,
    name: kind,
    description: standard.describe(findingName),
    type: "choice",
    values: standard.values.map((v, i) => ({ value_code: valueCode(oifmaId, i), name: v.name, description: v.describe(findingName), ...(v.codes ? { index_codes: v.codes } : {}) })),
    required: false,
    max_selected: 1,
    index_codes: standard.codes,
  };
}

/**
 * A new, valid model for a finding: its name and the optional description, synonyms and tags,
 * with the registry's standard "presence" and "change from prior" attributes and fresh IDs.
 * @param info - the finding's name, and optionally its description, synonyms and tags
 * @param source - the organization code of the IDs (3 or 4 capital letters, e.g. "MSFT")
 * @param takenIds - model and attribute IDs already in use; the new ones are not among them and
 * are added to it
 * @returns the model, ready for `toCanonicalJson`; throws a RangeError naming the field when the
 * result would not be a valid model (e.g. a blank name or a bad source code)
 * @example
 * ```ts
 * import { createStub, toCanonicalJson } from "findingmodel";
 *
 * const model = createStub({ name: "pulmonary nodule", synonyms: ["lung nodule"] }, "MSFT");
 * console.log(model.oifm_id, model.attributes.map((a) => a.name));
 * console.log(toCanonicalJson(model));
 * ```
 */
export function createStub(info: StubInfo, source: string, takenIds: Set<string> = new Set()): FindingModelFull {
  const name = info.name.trim();
  const oifmId = newId("OIFM", source, takenIds);
  const draft = {
    oifm_id: oifmId,
    name,
    description: info.description?.trim() || `${upperFirst(name)} (description to be written).`,
    synonyms: nonEmpty(info.synonyms),
    tags: nonEmpty(info.tags),
    attributes: [
      standardAttribute("presence", name, newId("OIFMA", source, takenIds)),
      standardAttribute("change from prior", name, newId("OIFMA", source, takenIds)),
    ],
  };
  // Through the validator: the same rules as for any file, and the canonical shape.
  const checked = validateFindingModel(draft);
  if (!checked.ok) throw new RangeError(checked.issues.map((i) => `${i.path.replace(/^\$\./, "")}: ${i.message}`).join("; "));
  return checked.model;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function nonEmpty(list: string[] | undefined): string[] | undefined {
  const kept = list?.map((s) => s.trim()).filter((s) => s !== "");
  return kept && kept.length > 0 ? kept : undefined;
}
