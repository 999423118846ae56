// The SQLite statements of the vectors table (see schema.ts, version 3).
import type Database from "better-sqlite3";
import type { StoredVector } from "../store.js";
import { bytesToVector, vectorToBytes } from "../vector-bytes.js";

export class SqliteEmbeddings {
  private readonly read: Database.Statement<[string], { oifm_id: string; text_hash: string; vector: Buffer }>;
  private readonly put: Database.Statement<[string, string, string, Buffer]>;
  private readonly prune: Database.Statement<[string]>;
  readonly putAll: (model: string, vectors: readonly StoredVector[]) => void;

  constructor(db: Database.Database) {
    this.read = db.prepare("SELECT e.oifm_id, e.text_hash, e.vector FROM embeddings AS e JOIN models AS m ON m.oifm_id = e.oifm_id WHERE e.model = ?");
    this.put = db.prepare("INSERT OR REPLACE INTO embeddings (model, oifm_id, text_hash, vector) VALUES (?, ?, ?, ?)");
    this.prune = db.prepare("DELETE FROM embeddings WHERE model <> ? OR oifm_id NOT IN (SELECT oifm_id FROM models)");
    this.putAll = db.transaction((model: string, vectors: readonly StoredVector[]) => {
      for (const v of vectors) this.put.run(model, v.oifm_id, v.textHash, vectorToBytes(v.vector));
    });
  }

  all(model: string): StoredVector[] {
    return this.read.all(model).map((r) => ({ oifm_id: r.oifm_id, textHash: r.text_hash, vector: bytesToVector(r.vector) }));
  }

  pruned(model: string): number {
    return this.prune.run(model).changes;
  }
}
