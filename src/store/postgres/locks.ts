// Advisory-lock keys. PostgreSQL's two-key form (int4, int4): the first says what kind of lock,
// the second which index (a hash of the schema name), so that indexes in different schemas of one
// database never wait for each other.

/** "OIFM" in ASCII: the lock one sync takes while applying its changes to one index. */
export const SYNC_LOCK_CLASS = 0x4f49464d;
/** The lock schema creation and migration take, per schema. */
export const MIGRATION_LOCK_CLASS = 0x4f49464e;

/** The second key of the locks of the index in `schema`: FNV-1a of its name, as a signed 32-bit integer. */
export function schemaLockKey(schema: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(schema, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
