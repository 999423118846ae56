// `npm run demo`: a working index and a search on a fresh machine, with nothing to prepare.
// Writes sample models into ./sample-models unless that folder exists (then uses it as it is),
// syncs them into ./findingmodel.db and searches.
import { existsSync } from "node:fs";
import { generateFolder } from "../index/generate-folder.js";
import { openIndex } from "../index/open-index.js";

const dir = process.argv[2] ?? "sample-models";
if (!existsSync(dir)) {
  const { files } = generateFolder(dir, 500);
  console.log(`wrote ${files} sample models to ${dir}/`);
}
const index = await openIndex({ db: process.env.FINDINGMODEL_DB });
try {
  const report = await index.sync(dir);
  console.log(`index sync ${dir}: ${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged in ${Math.round(report.ms)} ms`);
  for (const e of report.errors) console.log(`  ${e.file} ${e.path}: ${e.message}`);
  const [first] = (await index.list({ limit: 1 })).items;
  const query = first?.name.split(" ").slice(-2).join(" ") ?? "cyst";
  console.log(`\nsearch "${query}":`);
  for (const e of await index.search(query, { limit: 5 })) console.log(`  ${e.oifm_id}  ${e.name}`);
  console.log(`\n${await index.count()} models indexed; try: node dist/cli/main.js search <words>`);
} finally {
  await index.close();
}
