/**
 * How to reach the embedded Postgres: the address it listens on, the one user and password
 * it is set up with, the database `npm start` uses, connection URLs built from them, and
 * an admin connection. Starting the server, preparing its OS user and explaining a failed
 * start all need these, so they sit apart from each of them.
 */
import pg from 'pg';

/** The database `npm start` uses on the embedded server. */
export const EMBEDDED_DATABASE = 'statementflow';
export const EMBEDDED_PG_USER = 'postgres';
export const EMBEDDED_PG_PASSWORD = 'postgres';
/** Loopback only: a development database is never reachable from other machines. */
export const EMBEDDED_PG_HOST = '127.0.0.1';

export function postgresUrl(port: number, database: string, host = EMBEDDED_PG_HOST): string {
  return `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@${host}:${port}/${encodeURIComponent(database)}`;
}

/** Runs `fn` on a connection to the `postgres` database (for creating and dropping databases), then closes it. */
export async function withAdmin<T>(port: number, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl(port, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
