/** `npm run migrate`: apply the knex migrations to DATABASE_URL. */
import { loadConfigOrExit, requireInfrastructure } from '../platform/config';
import { withRunningEmbeddedInfra } from '../devenv/running-infra';
import { createDb, migrateLatest } from '../db/knex';

async function main() {
  const config = withRunningEmbeddedInfra(loadConfigOrExit(), { database: true }, (m) => process.stderr.write(`${m}\n`));
  requireInfrastructure(config, 'npm run migrate', { database: true }, true);
  const db = createDb(config.databaseUrl, 1);
  try {
    const applied = await migrateLatest(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`statementflow migrate: ${(err as Error).message}\n`);
  process.exit(1);
});
