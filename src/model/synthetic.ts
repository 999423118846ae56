// Synthetic finding models for demos and scale tests (10k-100k models): realistic names built from
// radiology vocabulary (qualifier × laterality × anatomic site × finding, e.g. "calcified hepatic
// granuloma", "left renal cyst"), synonyms, tags, descriptions, contributors and a mix of the
// registry's standard attributes with numeric and other choice attributes.
//
// Guarantees: names are unique ignoring case; synonyms are unique across all models and never equal
// a name; model and attribute IDs are unique; the same seed gives the same models; every model has
// passed validateFindingModel and is returned in its canonical (validated) form.
//
// The organizations and people are fictional (".example.org" addresses) and their codes are not
// the registry's, so synthetic IDs never clash with real ones unless `source` says otherwise.
import { SOURCE_CODE_PATTERN, valueCode } from "./ids.js";
import { standardAttribute } from "./stub.js";
import type { AttributeIded, ChoiceAttributeIded, Contributor, FindingModelFull, NumericAttributeIded, Organization, Person } from "./types.js";
import { validateFindingModel } from "./validate.js";

export interface SyntheticOptions {
  /** PRNG seed; the same seed gives the same models (default 1). */
  seed?: number;
  /** Organization code (3-4 capital letters) for every ID; default: each model's contributing organization's code. */
  source?: string;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

interface Site {
  /** As a modifier in a name: "renal", "right upper lobe", "carotid artery". */
  mod: string;
  /** As a noun: "kidney". */
  noun: string;
  /** Plural noun, for paired sites ("kidneys"); a paired site takes left/right/bilateral. */
  plural?: string;
  /** Another modifier a radiologist would use, for synonyms: "kidney" (kidney cyst), "RUL". */
  alt?: string;
  /** Body region tag. */
  region: string;
}

interface Finding {
  noun: string;
  /** Another word for it, for synonyms: "bleed" for hemorrhage. Never a finding noun itself. */
  alt?: string;
  /** A category tag: neoplastic, inflammatory, trauma, ... */
  category?: string;
}

interface ChoiceTemplate {
  kind: "choice";
  name: string;
  describe: (finding: string) => string;
  values: string[];
  /** Several values may be chosen. */
  multi?: boolean;
}

interface NumericTemplate {
  kind: "numeric";
  name: string;
  describe: (finding: string) => string;
  minimum?: number;
  maximum?: number;
  unit?: string;
}

type AttributeTemplate = ChoiceTemplate | NumericTemplate;

interface Group {
  sites: Site[];
  findings: Finding[];
  /** Qualifiers that can lead a name; "" (none) is added. */
  qualifiers: string[];
  modalities: string[];
  /** The group's main numeric attribute (size, diameter, ...). */
  primary: NumericTemplate;
  /** Attributes specific to the group. */
  attributes: AttributeTemplate[];
  /** Second sentences of descriptions. */
  notes: string[];
}

const site = (mod: string, noun: string, region: string, alt?: string): Site => ({ mod, noun, region, ...(alt ? { alt } : {}) });
const paired = (mod: string, noun: string, plural: string, region: string, alt?: string): Site => ({ mod, noun, plural, region, ...(alt ? { alt } : {}) });
const finding = (noun: string, alt?: string, category?: string): Finding => ({ noun, ...(alt ? { alt } : {}), ...(category ? { category } : {}) });
const choice = (name: string, describe: (f: string) => string, values: string[], multi = false): ChoiceTemplate => ({ kind: "choice", name, describe, values, multi });
const numeric = (name: string, describe: (f: string) => string, minimum: number | undefined, maximum: number | undefined, unit?: string): NumericTemplate => ({
  kind: "numeric",
  name,
  describe,
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
  ...(unit ? { unit } : {}),
});

const size = (maximum: number): NumericTemplate => numeric("size", (f) => `Largest diameter of the ${f}, in millimeters`, 0, maximum, "mm");

const GENERIC: AttributeTemplate[] = [
  choice("severity", (f) => `Overall severity of the ${f}`, ["mild", "moderate", "severe"]),
  choice("number", (f) => `Whether the ${f} is single or multiple`, ["single", "multiple"]),
  choice("distribution", (f) => `Distribution of the ${f}`, ["focal", "multifocal", "diffuse"]),
  choice("acuity", (f) => `Estimated age of the ${f}`, ["acute", "subacute", "chronic", "indeterminate"]),
  choice("recommendation", (f) => `Suggested management of the ${f}`, ["no follow-up needed", "follow-up imaging", "dedicated imaging", "tissue sampling", "clinical correlation"]),
  choice("certainty", (f) => `Diagnostic confidence that the finding represents ${f}`, ["definite", "probable", "possible"]),
  numeric("count", (f) => `Number of separate foci of ${f}`, 1, 100),
];

const ORGAN: Group = {
  sites: [
    site("hepatic", "liver", "abdomen", "liver"),
    site("splenic", "spleen", "abdomen", "spleen"),
    site("pancreatic", "pancreas", "abdomen", "pancreas"),
    site("gallbladder", "gallbladder", "abdomen"),
    site("biliary", "biliary tree", "abdomen", "bile duct"),
    site("gastric", "stomach", "gastrointestinal", "stomach"),
    site("duodenal", "duodenum", "gastrointestinal"),
    site("jejunal", "jejunum", "gastrointestinal"),
    site("ileal", "ileum", "gastrointestinal"),
    site("colonic", "colon", "gastrointestinal", "colon"),
    site("rectal", "rectum", "gastrointestinal"),
    site("esophageal", "esophagus", "gastrointestinal"),
    site("appendiceal", "appendix", "gastrointestinal"),
    site("mesenteric", "mesentery", "abdomen"),
    site("peritoneal", "peritoneum", "abdomen"),
    site("retroperitoneal", "retroperitoneum", "abdomen"),
    site("abdominal wall", "abdominal wall", "abdomen"),
    site("bladder", "urinary bladder", "pelvis"),
    site("uterine", "uterus", "pelvis", "uterus"),
    site("cervical", "uterine cervix", "pelvis"),
    site("prostatic", "prostate", "pelvis", "prostate"),
    site("presacral", "presacral space", "pelvis"),
    site("thyroid", "thyroid gland", "head_neck"),
    site("nasopharyngeal", "nasopharynx", "head_neck"),
    site("laryngeal", "larynx", "head_neck"),
    site("thymic", "thymus", "chest"),
    site("mediastinal", "mediastinum", "chest"),
    site("pericardial", "pericardium", "cardiac"),
    site("myocardial", "myocardium", "cardiac"),
    paired("renal", "kidney", "kidneys", "abdomen", "kidney"),
    paired("adrenal", "adrenal gland", "adrenal glands", "abdomen"),
    paired("ureteral", "ureter", "ureters", "abdomen"),
    paired("ovarian", "ovary", "ovaries", "pelvis", "ovary"),
    paired("adnexal", "adnexal region", "adnexal regions", "pelvis"),
    paired("testicular", "testis", "testes", "pelvis", "testis"),
    paired("epididymal", "epididymis", "epididymides", "pelvis"),
    paired("inguinal", "groin", "groins", "pelvis", "groin"),
    paired("breast", "breast", "breasts", "breast"),
    paired("axillary", "axilla", "axillae", "chest"),
    paired("pleural", "pleural space", "pleural spaces", "chest"),
    paired("parotid", "parotid gland", "parotid glands", "head_neck"),
    paired("submandibular", "submandibular gland", "submandibular glands", "head_neck"),
    paired("orbital", "orbit", "orbits", "head_neck"),
    paired("psoas", "psoas muscle", "psoas muscles", "musculoskeletal"),
  ],
  findings: [
    finding("cyst"),
    finding("mass", undefined, "neoplastic"),
    finding("nodule"),
    finding("lesion", "abnormality"),
    finding("granuloma", "granulomatous focus", "inflammatory"),
    finding("calcification", "calcific focus"),
    finding("abscess", "purulent collection", "inflammatory"),
    finding("hemorrhage", "bleed"),
    finding("hematoma", "blood collection", "trauma"),
    finding("infarct", "infarction", "vascular"),
    finding("laceration", "tear", "trauma"),
    finding("metastasis", "metastatic deposit", "neoplastic"),
    finding("hemangioma", undefined, "neoplastic"),
    finding("lipoma", "fatty tumor", "neoplastic"),
    finding("adenoma", undefined, "neoplastic"),
    finding("carcinoma", "cancer", "neoplastic"),
    finding("neoplasm", "tumor", "neoplastic"),
    finding("lymphoma", undefined, "neoplastic"),
    finding("fluid collection", "collection"),
    finding("inflammation", "inflammatory change", "inflammatory"),
    finding("atrophy", "volume loss"),
    finding("enlargement", "swelling"),
    finding("fibrosis", "scarring"),
    finding("edema", "fluid overload"),
    finding("injury", "trauma", "trauma"),
    finding("necrosis", "necrotic change"),
    finding("thickening", "wall thickening"),
  ],
  qualifiers: [
    "calcified", "complex", "simple", "septated", "cystic", "solid", "hemorrhagic", "enhancing", "nonenhancing",
    "heterogeneous", "hypodense", "hyperdense", "hypoechoic", "hyperechoic", "hypervascular", "small", "large",
    "solitary", "incidental", "indeterminate", "suspicious", "benign-appearing", "acute", "chronic", "subacute",
    "infected", "ruptured", "exophytic", "infiltrative", "focal", "diffuse", "multifocal", "lobulated",
    "well-circumscribed", "fat-containing",
  ],
  modalities: ["CT", "US", "MR"],
  primary: size(300),
  attributes: [
    choice("margins", (f) => `Margins of the ${f}`, ["well-defined", "ill-defined", "lobulated", "spiculated"]),
    choice("enhancement", (f) => `Enhancement pattern of the ${f} after contrast`, ["none", "homogeneous", "heterogeneous", "peripheral", "nodular", "progressive"]),
    choice("composition", (f) => `Internal composition of the ${f}`, ["solid", "cystic", "mixed solid and cystic", "fat-containing", "calcified"], true),
    choice("echogenicity", (f) => `Echogenicity of the ${f} on ultrasound`, ["anechoic", "hypoechoic", "isoechoic", "hyperechoic"]),
    choice("T2 signal", (f) => `Signal of the ${f} on T2-weighted images`, ["hypointense", "isointense", "hyperintense"]),
    choice("location within organ", (f) => `Where in the organ the ${f} lies`, ["central", "peripheral", "subcapsular", "exophytic"]),
    numeric("attenuation", (f) => `Mean attenuation of the ${f} on CT`, -1000, 3000, "HU"),
    numeric("volume", (f) => `Volume of the ${f}`, 0, 5000, "mL"),
  ],
  notes: [
    "Often an incidental finding; characterize with dedicated imaging when indeterminate.",
    "Management depends on size, morphology and clinical context.",
    "Comparison with prior imaging helps establish stability.",
    "Report size, location and enhancement characteristics.",
  ],
};

const LUNG: Group = {
  sites: [
    site("right upper lobe", "right upper lobe", "chest", "RUL"),
    site("right middle lobe", "right middle lobe", "chest", "RML"),
    site("right lower lobe", "right lower lobe", "chest", "RLL"),
    site("left upper lobe", "left upper lobe", "chest", "LUL"),
    site("left lower lobe", "left lower lobe", "chest", "LLL"),
    site("lingular", "lingula", "chest"),
    site("tracheal", "trachea", "chest"),
    paired("apical", "lung apex", "lung apices", "chest"),
    paired("basilar", "lung base", "lung bases", "chest"),
    paired("perihilar", "perihilar lung", "perihilar lungs", "chest"),
    paired("subpleural", "subpleural lung", "subpleural lungs", "chest"),
    paired("pulmonary", "lung", "lungs", "chest", "lung"),
    paired("endobronchial", "bronchus", "bronchi", "chest"),
  ],
  findings: [
    finding("nodule", "nodular opacity"),
    finding("mass", undefined, "neoplastic"),
    finding("consolidation", "airspace disease", "inflammatory"),
    finding("atelectasis", "collapse"),
    finding("ground-glass opacity", "GGO"),
    finding("cavity", "cavitary lesion"),
    finding("bronchiectasis", "airway dilation"),
    finding("emphysema", "hyperinflation"),
    finding("fibrosis", "scarring"),
    finding("scarring", "scar"),
    finding("infiltrate", "airspace opacity", "inflammatory"),
    finding("opacity", "density"),
    finding("cyst"),
    finding("bulla", "bleb"),
    finding("granuloma", "granulomatous focus", "inflammatory"),
    finding("calcification", "calcific focus"),
    finding("metastasis", "metastatic deposit", "neoplastic"),
    finding("carcinoma", "cancer", "neoplastic"),
    finding("infarct", "infarction", "vascular"),
    finding("contusion", "bruise", "trauma"),
    finding("abscess", "purulent collection", "inflammatory"),
    finding("edema", "fluid overload"),
  ],
  qualifiers: [
    "solid", "part-solid", "subsolid", "spiculated", "calcified", "noncalcified", "cavitary", "perifissural",
    "centrilobular", "peribronchovascular", "patchy", "dense", "faint", "tree-in-bud", "new", "enlarging",
    "acute", "chronic", "focal", "diffuse", "incidental", "indeterminate", "suspicious", "benign-appearing",
    "traction", "small", "large",
  ],
  modalities: ["CT", "XR"],
  primary: size(100),
  attributes: [
    choice("margins", (f) => `Margins of the ${f}`, ["smooth", "lobulated", "spiculated", "ill-defined"]),
    choice("density", (f) => `Density of the ${f} on CT`, ["solid", "part-solid", "ground-glass"]),
    choice("calcification pattern", (f) => `Calcification within the ${f}`, ["none", "central", "laminated", "popcorn", "diffuse", "eccentric"]),
    choice("Lung-RADS category", (f) => `Lung-RADS category assigned to the ${f}`, ["1", "2", "3", "4A", "4B", "4X"]),
    numeric("attenuation", (f) => `Mean attenuation of the ${f} on CT`, -1000, 3000, "HU"),
    numeric("solid component", (f) => `Diameter of the solid component of the ${f}`, 0, 100, "mm"),
  ],
  notes: [
    "Compare with prior chest imaging to assess stability.",
    "Follow-up depends on size, density and risk factors.",
    "May be infectious, inflammatory or neoplastic.",
  ],
};

const BONE: Group = {
  sites: [
    site("cervical spine", "cervical spine", "spine"),
    site("thoracic spine", "thoracic spine", "spine"),
    site("lumbar spine", "lumbar spine", "spine"),
    site("sacral", "sacrum", "spine"),
    site("coccygeal", "coccyx", "spine"),
    site("sternal", "sternum", "chest"),
    site("mandibular", "mandible", "head_neck"),
    site("calvarial", "calvarium", "skull", "skull"),
    site("pelvic", "pelvis", "pelvis"),
    paired("femoral", "femur", "femurs", "musculoskeletal", "femur"),
    paired("tibial", "tibia", "tibiae", "musculoskeletal", "tibia"),
    paired("fibular", "fibula", "fibulae", "musculoskeletal", "fibula"),
    paired("humeral", "humerus", "humeri", "musculoskeletal", "humerus"),
    paired("radial", "radius", "radii", "musculoskeletal"),
    paired("ulnar", "ulna", "ulnae", "musculoskeletal"),
    paired("clavicular", "clavicle", "clavicles", "musculoskeletal", "clavicle"),
    paired("scapular", "scapula", "scapulae", "musculoskeletal"),
    paired("calcaneal", "calcaneus", "calcanei", "musculoskeletal"),
    paired("patellar", "patella", "patellae", "musculoskeletal"),
    paired("metacarpal", "metacarpal", "metacarpals", "hand"),
    paired("metatarsal", "metatarsal", "metatarsals", "musculoskeletal"),
    paired("rib", "rib", "ribs", "chest"),
    paired("acetabular", "acetabulum", "acetabula", "pelvis"),
    paired("iliac", "ilium", "ilia", "pelvis"),
    paired("talar", "talus", "tali", "musculoskeletal"),
    paired("scaphoid", "scaphoid", "scaphoids", "hand"),
    paired("hip", "hip", "hips", "joint"),
    paired("knee", "knee", "knees", "joint"),
    paired("shoulder", "shoulder", "shoulders", "joint"),
  ],
  findings: [
    finding("fracture", "break", "trauma"),
    finding("lesion", "abnormality"),
    finding("erosion", "erosive change", "inflammatory"),
    finding("sclerosis", "sclerotic change"),
    finding("cyst"),
    finding("osteonecrosis", "avascular necrosis", "vascular"),
    finding("bone marrow edema", "marrow edema"),
    finding("periosteal reaction", "periostitis"),
    finding("osteomyelitis", "bone infection", "inflammatory"),
    finding("metastasis", "metastatic deposit", "neoplastic"),
    finding("enchondroma", "chondroid lesion", "neoplastic"),
    finding("osteochondroma", "exostosis", "neoplastic"),
    finding("bone island", "enostosis"),
    finding("dislocation", "luxation", "trauma"),
    finding("osteopenia", "demineralization"),
    finding("deformity", "malalignment"),
  ],
  qualifiers: [
    "displaced", "nondisplaced", "minimally displaced", "comminuted", "pathologic", "stress", "insufficiency",
    "healing", "healed", "acute", "subacute", "chronic", "lytic", "sclerotic", "mixed lytic-sclerotic",
    "expansile", "aggressive", "nonaggressive", "incidental", "focal", "diffuse", "impacted", "avulsion",
  ],
  modalities: ["XR", "CT", "MR"],
  primary: size(200),
  attributes: [
    choice("fracture pattern", (f) => `Pattern of the ${f}`, ["transverse", "oblique", "spiral", "comminuted", "segmental"]),
    choice("displacement", (f) => `Displacement of the ${f}`, ["nondisplaced", "minimally displaced", "displaced"]),
    choice("healing stage", (f) => `Stage of healing of the ${f}`, ["acute", "healing", "healed", "nonunion"]),
    choice("matrix", (f) => `Matrix of the ${f}`, ["osteoid", "chondroid", "none"]),
    choice("zone of transition", (f) => `Zone of transition of the ${f}`, ["narrow", "wide"]),
    choice("joint involvement", (f) => `Whether the ${f} extends to a joint surface`, ["none", "extra-articular", "intra-articular"]),
    numeric("displacement distance", (f) => `Displacement of the ${f} fragments`, 0, 100, "mm"),
    numeric("angulation", (f) => `Angulation across the ${f}`, 0, 180, "degrees"),
  ],
  notes: [
    "Assess for associated soft tissue injury and joint involvement.",
    "Radiographs are usually the first examination; CT or MR for problem solving.",
    "Comparison with prior imaging helps establish chronicity.",
  ],
};

const VASCULAR: Group = {
  sites: [
    site("aortic", "aorta", "vascular", "aorta"),
    site("abdominal aortic", "abdominal aorta", "vascular"),
    site("thoracic aortic", "thoracic aorta", "vascular"),
    site("aortic arch", "aortic arch", "vascular"),
    site("celiac artery", "celiac artery", "vascular"),
    site("superior mesenteric artery", "superior mesenteric artery", "vascular", "SMA"),
    site("inferior mesenteric artery", "inferior mesenteric artery", "vascular", "IMA"),
    site("splenic artery", "splenic artery", "vascular"),
    site("hepatic artery", "hepatic artery", "vascular"),
    site("portal vein", "portal vein", "vascular"),
    site("splenic vein", "splenic vein", "vascular"),
    site("superior mesenteric vein", "superior mesenteric vein", "vascular", "SMV"),
    site("inferior vena cava", "inferior vena cava", "vascular", "IVC"),
    site("superior vena cava", "superior vena cava", "vascular", "SVC"),
    site("basilar artery", "basilar artery", "vascular"),
    site("main pulmonary artery", "main pulmonary artery", "vascular"),
    paired("carotid artery", "carotid artery", "carotid arteries", "vascular"),
    paired("internal carotid artery", "internal carotid artery", "internal carotid arteries", "vascular", "ICA"),
    paired("vertebral artery", "vertebral artery", "vertebral arteries", "vascular"),
    paired("subclavian artery", "subclavian artery", "subclavian arteries", "vascular"),
    paired("renal artery", "renal artery", "renal arteries", "vascular"),
    paired("common iliac artery", "common iliac artery", "common iliac arteries", "vascular"),
    paired("external iliac artery", "external iliac artery", "external iliac arteries", "vascular"),
    paired("common femoral artery", "common femoral artery", "common femoral arteries", "vascular", "CFA"),
    paired("superficial femoral artery", "superficial femoral artery", "superficial femoral arteries", "vascular", "SFA"),
    paired("popliteal artery", "popliteal artery", "popliteal arteries", "vascular"),
    paired("internal jugular vein", "internal jugular vein", "internal jugular veins", "vascular", "IJ"),
    paired("femoral vein", "femoral vein", "femoral veins", "vascular"),
    paired("popliteal vein", "popliteal vein", "popliteal veins", "vascular"),
    paired("middle cerebral artery", "middle cerebral artery", "middle cerebral arteries", "vascular", "MCA"),
    paired("pulmonary artery", "pulmonary artery", "pulmonary arteries", "vascular"),
  ],
  findings: [
    finding("aneurysm", "aneurysmal dilation"),
    finding("pseudoaneurysm", "false aneurysm"),
    finding("dissection", "dissection flap"),
    finding("stenosis", "narrowing"),
    finding("occlusion", "cutoff"),
    finding("thrombosis", "clot", "vascular"),
    finding("thrombus", "filling defect", "vascular"),
    finding("calcification", "calcific plaque"),
    finding("ectasia", "dilatation"),
    finding("intramural hematoma", "IMH"),
    finding("penetrating ulcer", "ulcer-like projection"),
    finding("vasculitis", "arteritis", "inflammatory"),
    finding("wall thickening", "mural thickening"),
    finding("plaque", "atheroma"),
    finding("injury", "trauma", "trauma"),
  ],
  qualifiers: [
    "acute", "chronic", "saccular", "fusiform", "focal", "diffuse", "segmental", "long-segment", "severe",
    "moderate", "mild", "partial", "complete", "occlusive", "nonocclusive", "calcified", "ruptured", "contained",
    "mycotic", "symptomatic", "asymptomatic", "incidental", "tandem", "high-grade",
  ],
  modalities: ["CT", "US", "MR"],
  primary: numeric("diameter", (f) => `Maximal diameter at the ${f}, in millimeters`, 0, 120, "mm"),
  attributes: [
    choice("extent", (f) => `Longitudinal extent of the ${f}`, ["focal", "segmental", "long-segment"]),
    choice("shape", (f) => `Shape of the ${f}`, ["saccular", "fusiform"]),
    choice("flow", (f) => `Flow through the vessel at the ${f}`, ["patent", "diminished", "occluded"]),
    choice("wall", (f) => `Appearance of the vessel wall at the ${f}`, ["normal", "calcified", "thickened", "irregular"], true),
    numeric("stenosis", (f) => `Degree of narrowing caused by the ${f}`, 0, 100, "%"),
    numeric("length", (f) => `Length of the involved segment of the ${f}`, 0, 500, "mm"),
    numeric("peak systolic velocity", (f) => `Doppler peak systolic velocity at the ${f}`, 0, 800, "cm/s"),
  ],
  notes: [
    "Report the maximal diameter and the extent of involvement.",
    "Compare with prior imaging to assess for growth.",
    "Urgency depends on symptoms and signs of rupture.",
  ],
};

const NEURO: Group = {
  sites: [
    site("pontine", "pons", "brain"),
    site("midbrain", "midbrain", "brain"),
    site("medullary", "medulla", "brain"),
    site("corpus callosum", "corpus callosum", "brain"),
    site("periventricular", "periventricular white matter", "brain"),
    site("intraventricular", "ventricular system", "brain"),
    site("pituitary", "pituitary gland", "brain"),
    site("pineal", "pineal gland", "brain"),
    site("cerebellar vermis", "cerebellar vermis", "brain"),
    site("brainstem", "brainstem", "brain"),
    site("spinal cord", "spinal cord", "spine"),
    site("subarachnoid", "subarachnoid space", "brain"),
    site("sellar", "sella", "brain"),
    paired("frontal lobe", "frontal lobe", "frontal lobes", "brain"),
    paired("parietal lobe", "parietal lobe", "parietal lobes", "brain"),
    paired("temporal lobe", "temporal lobe", "temporal lobes", "brain"),
    paired("occipital lobe", "occipital lobe", "occipital lobes", "brain"),
    paired("cerebellar", "cerebellar hemisphere", "cerebellar hemispheres", "brain"),
    paired("thalamic", "thalamus", "thalami", "brain"),
    paired("basal ganglia", "basal ganglia", "basal ganglia", "brain"),
    paired("insular", "insula", "insulae", "brain"),
    paired("hippocampal", "hippocampus", "hippocampi", "brain"),
    paired("caudate", "caudate nucleus", "caudate nuclei", "brain"),
    paired("internal capsule", "internal capsule", "internal capsules", "brain"),
    paired("cerebral", "cerebral hemisphere", "cerebral hemispheres", "brain", "brain"),
    paired("subdural", "subdural space", "subdural spaces", "brain"),
    paired("centrum semiovale", "centrum semiovale", "centra semiovalia", "brain"),
  ],
  findings: [
    finding("infarct", "infarction", "vascular"),
    finding("hemorrhage", "bleed"),
    finding("hematoma", "blood collection", "trauma"),
    finding("mass", undefined, "neoplastic"),
    finding("edema", "swelling"),
    finding("gliosis", "glial scar"),
    finding("calcification", "calcific focus"),
    finding("encephalomalacia", "tissue loss"),
    finding("contusion", "bruise", "trauma"),
    finding("abscess", "purulent collection", "inflammatory"),
    finding("metastasis", "metastatic deposit", "neoplastic"),
    finding("cavernoma", "cavernous malformation", "vascular"),
    finding("cyst"),
    finding("lesion", "abnormality"),
    finding("atrophy", "volume loss"),
    finding("white matter hyperintensity", "leukoaraiosis"),
  ],
  qualifiers: [
    "acute", "subacute", "chronic", "hyperacute", "lacunar", "hemorrhagic", "enhancing", "nonenhancing",
    "ring-enhancing", "punctate", "multifocal", "focal", "diffuse", "confluent", "cystic", "calcified",
    "expansile", "infiltrative", "nonspecific", "incidental", "traumatic", "hypertensive", "embolic", "small", "large",
  ],
  modalities: ["CT", "MR"],
  primary: size(150),
  attributes: [
    choice("vascular territory", (f) => `Arterial territory of the ${f}`, ["ACA", "MCA", "PCA", "vertebrobasilar", "watershed"]),
    choice("mass effect", (f) => `Mass effect from the ${f}`, ["none", "mild", "moderate", "severe"]),
    choice("diffusion restriction", (f) => `Restricted diffusion within the ${f}`, ["absent", "present"]),
    choice("susceptibility", (f) => `Susceptibility artifact from the ${f}`, ["absent", "present", "blooming"]),
    choice("enhancement", (f) => `Enhancement pattern of the ${f} after contrast`, ["none", "homogeneous", "heterogeneous", "ring", "leptomeningeal"]),
    numeric("midline shift", (f) => `Midline shift caused by the ${f}`, 0, 30, "mm"),
    numeric("volume", (f) => `Volume of the ${f}`, 0, 500, "mL"),
  ],
  notes: [
    "Correlate with clinical symptoms and prior neuroimaging.",
    "MR is more sensitive than CT for characterization.",
    "Report mass effect and any herniation.",
  ],
};

const GROUPS: Group[] = [ORGAN, LUNG, BONE, VASCULAR, NEURO];

const ORGANIZATIONS: Organization[] = [
  { name: "Lakeshore Radiology Partners", code: "LRP", url: "https://lakeshore-radiology.example.org/" },
  { name: "Meridian Academic Imaging", code: "MAI", url: "https://meridian-imaging.example.org/" },
  { name: "Northfield Community Hospital", code: "NCH" },
  { name: "Open Synthetic Imaging Consortium", code: "OSIC", url: "https://osic.example.org/" },
];
/** How often each organization contributes, in the order above. */
const ORGANIZATION_WEIGHTS = [0.45, 0.3, 0.1, 0.15];

const PEOPLE: Person[] = [
  { github_username: "avasquez", email: "a.vasquez@lakeshore-radiology.example.org", name: "Ana Vasquez, MD", organization_code: "LRP" },
  { github_username: "rbernard", email: "r.bernard@lakeshore-radiology.example.org", name: "Robert Bernard, MD", organization_code: "LRP" },
  { github_username: "dkim-rad", email: "dkim@meridian-imaging.example.org", name: "Daniel Kim, MD", organization_code: "MAI", url: "https://meridian-imaging.example.org/people/dkim" },
  { github_username: "mchen", email: "mei.chen@meridian-imaging.example.org", name: "Mei Chen, MD, PhD", organization_code: "MAI" },
  { github_username: "pokafor", email: "p.okafor@nch.example.org", name: "Precious Okafor, DO", organization_code: "NCH" },
  { github_username: "jlindqvist", email: "johan@osic.example.org", name: "Johan Lindqvist", organization_code: "OSIC" },
];

const LATERALITIES = ["", "left", "right", "bilateral"] as const;

// ---------------------------------------------------------------------------------------------
// The name space: every (group, site, laterality, finding, qualifier), numbered 0..size-1.

interface Placement {
  site: Site;
  laterality: string;
}

interface GroupSpace {
  group: Group;
  placements: Placement[];
  qualifiers: string[];
  size: number;
  /** First index of this group in the whole space. */
  start: number;
}

interface Combination {
  group: Group;
  site: Site;
  laterality: string;
  finding: Finding;
  qualifier: string;
}

const SPACES: GroupSpace[] = (() => {
  let start = 0;
  return GROUPS.map((group) => {
    const placements = group.sites.flatMap((s) => (s.plural ? LATERALITIES.map((laterality) => ({ site: s, laterality })) : [{ site: s, laterality: "" }]));
    const qualifiers = ["", ...group.qualifiers];
    const size = placements.length * group.findings.length * qualifiers.length;
    const space = { group, placements, qualifiers, size, start };
    start += size;
    return space;
  });
})();

/** How many distinct names the vocabulary makes before ordinal suffixes ("... variant 2") are needed. */
export const SYNTHETIC_NAME_COMBINATIONS = SPACES.reduce((n, s) => n + s.size, 0);

function combination(index: number): Combination {
  let space = SPACES[0]!;
  for (const s of SPACES) if (index >= s.start) space = s;
  let i = index - space.start;
  const qualifier = space.qualifiers[i % space.qualifiers.length]!;
  i = Math.floor(i / space.qualifiers.length);
  const found = space.group.findings[i % space.group.findings.length]!;
  const placement = space.placements[Math.floor(i / space.group.findings.length)]!;
  return { group: space.group, site: placement.site, laterality: placement.laterality, finding: found, qualifier };
}

/** The non-empty parts joined by spaces. */
function words(...parts: string[]): string {
  let out = "";
  for (const p of parts) if (p !== "") out = out === "" ? p : `${out} ${p}`;
  return out;
}

function nameOf(c: Combination): string {
  return words(c.qualifier, c.laterality, c.site.mod, c.finding.noun);
}

/** "the left kidney", "both kidneys", "the liver". */
function sitePhrase(c: Combination): string {
  if (c.laterality === "bilateral") return `both ${c.site.plural ?? c.site.noun}`;
  return `the ${words(c.laterality, c.site.noun)}`;
}

/** Other names for the finding; none of them has the shape of a generated name. */
function synonymCandidates(c: Combination): string[] {
  const out = [`${words(c.qualifier, c.finding.noun)} of ${sitePhrase(c)}`];
  if (c.finding.alt) out.push(words(c.qualifier, c.laterality, c.site.mod, c.finding.alt));
  if (c.site.alt) out.push(words(c.qualifier, c.laterality, c.site.alt, c.finding.noun));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Randomness and IDs

/** mulberry32: a small, fast seeded PRNG giving floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const below = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, list: readonly T[]): T => list[below(random, list.length)]!;

function weighted(random: Random, weights: readonly number[]): number {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** `k` distinct items of `list` at random, in their order in `list`. */
function subset<T>(random: Random, list: readonly T[], k: number): T[] {
  const chosen = new Set<number>();
  const n = Math.min(k, list.length);
  while (chosen.size < n) chosen.add(below(random, list.length));
  return list.filter((_, i) => chosen.has(i));
}

/**
 * Unique 6-digit ID numbers per prefix and source: the k-th ID is (k * multiplier + offset) mod 10^6,
 * a bijection on 0..999,999 because the multiplier is coprime with 10^6, so IDs look scattered
 * like the registry's random ones yet never repeat.
 */
class IdAllocator {
  private readonly used = new Map<string, number>();
  private readonly multiplier: number;
  /** Separate offsets for models and attributes, so a model and its first attribute differ in number. */
  private readonly offsets: Record<"OIFM" | "OIFMA", number>;

  constructor(random: Random) {
    let m = below(random, 1_000_000) | 1;
    if (m % 5 === 0) m += 2;
    this.multiplier = m;
    this.offsets = { OIFM: below(random, 1_000_000), OIFMA: below(random, 1_000_000) };
  }

  next(prefix: "OIFM" | "OIFMA", source: string): string {
    const key = `${prefix}_${source}_`;
    const k = this.used.get(key) ?? 0;
    if (k >= 1_000_000) throw new RangeError(`no free ${prefix} ID left for source ${source}: all 1,000,000 are used; generate fewer models or spread them over organizations`);
    this.used.set(key, k + 1);
    const n = (k * this.multiplier + this.offsets[prefix]) % 1_000_000;
    return key + (n >= 100_000 ? String(n) : String(n).padStart(6, "0"));
  }
}

// ---------------------------------------------------------------------------------------------
// Models

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const MODALITY_TEXT: Record<string, string> = { CT: "CT", MR: "MR", US: "ultrasound", XR: "radiographs" };

function description(random: Random, c: Combination): string {
  const what = words(c.qualifier, c.finding.noun);
  const where = sitePhrase(c);
  const modality = MODALITY_TEXT[pick(random, c.group.modalities)] ?? "imaging";
  let first: string;
  switch (below(random, 3)) {
    case 0:
      first = `${upperFirst(what)} involving ${where}.`;
      break;
    case 1:
      first = `${upperFirst(what)} of ${where}, as seen on ${modality}.`;
      break;
    default:
      first = `Imaging finding of ${what} in ${where}.`;
  }
  return random() < 0.6 ? `${first} ${pick(random, c.group.notes)}` : first;
}

function tags(random: Random, c: Combination): string[] | undefined {
  const candidates = [...new Set([...c.group.modalities, c.site.region, ...(c.finding.category ? [c.finding.category] : []), "finding"])];
  // 0 to 6 tags, most models having a few.
  const k = weighted(random, [0.12, 0.13, 0.2, 0.22, 0.18, 0.1, 0.05]);
  const chosen = subset(random, candidates, k);
  return chosen.length > 0 ? chosen : undefined;
}

function contributors(random: Random, organization: Organization): Contributor[] | undefined {
  if (random() < 0.05) return undefined;
  const own = PEOPLE.filter((p) => p.organization_code === organization.code);
  const people = new Set<Person>();
  const count = weighted(random, [0.3, 0.5, 0.2]);
  for (let i = 0; i < count; i++) people.add(random() < 0.75 && own.length > 0 ? pick(random, own) : pick(random, PEOPLE));
  return [...people, organization];
}

function choiceAttribute(random: Random, t: ChoiceTemplate, findingName: string, id: string): ChoiceAttributeIded {
  return {
    oifma_id: id,
    name: t.name,
    description: t.describe(findingName),
    type: "choice",
    values: t.values.map((name, i) => ({ value_code: valueCode(id, i), name })),
    required: random() < 0.05,
    max_selected: t.multi ? t.values.length : 1,
  };
}

function numericAttribute(random: Random, t: NumericTemplate, findingName: string, id: string): NumericAttributeIded {
  return {
    oifma_id: id,
    name: t.name,
    description: t.describe(findingName),
    type: "numeric",
    ...(t.minimum !== undefined ? { minimum: t.minimum } : {}),
    ...(t.maximum !== undefined ? { maximum: t.maximum } : {}),
    ...(t.unit !== undefined ? { unit: t.unit } : {}),
    required: random() < 0.05,
  };
}

function attributes(random: Random, c: Combination, name: string, newAttributeId: () => string): AttributeIded[] {
  const target = 2 + below(random, 5); // 2..6
  const out: AttributeIded[] = [];
  if (random() < 0.88) out.push(standardAttribute("presence", name, newAttributeId()));
  if (random() < 0.8) out.push(standardAttribute("change from prior", name, newAttributeId()));
  const templates: AttributeTemplate[] = [];
  if (out.length < target && random() < 0.55) templates.push(c.group.primary);
  // The rest from the group's and the generic attributes, without repeating a name.
  const pool = [...c.group.attributes, ...GENERIC];
  for (let i = 0; i < pool.length && out.length + templates.length < target; i++) {
    const j = i + below(random, pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    const t = pool[i]!;
    if (!templates.some((u) => u.name === t.name)) templates.push(t);
  }
  for (const t of templates) {
    out.push(t.kind === "choice" ? choiceAttribute(random, t, name, newAttributeId()) : numericAttribute(random, t, name, newAttributeId()));
  }
  return out;
}

/**
 * `count` synthetic finding models, the same for the same seed. See the top of this file for what
 * they look like and what is guaranteed. Throws a RangeError for a bad count or source, or when a
 * single source runs out of IDs (10^6 attribute IDs: several hundred thousand models).
 *
 * Held whole, they take as much memory as real models of their size (for 100,000, see
 * docs/performance.md, "Figures behind the code"); to write them somewhere without holding them
 * all, use iterateModels.
 */
export function generateModels(count: number, options: SyntheticOptions = {}): FindingModelFull[] {
  return Array.from(iterateModels(count, options));
}

/**
 * The same models as generateModels, in the same order, one at a time: for scale tests that write
 * or index them as they come. The names are chosen up front (a few MB for 100,000); each model is
 * built and validated when asked for. Checks its arguments at once, not at the first model.
 */
export function iterateModels(count: number, options: SyntheticOptions = {}): Generator<FindingModelFull, void, undefined> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number, 0 or more; got ${count}`);
  const source = options.source;
  if (source !== undefined && !SOURCE_CODE_PATTERN.test(source)) {
    throw new RangeError(`source code "${source}" must be 3 or 4 capital letters (an organization code such as MSFT)`);
  }
  return build(count, source, options.seed ?? 1);
}

function* build(count: number, source: string | undefined, seed: number): Generator<FindingModelFull, void, undefined> {
  const random = mulberry32(seed);
  const ids = new IdAllocator(random);

  // Names first: all of them, so synonyms can be checked against every name.
  const total = SYNTHETIC_NAME_COMBINATIONS;
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  const taken = new Set<string>();
  const picked: { combination: Combination; name: string; round: number }[] = [];
  for (let position = 0; picked.length < count; position++) {
    // Past the end of the vocabulary, go round again with an ordinal suffix: "... variant 2".
    const round = Math.floor(position / total) + 1;
    const slot = position % total;
    if (round === 1) {
      // A Fisher-Yates shuffle, one step per name: only as much of it as the count needs.
      const j = slot + below(random, total - slot);
      const t = order[slot]!;
      order[slot] = order[j]!;
      order[j] = t;
    }
    const c = combination(order[slot]!);
    const base = nameOf(c);
    const name = round === 1 ? base : `${base} variant ${round}`;
    const key = name.toLowerCase();
    if (taken.has(key)) continue; // the same words from two groups
    taken.add(key);
    picked.push({ combination: c, name, round });
  }

  for (const { combination: c, name, round } of picked) {
    const suffix = round === 1 ? "" : ` variant ${round}`;
    const synonyms: string[] = [];
    const wanted = weighted(random, [0.3, 0.35, 0.22, 0.13]); // 0..3
    for (const candidate of subset(random, synonymCandidates(c), wanted)) {
      const synonym = candidate + suffix;
      const key = synonym.toLowerCase();
      if (taken.has(key)) continue;
      taken.add(key);
      synonyms.push(synonym);
    }
    const organization = ORGANIZATIONS[weighted(random, ORGANIZATION_WEIGHTS)]!;
    const idSource = source ?? organization.code;
    const oifmId = ids.next("OIFM", idSource);
    const modelDescription = description(random, c);
    const modelTags = tags(random, c);
    const modelContributors = contributors(random, organization);
    const modelAttributes = attributes(random, c, name, () => ids.next("OIFMA", idSource));
    const draft: FindingModelFull = {
      oifm_id: oifmId,
      name,
      description: modelDescription,
      ...(synonyms.length > 0 ? { synonyms } : {}),
      ...(modelTags ? { tags: modelTags } : {}),
      ...(modelContributors ? { contributors: modelContributors } : {}),
      attributes: modelAttributes,
    };
    const checked = validateFindingModel(draft);
    if (!checked.ok) {
      throw new Error(`synthetic model "${name}" is invalid (a bug in the generator): ${checked.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    }
    yield checked.model;
  }
}
