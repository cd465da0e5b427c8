/**
 * The operator commands (migrate, schedules; cleanup shares the lookup) beside a running
 * `npm run infra` (as beside `npm start`), with no
 * DATABASE_URL or TEMPORAL_ADDRESS set: they find the embedded servers of the same
 * DATA_DIR. With nothing running they say what they need, in one line.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { PROJECT_ROOT } from '../../devenv/paths';
import { embeddedEnv, freeEmbeddedPorts, tempDataDir } from '../support/embedded-env';

describe('runtime: operator commands beside a running start', function () {
  this.timeout(180_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let infra: ChildProcess | undefined;

  before(async () => {
    dataDir = tempDataDir('operator');
    // A free TEMPORAL_PORT, not the one the commands would assume: they must read the running server's own.
    env = embeddedEnv(dataDir, await freeEmbeddedPorts());
  });
  after(async () => {
    if (infra && infra.exitCode === null) {
      infra.kill('SIGTERM');
      await new Promise((r) => infra!.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (script: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', script, ...args], { cwd: PROJECT_ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });

  it('with nothing running, says what it needs in one line', () => {
    const r = run('scripts/schedules.ts');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /npm run schedules needs TEMPORAL_ADDRESS: set it .*or run it while `npm start` or `npm run infra` is running on DATA_DIR/);
  });

  it('migrate and schedules use the embedded servers of the running start, on its own Temporal port', async () => {
    infra = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/infra.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    infra.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    infra.stdout!.resume();
    const deadline = Date.now() + 90_000;
    while (!/ready in/.test(err)) {
      if (infra.exitCode !== null || Date.now() > deadline) assert.fail(`infra did not come up: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The commands run with the default TEMPORAL_PORT: they must find the running server's.
    const migrate = run('scripts/migrate.ts', [], { TEMPORAL_PORT: '7233' });
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stderr, /using the embedded Postgres running on /);
    assert.match(migrate.stdout, /applied: |already up to date/);

    const schedules = run('scripts/schedules.ts', [], { TEMPORAL_PORT: '7233' });
    assert.equal(schedules.status, 0, schedules.stderr);
    assert.match(schedules.stderr, new RegExp(`using the Temporal dev server running on .*\\(127\\.0\\.0\\.1:${env.TEMPORAL_PORT}\\)`));
    assert.doesNotMatch(schedules.stderr, /Postgres/, 'only what it needs');
    assert.match(schedules.stdout, /schedule cleanup-old-results (created|updated|unchanged): cron "0 2 \* \* \*" in UTC/);
  });
});
