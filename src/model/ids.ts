// Registry IDs: OIFM_<source>_<6 digits> for models, OIFMA_<source>_<6 digits> for attributes,
// <attribute ID>.<position> for choice values. <source> is the contributing organization's code.
import { randomInt } from "node:crypto";

export const SOURCE_CODE_PATTERN = /^[A-Z]{3,4}$/;
export const OIFM_ID_PATTERN = /^OIFM_[A-Z]{3,4}_[0-9]{6}$/;
export const OIFMA_ID_PATTERN = /^OIFMA_[A-Z]{3,4}_[0-9]{6}$/;
export const VALUE_CODE_PATTERN = /^OIFMA_[A-Z]{3,4}_[0-9]{6}\.\d+$/;

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
