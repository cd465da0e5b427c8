/**
 * A worker stopped mid-task loses nothing. The worker runs as operators run it — its own
 * process, `node --import tsx worker/main.ts --queues=bulk_operations` (the Dockerfile's
 * command), pointed at the test Postgres and dev server by environment — and gets SIGTERM
 * while a long categorization is half done. It must stop polling, let the running activity
 * finish, exit 0; another worker then finishes the task with every row right. Its stdout
 * must be JSON lines, workflow and activity lines carrying task_id and user_id, and its
 * Prometheus endpoint must serve the SDK's metrics.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { submitTask } from '../../../api/task-submission';
import { getFreePort } from '../../../devenv/processes';
import { silentLogger } from '../../../platform/logger';
import { createWorkers } from '../../../worker/create-workers';
import { generatedRows, seedSession, testConfig } from '../../support/fixtures';
import { getTestDatabaseUrl, getTestDb } from '../../support/postgres';
import { getDevServer, getDevServerNativeConnection, getWorkflowBundle } from '../../support/temporal';
import { OPS_NAMESPACE, opsNamespaceClient, waitFor } from './support';

const ROOT = path.resolve(__dirname, '../../..');
const USER = 'ops-sigterm-user';
const ROWS = 30_000;
const RULES = [
  { category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'salary' } },
  { category: 'Fuel', conditions: { field: 'description', op: 'starts_with', value: 'ENGEN' } },
];
const EXPECTED: Record<string, string | null> = {
  'SALARY ACME LTD': 'Salary',
  'ENGEN FUEL': 'Fuel',
  'WOOLWORTHS FOOD': null,
  'MONTHLY ACCOUNT FEE': null,
  'RENT PAYMENT': null,
};

describe('worker: SIGTERM mid-task loses nothing (worker/main.ts as a child process)', function () {
  this.timeout(300_000);
  let db: Knex;
  let client: Client;
  let child: ChildProcess | undefined;

  before(async () => {
    const dev = await getDevServer();
    [db, client] = await Promise.all([getTestDb(), opsNamespaceClient(dev.connection), getWorkflowBundle()]);
  });
  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('stops polling, finishes the running activity, exits 0; another worker completes the task with every row right', async () => {
    const dev = await getDevServer();
    const config = testConfig({ CATEGORIZE_CHUNK_ROWS: '100', RETRY_INITIAL_INTERVAL_SECONDS: '1' });
    const sessionId = await seedSession(db, USER, generatedRows(ROWS));
    const metricsPort = await getFreePort();

    const lines: string[] = [];
    let stderr = '';
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'worker/main.ts', '--queues=bulk_operations', '--no-schedules', '--identity=ops-sigterm', '--grace=20', '--loglevel=debug'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: await getTestDatabaseUrl(),
          TEMPORAL_ADDRESS: dev.address,
          TEMPORAL_NAMESPACE: OPS_NAMESPACE,
          WORKER_METRICS_PORT: String(metricsPort),
          WORKER_METRICS_HOST: '127.0.0.1',
        },
      },
    );
    child = proc;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts.filter((l) => l.trim() !== ''));
    });
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const json = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

    // It bundles the workflows at start (no dist/ bundle here): wait for its "polling" line.
    await waitFor('the worker to poll', async () => {
      if (proc.exitCode !== null) throw new Error(`worker exited early (${proc.exitCode}): ${stderr}`);
      return json().some((l) => l.msg === 'worker polling');
    }, 180_000, 250);

    const { taskId } = await submitTask(
      { db, temporal: client, config, logger: silentLogger },
      {
        userId: USER,
        taskName: 'bulk_categorize_async',
        params: { rules: RULES, only_uncategorized: false },
        input: { sessionId, chunkRows: config.rules.chunkRows },
      },
    );
    const row = () => db('task_status').where({ task_id: taskId }).first();

    // Mid-task: some chunks done, most not.
    await waitFor('the task to be under way', async () => {
      const r = await row();
      return r.status === 'PROCESSING' && r.progress_percent >= 10;
    }, 120_000, 50).catch(async (err) => {
      throw new Error(`${err.message}; row ${JSON.stringify(await row())}; worker said:\n${lines.slice(-15).join('\n')}\n${stderr.slice(-2000)}`);
    });

    // The SDK's own metrics, on the worker's Prometheus endpoint.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /temporal_worker_task_slots_available\{[^}]*task_queue="bulk_operations"/);
    assert.match(metrics, /temporal_activity_execution_latency/);

    const stoppedAt = Date.now();
    proc.kill('SIGTERM');
    const exit = await exited;
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    assert.deepEqual(exit, { code: 0, signal: null }, stderr);

    const mid = await row();
    if (process.env.STATEMENTFLOW_TEST_VERBOSE) process.stderr.write(`[sigterm] stopped in ${stopSeconds.toFixed(1)} s at ${mid.progress_percent}%\n`);
    assert.equal(mid.status, 'PROCESSING', 'interrupted, not finished or failed');
    assert.ok(mid.progress_percent < 100);

    // Every stdout line is JSON; the shutdown is logged; the task's lines carry task_id and user_id.
    const logged = json();
    assert.ok(logged.some((l) => l.msg === 'worker shutting down' && l.signal === 'SIGTERM' && l.grace_seconds === 20));
    assert.ok(logged.some((l) => l.msg === 'worker stopped'));
    const taskLines = logged.filter((l) => l.task_id === taskId);
    const wfLines = taskLines.filter((l) => l.sdk_component === 'workflow');
    const actLines = taskLines.filter((l) => l.sdk_component === 'activity');
    assert.ok(wfLines.some((l) => l.msg === 'task started'), 'the workflow logged its start');
    assert.ok(actLines.length > 10, `activity lines: ${actLines.length}`);
    for (const l of [...wfLines, ...actLines]) {
      assert.equal(l.user_id, USER, JSON.stringify(l));
      assert.equal(l.service, 'worker');
    }
    assert.ok(actLines.every((l) => typeof l.activity_type === 'string' && typeof l.attempt === 'number'));
    assert.equal(logged.filter((l) => l.sdk_component === 'activity' && l.task_id === undefined).length, 0);
    // The grace at work: every activity the stopped worker started, it also completed.
    const started = actLines.filter((l) => l.msg === 'activity started').map((l) => l.activity_id);
    const completed = new Set(actLines.filter((l) => l.msg === 'activity completed').map((l) => l.activity_id));
    assert.ok(started.length > 0);
    assert.deepEqual(started.filter((id) => !completed.has(id)), [], 'an activity was cut off');
    assert.ok(!actLines.some((l) => l.msg === 'activity cancelled'));

    // Another worker picks the task up where it stopped.
    const workers = await createWorkers({
      connection: await getDevServerNativeConnection(),
      namespace: OPS_NAMESPACE,
      db,
      config,
      settings: { queues: ['bulk_operations'], concurrency: 2, workflowConcurrency: 10, cacheSize: 10, identity: 'ops-sigterm-2', shutdownGraceSeconds: 5 },
      workflows: { workflowBundle: await getWorkflowBundle() },
    });
    const done = Promise.all(workers.map((w) => w.run()));
    const resumedAt = Date.now();
    try {
      const result = await client.workflow.getHandle(taskId).result();
      assert.equal(result.status, 'success');
      assert.equal(result.categorized_count, (ROWS * 2) / 5);
      if (process.env.STATEMENTFLOW_TEST_VERBOSE) process.stderr.write(`[sigterm] second worker finished in ${((Date.now() - resumedAt) / 1000).toFixed(1)} s\n`);
    } finally {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    }

    const final = await row();
    assert.equal(final.status, 'SUCCESS');
    assert.equal(final.progress_percent, 100);
    const rows = await db('transactions').where({ session_id: sessionId }).orderBy('seq').select('seq', 'description', 'category');
    assert.equal(rows.length, ROWS);
    const wrong = rows.filter((r) => r.category !== EXPECTED[r.description]);
    assert.equal(wrong.length, 0, `rows wrong: ${JSON.stringify(wrong.slice(0, 3))}`);
    assert.equal(Number((await db('category_undo').count({ n: '*' }))[0].n), 0);
  });
});
