// The shapes of finding model files, as the registry's published JSON Schema defines them
// (fixtures/registry/schema/finding_model.schema.json). Field order here is the canonical key order.

/** A code in a standard ontology (SNOMED, RadLex, ...) attached to a model, attribute or value. */
export interface IndexCode {
  system: string;
  code: string;
  display?: string;
}

export interface Person {
  github_username: string;
  email: string;
  name: string;
  organization_code: string;
  url?: string;
}

export interface Organization {
  name: string;
  code: string;
  url?: string;
}

export type Contributor = Person | Organization;

export interface ChoiceValue {
  value_code?: string;
  name: string;
  description?: string;
  index_codes?: IndexCode[];
}

export interface ChoiceValueIded extends ChoiceValue {
  value_code: string;
}

export interface ChoiceAttribute {
  oifma_id?: string;
  name: string;
  description?: string;
  type: "choice";
  values: ChoiceValue[];
  required: boolean;
  /** Always a whole number after loading: "all" and too-large counts become the number of values. */
  max_selected: number;
  index_codes?: IndexCode[];
}

export interface ChoiceAttributeIded extends ChoiceAttribute {
  oifma_id: string;
  values: ChoiceValueIded[];
}

export interface NumericAttribute {
  oifma_id?: string;
  name: string;
  description?: string;
  type: "numeric";
  minimum?: number;
  maximum?: number;
  unit?: string;
  required: boolean;
  index_codes?: IndexCode[];
}

export interface NumericAttributeIded extends NumericAttribute {
  oifma_id: string;
}

export type Attribute = ChoiceAttribute | NumericAttribute;
export type AttributeIded = ChoiceAttributeIded | NumericAttributeIded;

/** A finding model before the registry has given it IDs. */
export interface FindingModelBase {
  name: string;
  description: string;
  synonyms?: string[];
  tags?: string[];
  contributors?: Contributor[];
  attributes: Attribute[];
  index_codes?: IndexCode[];
}

/** A finding model as the registry keeps it: the model and every attribute carry IDs. */
export interface FindingModelFull extends Omit<FindingModelBase, "attributes"> {
  oifm_id: string;
  attributes: AttributeIded[];
}

export function isPerson(c: Contributor): c is Person {
  return "github_username" in c;
}
