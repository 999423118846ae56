// Store.readIntegrity on SQLite: the file's own checks (integrity_check, foreign keys, FTS5's
// integrity-check) and SQLite's derived rows (synonyms, tags, full text) against the model rows,
// then the checks every engine shares (store/integrity.ts), all read in one read transaction (one
// moment of the index, whatever a sync does meanwhile).
import Database from "better-sqlite3";
import { entryOf, type EntryColumns, type OrganizationRow, type PersonRow } from "../rows.js";
import type { IndexEntry, IntegrityRead } from "../store.js";
import { compareDerived, expectedSynonyms, expectedTags, integrityRead, listKey, type DerivedRow } from "../integrity.js";

/** A model row as SQLite holds it: the lists as JSON text. */
type ModelRow = Omit<EntryColumns, "synonyms" | "tags" | "contributors" | "attributes"> & {
  id: number;
  synonyms: string;
  tags: string;
  contributors: string;
  attributes: string;
  json: string | null;
};

export function readIntegrity(db: Database.Database, location: string, busyTimeoutMs: number): IntegrityRead {
  const skipped: string[] = [];
  // FTS5's check of its index against its text is a write statement (it writes nothing), refused
  // on a read-only connection: run it on a connection of its own, outside the read below.
  const ftsProblems = ftsIntegrity(db, location, busyTimeoutMs, skipped);
  const read = db.transaction(() => {
    const problems = [...ftsProblems];
    const checked = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
    for (const r of checked) if (r.integrity_check !== "ok") problems.push(`integrity_check: ${r.integrity_check}`);
    for (const r of db.pragma("foreign_key_check") as Array<{ table: string; rowid: number; parent: string }>) {
      problems.push(`${r.table}: row ${r.rowid} refers to a ${r.parent} row that does not exist`);
    }
    const rows = db.prepare<[], ModelRow>(
      "SELECT m.*, j.json FROM models AS m LEFT JOIN model_json AS j ON j.id = m.id ORDER BY m.filename",
    ).all();
    const idOf = new Map(rows.map((r) => [r.id, r.oifm_id]));
    const owner = (id: number) => idOf.get(id);
    const models = rows.map((r) => ({ oifmId: r.oifm_id, entry: toEntry(r, problems), json: r.json }));
    const entries = models.flatMap((m) => (m.entry ? [m.entry] : []));

    const synonyms = new Map<string, DerivedRow>();
    for (const s of db.prepare<[], { model_id: number; synonym_lower: string }>("SELECT * FROM synonyms").all()) {
      synonyms.set(listKey(owner(s.model_id) ?? `#${s.model_id}`, s.synonym_lower), { owner: owner(s.model_id), value: s.synonym_lower });
    }
    compareDerived("synonyms", expectedSynonyms(entries), synonyms, problems);

    const tags = new Map<string, DerivedRow>();
    for (const t of db.prepare<[], { model_id: number; tag_lower: string; tag: string }>("SELECT * FROM tags").all()) {
      tags.set(listKey(owner(t.model_id) ?? `#${t.model_id}`, t.tag_lower), { owner: owner(t.model_id), value: t.tag });
    }
    compareDerived("tags", expectedTags(entries), tags, problems);

    // The full-text row of each model (rowid = models.id), as apply.ts writes it.
    const expectedFts = new Map<string, DerivedRow>();
    for (const [i, r] of rows.entries()) {
      const e = models[i]!.entry;
      if (e) expectedFts.set(String(r.id), { owner: r.oifm_id, value: ftsText(e) });
    }
    const fts = new Map<string, DerivedRow>();
    for (const f of db.prepare<[], { rowid: number; name: string; synonyms: string; description: string; tags: string; attributes: string }>("SELECT rowid, * FROM fts").all()) {
      fts.set(String(f.rowid), { owner: owner(f.rowid), value: JSON.stringify([f.name, f.synonyms, f.description, f.tags, f.attributes]) });
    }
    compareDerived("full text (fts)", expectedFts, fts, problems);

    return integrityRead(
      {
        models,
        orphanJson: db.prepare<[], number>("SELECT id FROM model_json WHERE id NOT IN (SELECT id FROM models)").pluck().all(),
        attributes: db
          .prepare<[], { oifma_id: string; model_id: number; name: string; type: string }>("SELECT * FROM attributes")
          .all()
          .map((a) => ({ oifmaId: a.oifma_id, owner: owner(a.model_id), name: a.name, type: a.type })),
        people: db.prepare<[], PersonRow>("SELECT github_username, email, name, organization_code, url FROM people").all(),
        organizations: db.prepare<[], OrganizationRow>("SELECT code, name, url FROM organizations").all(),
      },
      problems,
      skipped,
    );
  });
  return read();
}

/** What the full-text row of an entry holds (apply.ts), as one text. */
function ftsText(e: IndexEntry): string {
  return JSON.stringify([e.name, e.synonyms.join("\n"), e.description, e.tags.join("\n"), e.attributes.map((a) => a.name).join("\n")]);
}

/** The entry of a model row; undefined (and a problem) when its JSON columns do not parse. */
function toEntry(r: ModelRow, problems: string[]): IndexEntry | undefined {
  try {
    return entryOf({
      ...r,
      synonyms: JSON.parse(r.synonyms) as string[],
      tags: JSON.parse(r.tags) as string[],
      contributors: JSON.parse(r.contributors) as IndexEntry["contributors"],
      attributes: JSON.parse(r.attributes) as IndexEntry["attributes"],
    });
  } catch (e) {
    problems.push(`models: the row of model ${r.oifm_id} holds a list that is not JSON (${(e as Error).message})`);
    return undefined;
  }
}

function ftsIntegrity(db: Database.Database, location: string, busyTimeoutMs: number, skipped: string[]): string[] {
  let conn = db;
  if (db.readonly) {
    try {
      conn = new Database(location, { fileMustExist: true, timeout: busyTimeoutMs });
    } catch (e) {
      skipped.push(`the full-text index's own check (FTS5 integrity-check) needs write access to ${location}: ${(e as Error).message}`);
      return [];
    }
  }
  try {
    conn.prepare("INSERT INTO fts (fts) VALUES ('integrity-check')").run();
    return [];
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    if (code === "SQLITE_READONLY" || code === "SQLITE_CANTOPEN") {
      skipped.push(`the full-text index's own check (FTS5 integrity-check) needs write access to ${location}`);
      return [];
    }
    if (code.startsWith("SQLITE_CORRUPT")) return [`full text (fts): its index does not match its text (${(e as Error).message})`];
    throw e;
  } finally {
    if (conn !== db) conn.close();
  }
}
