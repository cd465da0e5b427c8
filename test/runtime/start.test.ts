/**
 * `npm start` as a user runs it (through the tsx CLI, which relays signals to the process
 * it runs): it comes up with the API answering, and Ctrl-C (SIGINT to the whole process
 * group, as a terminal sends it) or a repeated SIGTERM stops it with nothing left
 * running; a second start resumes on the same data; and after a start killed outright
 * (SIGKILL: its Postgres and Temporal live on, orphaned) the next start stops those and
 * comes up, while a second start next to a running one is refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../devenv/paths';
import { getFreePort } from '../../devenv/processes';
import { embeddedEnv, freeEmbeddedPorts, tempDataDir } from '../support/embedded-env';

const TSX_CLI = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface Started {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function leftovers(dataDir: string): string[] {
  return spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dataDir));
}

describe('runtime: npm start', function () {
  this.timeout(300_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let apiPort: number;
  let running: Started | undefined;

  before(async () => {
    dataDir = tempDataDir('start');
    apiPort = await getFreePort();
    env = embeddedEnv(dataDir, await freeEmbeddedPorts(), { PORT: String(apiPort), WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' });
  });
  afterEach(() => {
    // A failed test must not leave the service behind.
    if (running && running.child.exitCode === null) process.kill(-running.child.pid!, 'SIGKILL');
    for (const line of leftovers(dataDir)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function start(): Promise<Started> {
    // detached: its own process group, so the test can signal the group like a terminal.
    const child = spawn(process.execPath, [TSX_CLI, 'scripts/start.ts'], { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    running = { child, out: () => out, exited };
    const deadline = Date.now() + 180_000;
    while (!out.includes('Statementflow is running.')) {
      if (child.exitCode !== null) assert.fail(`npm start exited early:\n${out}`);
      if (Date.now() > deadline) assert.fail(`npm start not running after 180 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const health = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
    assert.equal(health.status, 200);
    return running;
  }

  async function stopped(s: Started): Promise<void> {
    const code = await s.exited;
    assert.match(s.out(), /Stopped\./);
    assert.equal(code, 0, s.out());
    // Postgres and Temporal stop with it, even though they saw the signal themselves.
    for (let i = 0; i < 50 && leftovers(dataDir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(leftovers(dataDir), []);
  }

  it('stops cleanly on Ctrl-C: SIGINT to the whole process group', async () => {
    const s = await start();
    process.kill(-s.child.pid!, 'SIGINT');
    await stopped(s);
  });

  it('resumes on the same data, and a SIGTERM sent twice still stops it cleanly', async () => {
    const s = await start();
    assert.ok(fs.existsSync(path.join(dataDir, 'temporal', 'temporal.db')));
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    s.child.kill('SIGTERM');
    await stopped(s);
  });

  it('after a start killed with SIGKILL, the next start stops the orphaned servers and comes up', async () => {
    const killed = await start();
    // The Node process that runs the service (tsx's child), not tsx itself.
    const nodePid = Number(
      spawnSync('ps', ['-o', 'pid=', '--ppid', String(killed.child.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0],
    );
    assert.ok(nodePid > 0, 'found the service process');
    process.kill(nodePid, 'SIGKILL');
    await killed.exited;
    const orphans = leftovers(dataDir);
    assert.ok(orphans.some((l) => l.includes('postgres')) && orphans.some((l) => l.includes('temporal')), `orphans:\n${orphans.join('\n')}`);

    const again = await start();
    assert.match(again.out(), /stopping the embedded Postgres \(pid \d+\) left running by an earlier start that was killed/);
    assert.match(again.out(), /stopping the embedded Temporal dev server \(pid \d+\) left running/);
    for (const line of orphans) assert.ok(!leftovers(dataDir).includes(line), `still running: ${line}`);

    // A second start beside a running one is refused, and leaves the running one alone.
    const second = spawnSync(process.execPath, [TSX_CLI, 'scripts/start.ts'], { cwd: PROJECT_ROOT, env: { ...env, PORT: String(await getFreePort()) }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(second.status, 1, second.stdout + second.stderr);
    assert.match(second.stderr, /a Postgres is already running on .* started by another `npm start` or `npm run infra` that is still running/);
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status, 200);

    again.child.kill('SIGTERM');
    await stopped(again);
  });
});
