/**
 * The pending sweep (platform/task-reconcile.ts) against a real Postgres and a real Temporal
 * server: a PENDING row whose start nobody confirmed is settled once it is LOST_AFTER_MS old —
 * left to its workflow when that exists, failed SUBMISSION_LOST when it does not — in
 * bounded batches; and every API process started with startApi runs it on its own.
 * The direct tests pass the sweep its clock, so they never wait for the threshold.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { startApi } from '../../api/main';
import { insertPendingTask } from '../../db/tasks';
import { silentLogger } from '../../platform/logger';
import { LOST_AFTER_MS, sweepPendingTasks } from '../../platform/task-reconcile';
import { getTestDatabaseUrl, getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig } from '../support/fixtures';
import { waitFor } from './operations/support';

describe('pending sweep: rows whose start nobody confirmed', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
  });
  beforeEach(() => truncateAll(db));
  afterEach(async () => {
    for (const { task_id } of await db('task_status').select('task_id')) {
      await env.client.workflow.getHandle(task_id).terminate('test done').catch(() => undefined);
    }
  });

  /** The row an API writes before it starts the workflow (and then, here, dies). */
  async function pendingRow(): Promise<{ taskId: string; createdAt: number }> {
    const taskId = randomUUID();
    await insertPendingTask(db, {
      taskId,
      userId: 'alice',
      taskName: 'bulk_categorize_async',
      queue: 'bulk_operations',
      params: { session_id: randomUUID() },
      idempotencyKey: null,
    });
    const row = await db('task_status').where({ task_id: taskId }).first('created_at');
    return { taskId, createdAt: new Date(row.created_at).getTime() };
  }

  /** A workflow for the row, as the dead API's start would have made it; no worker runs it. */
  const startWorkflow = (taskId: string) =>
    env.client.workflow.start('bulkCategorize', { taskQueue: 'bulk_operations', workflowId: taskId, args: [{}] });

  const sweep = (now: number, batchSize?: number) => sweepPendingTasks({ db, temporal: env.client, resultTtlSeconds: 60, now, batchSize });
  const rowOf = (taskId: string) => db('task_status').where({ task_id: taskId }).first();

  it('fails a row without a workflow as SUBMISSION_LOST once it is past the threshold, and not before', async () => {
    const { taskId, createdAt } = await pendingRow();
    assert.deepEqual(await sweep(createdAt + LOST_AFTER_MS - 1000), { scanned: 0, confirmed: 0, closed: 0 });
    assert.equal((await rowOf(taskId)).status, 'PENDING');

    assert.deepEqual(await sweep(createdAt + LOST_AFTER_MS + 1000), { scanned: 1, confirmed: 0, closed: 1 });
    const row = await rowOf(taskId);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.error, { code: 'SUBMISSION_LOST', message: 'The task was accepted but never started' });
    assert.ok(row.expires_at, 'the failure expires like any result');
    assert.equal((await sweep(createdAt + LOST_AFTER_MS + 1000)).scanned, 0);
  });

  it('leaves a row whose workflow exists to it, and does not look at it again', async () => {
    const { taskId, createdAt } = await pendingRow();
    await startWorkflow(taskId);
    assert.deepEqual(await sweep(createdAt + LOST_AFTER_MS + 1000), { scanned: 1, confirmed: 1, closed: 0 });
    const row = await rowOf(taskId);
    assert.equal(row.status, 'PENDING');
    assert.ok(row.start_confirmed_at);
    // Even much later, a confirmed row waiting for a worker is not the sweep's business.
    assert.equal((await sweep(createdAt + 10 * LOST_AFTER_MS)).scanned, 0);
    assert.equal((await rowOf(taskId)).status, 'PENDING');
  });

  it('gives a row the outcome of a workflow that closed before any worker ran it', async () => {
    const { taskId, createdAt } = await pendingRow();
    await (await startWorkflow(taskId)).terminate('operator');
    assert.deepEqual(await sweep(createdAt + LOST_AFTER_MS + 1000), { scanned: 1, confirmed: 0, closed: 1 });
    const row = await rowOf(taskId);
    assert.equal(row.status, 'FAILED');
    assert.equal(row.error.code, 'TERMINATED');
  });

  it('takes at most one batch per call, oldest first', async () => {
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await pendingRow());
    const now = rows[4].createdAt + LOST_AFTER_MS + 1000;
    assert.deepEqual(await sweep(now, 2), { scanned: 2, confirmed: 0, closed: 2 });
    const statuses = await Promise.all(rows.map(async (r) => (await rowOf(r.taskId)).status));
    assert.deepEqual(statuses, ['FAILED', 'FAILED', 'PENDING', 'PENDING', 'PENDING']);
    assert.deepEqual(await sweep(now, 2), { scanned: 2, confirmed: 0, closed: 2 });
    assert.deepEqual(await sweep(now, 2), { scanned: 1, confirmed: 0, closed: 1 });
  });

  it('runs in every API process: rows a dead API left behind are settled without anyone reading them', async () => {
    // Rows older than the threshold already, as a crashed API would have left them.
    const lost = await pendingRow();
    const waiting = await pendingRow();
    await startWorkflow(waiting.taskId);
    await db('task_status').whereIn('task_id', [lost.taskId, waiting.taskId]).update({ created_at: db.raw(`now() - interval '5 minutes'`) });

    const config = testConfig({
      DATABASE_URL: await getTestDatabaseUrl(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      PORT: '0',
      HOST: '127.0.0.1',
      SUBMISSION_SWEEP_SECONDS: '1',
    });
    const api = await startApi(config, silentLogger);
    try {
      const row = await waitFor('the lost row to be settled', async () => {
        const r = await rowOf(lost.taskId);
        return r.status === 'FAILED' ? r : undefined;
      });
      assert.equal(row.error.code, 'SUBMISSION_LOST');
      await waitFor('the waiting row to be confirmed', async () => (await rowOf(waiting.taskId)).start_confirmed_at);
      assert.equal((await rowOf(waiting.taskId)).status, 'PENDING');

      // And it keeps running: a row left behind later is settled too.
      const later = await pendingRow();
      await db('task_status').where({ task_id: later.taskId }).update({ created_at: db.raw(`now() - interval '5 minutes'`) });
      await waitFor('the later row to be settled', async () => (await rowOf(later.taskId)).status === 'FAILED');
    } finally {
      await api.close();
    }
  });
});
