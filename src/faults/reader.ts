// A reader process of the concurrency part: looks models up and searches, in a loop, until the
// stop file appears; every model's description must be its description before or after the sync.
// Its work (the index, the IDs, both descriptions) comes in a JSON file: argv stays short.
import { existsSync, readFileSync } from "node:fs";
import { openIndex } from "../index/open-index.js";

interface Work {
  db: string;
  stopFile: string;
  ids: string[];
  before: Record<string, string>;
  after: Record<string, string>;
  queries: string[];
}

const work = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Work;
const out = { lookups: 0, searches: 0, errors: 0, busy: 0, mixed: 0, missing: 0, samples: [] as string[] };
const index = await openIndex({ db: work.db, readonly: true, cache: false });
const note = (s: string) => out.samples.length < 5 && out.samples.push(s);
for (let i = 0; !existsSync(work.stopFile); i++) {
  try {
    const id = work.ids[i % work.ids.length]!;
    const entry = await index.get(id);
    out.lookups++;
    const known = [work.before[id], work.after[id]].filter((d) => d !== undefined);
    if (!entry) {
      if (work.before[id] !== undefined && work.after[id] !== undefined) {
        out.missing++;
        note(`${id}: not found, though it is in both states`);
      }
    } else if (!known.includes(entry.description)) {
      out.mixed++;
      note(`${id}: description ${JSON.stringify(entry.description.slice(0, 80))} is of neither state`);
    }
    await index.search(work.queries[i % work.queries.length]!, { limit: 10 });
    out.searches++;
  } catch (e) {
    out.errors++;
    if (/SQLITE_BUSY|locked/i.test(String(e))) out.busy++;
    note(String(e).slice(0, 200));
  }
}
await index.close();
process.stdout.write(JSON.stringify(out));
