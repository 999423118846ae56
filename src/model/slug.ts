// The registry's file naming of a model name. Its rule (checked against all 2,382 definitions in
// the registry, and against conflicts/junk/computer_assisted_reporting___decision_support__car_ds_.fm.json
// for "Computer-Assisted Reporting / Decision Support (CAR/DS)"):
//
//   every character that is not an ASCII letter or digit becomes one "_", then the result is
//   lower-cased (Python: re.sub(r"[^a-zA-Z0-9]", "_", name).lower()).
//
// So: no collapsing of repeated separators (" / " -> "___"), no trimming of leading or trailing
// "_" ("(CAR/DS)" -> "_car_ds_"), and a non-ASCII character becomes a single "_" per code point
// (the replacement happens before lower-casing, so "É" is "_", not "é"; an emoji is one "_",
// not two, because Python counts code points, hence the `u` flag).

const NOT_ASCII_ALNUM = /[^a-zA-Z0-9]/gu;

/** The registry's slug of a model name, e.g. "abdominal aortic aneurysm" -> "abdominal_aortic_aneurysm". */
export function slugOf(name: string): string {
  return name.replace(NOT_ASCII_ALNUM, "_").toLowerCase();
}

/** The registry's definition file name of a model name: `<slug>.fm.json`. */
export function modelFileName(name: string): string {
  return slugOf(name) + ".fm.json";
}
