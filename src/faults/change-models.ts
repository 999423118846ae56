// Changes every model of a folder (its description gains or loses a suffix), so that a sync then
// rewrites them all: run as a process of its own (node change-models.js <folder>) by the load part,
// whose own thread runs autocannon and must not stop to rewrite thousands of files.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const defs = process.argv[2]!;
for (const f of readdirSync(defs)) {
  const file = path.join(defs, f);
  const m = JSON.parse(readFileSync(file, "utf8")) as { description: string };
  m.description = m.description.endsWith(" (resynced)") ? m.description.slice(0, -11) : `${m.description} (resynced)`;
  writeFileSync(file, JSON.stringify(m, null, 2) + "\n");
}
