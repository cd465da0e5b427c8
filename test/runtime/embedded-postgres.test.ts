import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../../devenv/embedded-postgres';
import { InfraError } from '../../devenv/errors';
import { getFreePort, isAlive } from '../../devenv/processes';
import { getTestDatabaseUrl, getTestDb, truncateAll } from '../support/postgres';

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Processes whose command line mentions `needle` (ps, as a person would check). */
function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(`${pid} ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

describe('runtime: embedded Postgres', function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: RunningPostgres | undefined;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-epg-'));
    fs.chmodSync(dataDir, 0o755); // as root, Postgres runs as `postgres` and must get in
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, answers select 1, and restarts on the same data keeping a row', async () => {
    const port = await getFreePort();
    server = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    assert.equal(server.initialised, true);
    assert.equal(server.databaseUrl, `postgres://postgres:postgres@127.0.0.1:${port}/statementflow`);
    assert.deepEqual(await query(server.databaseUrl, 'select 1 as one'), [{ one: 1 }]);
    await query(server.databaseUrl, 'create table kept (id int primary key, note text)');
    await query(server.databaseUrl, "insert into kept values (1, 'survives a restart')");
    const firstPid = server.pid;
    await server.stop();
    assert.equal(isAlive(firstPid), false);
    assert.deepEqual(processesMentioning(dataDir), [], 'no postgres process left after stop');

    server = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    assert.equal(server.initialised, false, 'second start resumes, no initdb');
    assert.deepEqual(await query(server.databaseUrl, 'select note from kept'), [{ note: 'survives a restart' }]);
    // Unicode-aware without OS locales (builtin C.UTF-8 provider).
    assert.deepEqual(await query(server.databaseUrl, "select lower('ÉCOLE') as l"), [{ l: 'école' }]);
    await server.stop();
    server = undefined;
    assert.deepEqual(processesMentioning(dataDir), []);
  });

  it('fails with one clear line when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await startEmbeddedPostgres({ dataDir, port }).then(
        () => assert.fail('started'),
        (e: unknown) => e as Error,
      );
      assert.ok(err instanceof InfraError);
      assert.equal(err.message, `Embedded Postgres: port ${port} on 127.0.0.1 is already in use (set EMBEDDED_PG_PORT to use another port)`);
    } finally {
      blocker.close();
    }
  });

  it('refuses a non-empty directory that is not a cluster', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-epg-'));
    try {
      fs.mkdirSync(path.join(other, 'postgres'));
      fs.writeFileSync(path.join(other, 'postgres', 'something.txt'), 'not postgres');
      await assert.rejects(startEmbeddedPostgres({ dataDir: other, port: await getFreePort() }), /is not empty but holds no Postgres cluster/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('test harness: getTestDb', function () {
  this.timeout(120_000);

  it('gives a migrated database, shared, that truncateAll empties', async () => {
    const db = await getTestDb();
    assert.equal(await getTestDb(), db, 'one shared knex');
    const url = await getTestDatabaseUrl();
    assert.match(url, /^postgres:\/\/.*\/statementflow_test$/);
    const { rows } = (await db.raw('select count(*)::int as n from knex_migrations')) as { rows: { n: number }[] };
    assert.ok(rows[0]!.n >= 1, 'migrations ran');
    const tables = (await db.raw(`select tablename from pg_tables where schemaname = 'public'`)) as { rows: { tablename: string }[] };
    assert.ok(tables.rows.some((t) => t.tablename === 'task_status'));

    await db('task_status').insert({ task_id: '00000000-0000-4000-8000-000000000001', user_id: 'u1', task_name: 'parse_pdf_async', queue: 'pdf_processing' });
    await truncateAll(db);
    assert.deepEqual(await db('task_status').count({ n: '*' }), [{ n: '0' }]);
    const after = (await db.raw('select count(*)::int as n from knex_migrations')) as { rows: { n: number }[] };
    assert.equal(after.rows[0]!.n, rows[0]!.n, 'migration bookkeeping kept');
  });
});

