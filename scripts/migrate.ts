/** `npm run migrate`: apply the knex migrations to DATABASE_URL. */
import { loadConfig, onConfigError, requireInfrastructure } from '../platform/config';
import { withRunningEmbeddedInfra } from '../devenv/running-infra';
import { createDb, migrateLatest } from '../db/knex';

async function main() {
  const config = onConfigError(
    () => {
      const found = withRunningEmbeddedInfra(loadConfig(), { database: true }, (m) => process.stderr.write(`${m}\n`));
      return requireInfrastructure(found, 'npm run migrate', { database: true }, true);
    },
    (line) => {
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  );
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
