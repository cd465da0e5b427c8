/**
 * The knex handle and migrations. One pool per process; numeric columns come back as
 * strings from pg (exact), and are converted where JSON numbers are wanted.
 */
import path from 'node:path';
import knex, { type Knex } from 'knex';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

export function knexConfig(databaseUrl: string, poolMax = 10): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: poolMax },
    migrations: {
      directory: MIGRATIONS_DIR,
      tableName: 'knex_migrations',
      loadExtensions: ['.ts', '.js'],
    },
  };
}

export function createDb(databaseUrl: string, poolMax = 10): Knex {
  return knex(knexConfig(databaseUrl, poolMax));
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}
