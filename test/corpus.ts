// Where the real registry snapshot is (fixtures/registry, read-only) and small helpers to read it.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CORPUS = fileURLToPath(new URL("../fixtures/registry/", import.meta.url));
export const DEFS = CORPUS + "defs/";
export const CONFLICTS = CORPUS + "conflicts/";

export function defFileNames(): string[] {
  return readdirSync(DEFS).filter((f) => f.endsWith(".fm.json")).sort();
}

export function readDef(name: string): Buffer {
  return readFileSync(DEFS + name);
}
