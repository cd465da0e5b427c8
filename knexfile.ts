/**
 * knex configuration for the CLI (`npx knex migrate:latest`). The service itself runs
 * migrations through core/db.ts at start, with the same directory and table.
 */
import type { Knex } from 'knex';
import { loadConfigOrExit } from './core/config';
import { knexConfig } from './core/db';

const config = loadConfigOrExit();
if (!config.databaseUrl) {
  process.stderr.write('statementflow: DATABASE_URL is not set (run `npm run infra` to start an embedded Postgres)\n');
  process.exit(1);
}

const knexfile: Record<string, Knex.Config> = {
  development: knexConfig(config.databaseUrl),
  production: knexConfig(config.databaseUrl),
};
export default knexfile;
module.exports = knexfile;
