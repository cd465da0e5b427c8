/** `npm run migrate`: apply the knex migrations to DATABASE_URL. */
import { loadConfigOrExit } from '../core/config';
import { createDb, migrateLatest } from '../core/db';

async function main() {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    process.stderr.write('statementflow: DATABASE_URL is not set (`npm run infra` prints one)\n');
    process.exit(1);
  }
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
