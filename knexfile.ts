/**
 * knex configuration for the CLI (`npx knex migrate:latest`). The service itself runs
 * migrations through db/knex.ts at start, with the same directory and table.
 */
import type { Knex } from 'knex';
import { loadConfig, onConfigError, requireInfrastructure } from './platform/config';
import { knexConfig } from './db/knex';

const config = onConfigError(
  () => requireInfrastructure(loadConfig(), 'knex', { database: true }),
  (line) => {
    process.stderr.write(`${line}\n`);
    process.exit(1);
  },
);

const knexfile: Record<string, Knex.Config> = {
  development: knexConfig(config.databaseUrl),
  production: knexConfig(config.databaseUrl),
};
export default knexfile;
module.exports = knexfile;
