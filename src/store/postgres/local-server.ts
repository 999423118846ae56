// The PostgreSQL server that the tests and the bench use on a development machine or in CI: the
// one given by FINDINGMODEL_TEST_POSTGRES_URL, else the local one (127.0.0.1:5432, database
// "test", as user postgres or root), if one answers.
import pg from "pg";

export function localServerCandidates(): string[] {
  const given = process.env.FINDINGMODEL_TEST_POSTGRES_URL;
  return given ? [given] : ["postgres://postgres@127.0.0.1:5432/test", "postgres://root@127.0.0.1:5432/test"];
}

/** The first of `urls` that accepts a connection and a query, or undefined. */
export async function firstReachable(urls: readonly string[], timeoutMs = 3000): Promise<string | undefined> {
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return url;
    } catch {
      // Not this one.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}
