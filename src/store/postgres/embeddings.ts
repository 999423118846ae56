// The PostgreSQL statements of the vectors table (see schema.ts, version 3).
import { ident } from "./schema.js";

export interface EmbeddingStatements {
  /** $1 model. */
  read: string;
  /** $1 model, $2 oifm_ids, $3 text hashes, $4 vectors (bytea). */
  put: string;
  /** $1 model. */
  prune: string;
}

export function embeddingStatements(schema: string): EmbeddingStatements {
  const s = ident(schema);
  return {
    read: `SELECT e.oifm_id, e.text_hash, e.vector FROM ${s}.embeddings AS e JOIN ${s}.models AS m ON m.oifm_id = e.oifm_id WHERE e.model = $1`,
    put: `INSERT INTO ${s}.embeddings (model, oifm_id, text_hash, vector)
            SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bytea[])
          ON CONFLICT (model, oifm_id) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector`,
    prune: `DELETE FROM ${s}.embeddings AS e WHERE e.model <> $1 OR NOT EXISTS (SELECT FROM ${s}.models AS m WHERE m.oifm_id = e.oifm_id)`,
  };
}
