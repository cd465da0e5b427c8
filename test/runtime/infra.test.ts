import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { loadConfig } from '../../platform/config';
import { startEmbeddedInfra } from '../../devenv/infra';
import { PROJECT_ROOT } from '../../devenv/paths';
import { isAlive } from '../../devenv/processes';
import { embeddedEnv, freeEmbeddedPorts, tempDataDir } from '../support/embedded-env';

async function selectOne(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows;
  } finally {
    await client.end();
  }
}

describe('runtime: startEmbeddedInfra and npm run infra', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = tempDataDir('infra');
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts Postgres and the dev server with its Web UI, and stops both', async () => {
    const ports = await freeEmbeddedPorts();
    const config = loadConfig(embeddedEnv(dataDir, ports));
    const infra = await startEmbeddedInfra(config);
    const pids = [infra.postgres!.pid, infra.temporal!.pid];
    try {
      assert.equal(infra.databaseUrl, `postgres://postgres:postgres@127.0.0.1:${ports.pg}/statementflow`);
      assert.equal(infra.temporalAddress, `127.0.0.1:${ports.temporal}`);
      assert.equal(infra.webUiUrl, `http://127.0.0.1:${ports.ui}`);
      assert.deepEqual(await selectOne(infra.databaseUrl), [{ one: 1 }]);
      const connection = await Connection.connect({ address: infra.temporalAddress });
      await connection.workflowService.describeNamespace({ namespace: infra.temporalNamespace });
      await connection.close();
      const ui = await fetch(infra.webUiUrl!);
      assert.equal(ui.status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'temporal', 'temporal.db')));
      assert.ok(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION')));
    } finally {
      await infra.stop();
    }
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} gone after stop`);
  });

  it('uses DATABASE_URL and TEMPORAL_ADDRESS as they are, starting nothing', async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://u:p@db.example:5432/x',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
    });
    const infra = await startEmbeddedInfra(config);
    assert.equal(infra.postgres, null);
    assert.equal(infra.temporal, null);
    assert.equal(infra.databaseUrl, 'postgres://u:p@db.example:5432/x');
    assert.equal(infra.temporalAddress, 'temporal.example:7233');
    assert.equal(infra.webUiUrl, null);
    await infra.stop();
  });

  it('npm run infra: prints the addresses, and SIGTERM stops everything cleanly', async () => {
    const ports = await freeEmbeddedPorts();
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/infra.ts'], {
      cwd: PROJECT_ROOT,
      env: embeddedEnv(dataDir, ports),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      // stdout and stderr are two pipes: the address lines (stdout) can arrive after the
      // "ready in" note (stderr) even though they were written first, so wait for both.
      while (!/ready in/.test(stderr) || !/^TEMPORAL_WEB_UI=/m.test(stdout)) {
        if (child.exitCode !== null) assert.fail(`infra exited early: ${stderr}`);
        if (Date.now() > deadline) assert.fail(`infra not ready: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(stdout, new RegExp(`^DATABASE_URL=postgres://postgres:postgres@127\\.0\\.0\\.1:${ports.pg}/statementflow$`, 'm'));
      assert.match(stdout, new RegExp(`^TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${ports.temporal}$`, 'm'));
      assert.match(stdout, new RegExp(`^TEMPORAL_WEB_UI=http://127\\.0\\.0\\.1:${ports.ui}$`, 'm'));
      assert.deepEqual(await selectOne(`postgres://postgres:postgres@127.0.0.1:${ports.pg}/statementflow`), [{ one: 1 }]);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /infra: stopped/);
    // Nothing of it is left running.
    const left = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dataDir));
    assert.deepEqual(left, []);
  });

  it('npm run infra: a taken port is one clear line and exit 1, no stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const ports = { ...(await freeEmbeddedPorts()), temporal: taken };
      const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/infra.ts'], {
        cwd: PROJECT_ROOT,
        env: embeddedEnv(dataDir, ports),
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 1);
      const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('statementflow:'));
      assert.deepEqual(errorLines, [
        `statementflow: Temporal dev server: port ${taken} on 127.0.0.1 is already in use (set TEMPORAL_PORT to use another port)`,
      ]);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
      assert.equal(r.stdout, '');
    } finally {
      blocker.close();
    }
  });

  it('npm run infra: bad configuration is one line and exit 1', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/infra.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...embeddedEnv(dataDir, { pg: 1, temporal: 2, ui: 3 }), TEMPORAL_PORT: 'seventy' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'statementflow: configuration error: TEMPORAL_PORT="seventy" is not a whole number\n');
  });
});
