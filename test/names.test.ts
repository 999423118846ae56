// The rules of model/names.ts and model/ids.ts, through every part that applies them: names that
// differ only in case (in any script) clash in the registry check and in a sync, and a lookup
// ignores their case; the ID patterns accept and find exactly the registry's IDs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkModelFiles } from "../src/index/check-folder.js";
import { openIndex } from "../src/index/open-index.js";
import { toCanonicalJson } from "../src/model/canonical.js";
import { ANY_ID_IN_TEXT, OIFM_ID_PATTERN, OIFMA_ID_PATTERN, SOURCE_CODE_PATTERN, VALUE_CODE_PATTERN } from "../src/model/ids.js";
import { nameKey } from "../src/model/names.js";
import { createStub } from "../src/model/stub.js";

const work = mkdtempSync(path.join(tmpdir(), "fm-names-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder holding one stub model per name. */
function folderOf(label: string, names: string[]): string {
  const dir = path.join(work, label);
  mkdirSync(dir);
  const taken = new Set<string>();
  names.forEach((name, i) => writeFileSync(path.join(dir, `model_${i}.fm.json`), toCanonicalJson(createStub({ name }, "TEST", taken))));
  return dir;
}

describe("names that differ only in case", () => {
  const clashing = ["Ödem der Lunge", "ÖDEM DER LUNGE"];

  it("are one name to nameKey, in any script", () => {
    expect(nameKey("ÖDEM DER LUNGE")).toBe(nameKey("ödem der lunge"));
    expect(nameKey("ΠΝΕΥΜΟΘΩΡΑΚΑΣ")).toBe(nameKey("πνευμοθωρακας"));
    expect(nameKey("Pneumothorax")).not.toBe(nameKey("Pneumothoraces"));
  });

  it("clash in the registry check", async () => {
    const report = await checkModelFiles([folderOf("check", clashing)]);
    expect(report.errors).toEqual([]);
    expect(report.conflicts.map((c) => c.kind)).toEqual(["name"]);
    expect(report.conflicts[0]!.files).toHaveLength(2);
  });

  it("clash in a sync, and a lookup finds the indexed one in either case", async () => {
    const index = await openIndex({ db: path.join(work, "names.db") });
    try {
      const dir = folderOf("sync", clashing);
      const refused = await index.sync(dir);
      expect(refused.errors).toHaveLength(1);
      expect(await index.count()).toBe(0);
      const report = await index.sync(dir, { skipInvalid: true });
      expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/the name "(Ödem der Lunge|ÖDEM DER LUNGE)" is also the name of OIFM_TEST_\d{6}.*ignoring case/)]);
      expect(await index.count()).toBe(1);
      const [only] = (await index.list()).items;
      expect((await index.get("ödem DER lunge"))?.oifm_id).toBe(only!.oifm_id);
    } finally {
      await index.close();
    }
  });
});

describe("registry IDs", () => {
  it("have one form, which the patterns accept and a text search finds", () => {
    expect(OIFM_ID_PATTERN.test("OIFM_MSFT_134126")).toBe(true);
    expect(OIFMA_ID_PATTERN.test("OIFMA_GMT_000001")).toBe(true);
    expect(VALUE_CODE_PATTERN.test("OIFMA_GMT_000001.12")).toBe(true);
    expect(SOURCE_CODE_PATTERN.test("MSFT")).toBe(true);
    for (const bad of ["OIFM_msft_134126", "OIFM_MSFTX_134126", "OIFM_MSFT_13412", "OIFMA_MSFT_134126", " OIFM_MSFT_134126"]) expect(OIFM_ID_PATTERN.test(bad), bad).toBe(false);
    for (const bad of ["OIFMA_GMT_000001.", "OIFMA_GMT_000001.x", "OIFM_GMT_000001.1"]) expect(VALUE_CODE_PATTERN.test(bad), bad).toBe(false);
    const text = '{"oifm_id": "OIFM_MSFT_134126", "attributes": [{"oifma_id": "OIFMA_MSFT_000007", "values": [{"value_code": "OIFMA_MSFT_000007.0"}]}], "x": "OIFM_msft_1"}';
    expect([...text.matchAll(ANY_ID_IN_TEXT)].map((m) => m[0])).toEqual(["OIFM_MSFT_134126", "OIFMA_MSFT_000007", "OIFMA_MSFT_000007"]);
  });
});
