// Registry IDs: OIFM_<source>_<6 digits> for models, OIFMA_<source>_<6 digits> for attributes,
// <attribute ID>.<position> for choice values. <source> is the contributing organization's code.
import { randomInt } from "node:crypto";

// Each form is written once, below; the patterns are built from it.
const SOURCE = "[A-Z]{3,4}";
const MODEL_ID = `OIFM_${SOURCE}_[0-9]{6}`;
const ATTRIBUTE_ID = `OIFMA_${SOURCE}_[0-9]{6}`;

export const SOURCE_CODE_PATTERN = new RegExp(`^${SOURCE}$`);
export const OIFM_ID_PATTERN = new RegExp(`^${MODEL_ID}$`);
export const OIFMA_ID_PATTERN = new RegExp(`^${ATTRIBUTE_ID}$`);
export const VALUE_CODE_PATTERN = new RegExp(`^${ATTRIBUTE_ID}\\.[0-9]+$`);
/** Every model or attribute ID in a text (global): what a file reserves even when it does not validate. */
export const ANY_ID_IN_TEXT = new RegExp(`${MODEL_ID}|${ATTRIBUTE_ID}`, "g");

export function valueCode(oifmaId: string, position: number): string {
  return `${oifmaId}.${position}`;
}

/** A new ID with the given prefix ("OIFM" or "OIFMA") and source code that is not in `taken`; adds it there. */
export function newId(prefix: "OIFM" | "OIFMA", source: string, taken: Set<string>): string {
  if (!SOURCE_CODE_PATTERN.test(source)) {
    throw new RangeError(`source code "${source}" must be 3 or 4 capital letters (an organization code such as MSFT)`);
  }
  // 10^6 IDs per prefix and source; give up well before an endless loop if the space is nearly full.
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const id = `${prefix}_${source}_${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
  throw new RangeError(`no free ${prefix} ID left for source ${source}`);
}
