// `npm run demo`: a working index and a search on a fresh machine, with nothing to prepare.
// Writes sample models into ./sample-models unless that folder exists (then uses it as it is),
// syncs them into an index of their own, ./sample-models/index.db (not ./findingmodel.db, the
// default index, which may hold the registry: the demo would replace it), and searches.
import { existsSync } from "node:fs";
import path from "node:path";
import { generateFolder } from "../index/generate-folder.js";
import { openIndex } from "../index/open-index.js";

const dir = process.argv[2] ?? "sample-models";
const generated = !existsSync(dir);
if (generated) {
  const { files } = generateFolder(dir, 500);
  console.log(`wrote ${files} sample models to ${dir}/`);
}
// In the sample folder (sync reads only *.fm.json files); not in a folder of real models given to
// it, such as a registry checkout.
const db = generated || process.argv[2] === undefined ? path.join(dir, "index.db") : "demo-index.db";
const index = await openIndex({ db });
try {
  const report = await index.sync(dir);
  console.log(`index sync ${dir}: ${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged in ${Math.round(report.ms)} ms`);
  for (const e of report.errors) console.log(`  ${e.file} ${e.path}: ${e.message}`);
  const [first] = (await index.list({ limit: 1 })).items;
  const query = first?.name.split(" ").slice(-2).join(" ") ?? "cyst";
  console.log(`\nsearch "${query}":`);
  for (const e of await index.search(query, { limit: 5 })) console.log(`  ${e.oifm_id}  ${e.name}`);
  console.log(`\n${await index.count()} models indexed in ${db}; try: node dist/cli/main.js search <words> --db ${db}`);
} finally {
  await index.close();
}
