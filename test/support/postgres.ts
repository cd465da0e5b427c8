/**
 * The test database: ONE real Postgres for the whole mocha run, started on first use.
 *
 *   const db = await getTestDb();         // shared knex, migrated to latest
 *   beforeEach(() => truncateAll(db));    // every table empty again (migrations kept)
 *   const url = await getTestDatabaseUrl(); // for code that wants a URL (a worker, the API)
 *
 * By default an embedded Postgres in a temp directory on a free port (fsync off: test data
 * only), with a fresh database `statementflow_test`. With TEST_DATABASE_URL set (a server you
 * run; its user must be allowed to CREATE DATABASE) a fresh database is created on that
 * server instead, and dropped at the end. Everything is torn down by the root hook
 * (test/support/root-hooks.ts). Nothing is loaded until a test asks, so unit tests that never
 * call these pay nothing.
 */
import type { Knex } from 'knex';
import type { RunningPostgres } from '../../devenv/embedded-postgres';

export const TEST_DATABASE = 'statementflow_test';

interface TestPostgres {
  url: string;
  db: Knex;
  /** Extra databases made by createScratchDatabase(), dropped at teardown. */
  scratch: Set<string>;
  adminUrl: string;
  server?: RunningPostgres;
  tmpDir?: string;
  /** Drops the database (external server only). */
  dropOwn?: () => Promise<void>;
}

let state: Promise<TestPostgres> | undefined;

function verbose(message: string): void {
  if (process.env.STATEMENTFLOW_TEST_VERBOSE) process.stderr.write(`[test harness] ${message}\n`);
}

async function start(): Promise<TestPostgres> {
  const { createDb, migrateLatest } = require('../../db/knex') as typeof import('../../db/knex');
  const started = Date.now();
  let base: Omit<TestPostgres, 'db'>;

  const external = process.env.TEST_DATABASE_URL?.trim();
  if (external) {
    base = await createOnExternal(external);
  } else {
    base = await startEmbedded();
  }

  const db = createDb(base.url, 10);
  try {
    await migrateLatest(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    await teardown({ ...base, db: undefined as unknown as Knex });
    throw err;
  }
  verbose(`Postgres ready and migrated in ${Date.now() - started} ms (${base.url})`);
  return { ...base, db };
}

async function startEmbedded(): Promise<Omit<TestPostgres, 'db'>> {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const { startEmbeddedPostgres } = require('../../devenv/embedded-postgres') as typeof import('../../devenv/embedded-postgres');
  const { getFreePort } = require('../../devenv/processes') as typeof import('../../devenv/processes');

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-pg-'));
  // mkdtemp makes it 0700; as root, Postgres runs as the `postgres` user and must get in.
  fs.chmodSync(tmpDir, 0o755);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // A free port can be taken between asking and binding: try again with another.
    const port = await getFreePort();
    try {
      const server = await startEmbeddedPostgres({ dataDir: tmpDir, port, database: TEST_DATABASE, ephemeral: true });
      return { url: server.databaseUrl, adminUrl: server.adminUrl, server, tmpDir, scratch: new Set() };
    } catch (err) {
      lastError = err;
      if (!/already in use/.test(String((err as Error).message))) break;
    }
  }
  fs.rmSync(tmpDir, { recursive: true, force: true });
  throw lastError;
}

async function createOnExternal(externalUrl: string): Promise<Omit<TestPostgres, 'db'>> {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const name = `${TEST_DATABASE}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const adminUrl = withDatabase(externalUrl, 'postgres');
  await adminQuery(adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  return {
    url: withDatabase(externalUrl, name),
    adminUrl,
    scratch: new Set(),
    dropOwn: () => adminQuery(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)).then(() => undefined),
  };
}
 

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function adminQuery<T>(adminUrl: string, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
  const pg = require('pg') as typeof import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function ensureStarted(): Promise<TestPostgres> {
  state ??= start();
  return state;
}

/** The shared knex handle on the migrated test database. Do not destroy it. */
export async function getTestDb(): Promise<Knex> {
  return (await ensureStarted()).db;
}

/** The URL of the migrated test database (the same one getTestDb() uses). */
export async function getTestDatabaseUrl(): Promise<string> {
  return (await ensureStarted()).url;
}

/**
 * A new, empty database on the same test server (no migrations run), for tests of
 * migrations or anything that needs a database of its own. Dropped at teardown.
 */
export async function createScratchDatabase(prefix = 'scratch'): Promise<string> {
  const s = await ensureStarted();
  const name = `${TEST_DATABASE}_${prefix}_${s.scratch.size + 1}_${Date.now().toString(36)}`.toLowerCase();
  await adminQuery(s.adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  s.scratch.add(name);
  return withDatabase(s.url, name);
}

/**
 * Empties every table of the current schema (RESTART IDENTITY, CASCADE), keeping knex's
 * migration bookkeeping. One statement, so it is quick enough for every beforeEach.
 */
export async function truncateAll(db: Knex): Promise<void> {
  const { rows } = (await db.raw(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = current_schema() and tablename not in ('knex_migrations', 'knex_migrations_lock')`,
  )) as { rows: { name: string }[] };
  if (rows.length === 0) return;
  await db.raw(`truncate table ${rows.map((r) => r.name).join(', ')} restart identity cascade`);
}

async function teardown(s: TestPostgres): Promise<void> {
  await s.db?.destroy().catch(() => undefined);
  for (const name of s.scratch) {
    await adminQuery(s.adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)).catch(() => undefined);
  }
  await s.dropOwn?.().catch(() => undefined);
  await s.server?.stop();
  if (s.tmpDir) {
    (require('node:fs') as typeof import('node:fs')).rmSync(s.tmpDir, { recursive: true, force: true });
  }
}

/** Stops what getTestDb() started; the root hook calls it after the run. */
export async function stopTestPostgres(): Promise<void> {
  const current = state;
  state = undefined;
  if (!current) return;
  let s: TestPostgres;
  try {
    s = await current;
  } catch {
    return; // start failed and cleaned up after itself
  }
  await teardown(s);
}
