/**
 * A batch whose last file's submission is abandoned after its other tasks have all ended:
 * none of them is left to end after it, so the API completes the batch itself, and its
 * receiver still gets batch.completed, once (real dev server, Postgres, HTTP receiver). A
 * delivery handed to two delivery workflows is sent by the one that claimed it.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createWebhookActivities } from '../../activities/webhooks';
import { TASK_TYPES } from '../../contract/tasks';
import { claimDelivery, insertDeliveries, insertWebhook } from '../../db/webhooks';
import { insertPendingTask } from '../../db/tasks';
import { createSecretBox } from '../../platform/secret-box';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection } from '../support/temporal';
import { seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { Receiver } from '../support/webhook-receiver';

const PDF = (n: number) => Buffer.from(`%PDF-1.4\n% file ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The Temporal client, except that it refuses to start parses, and refuses each only once
 * every delivery workflow it started before has finished: the batch's other tasks have
 * ended and been announced before the refused file leaves the batch.
 */
function refusingParses(temporal: Client): Client {
  const started: Promise<unknown>[] = [];
  const workflow = new Proxy(temporal.workflow, {
    get(target, prop) {
      if (prop === 'start') {
        return async (type: string, options: { workflowId: string }) => {
          if (type === TASK_TYPES.parse_pdf_async.workflowType) {
            await Promise.all(started);
            throw new Error('the test refuses parse workflows');
          }
          const handle = await target.start(type, options as never);
          started.push(handle.result().catch(() => undefined));
          return handle;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(temporal, {
    get(target, prop) {
      if (prop === 'workflow') return workflow;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('webhooks: a batch left by an abandoned submission (dev server + Postgres + HTTP receiver)', function () {
  this.timeout(120_000);
  let db: Knex;
  let temporal: Client;
  let connection: NativeConnection;
  const receiver = new Receiver();
  /** What the receiver got, by event. */
  const events = (event: string) => receiver.received.filter((r) => r.headers['statementflow-event'] === event).map((r) => JSON.parse(r.body) as Record<string, unknown>);

  before(async () => {
    [db, { client: temporal }, connection] = await Promise.all([getTestDb(), getDevServer(), getDevServerNativeConnection()]);
    await receiver.start();
  });
  after(() => receiver.stop());
  beforeEach(async () => {
    receiver.received.splice(0);
    await truncateAll(db);
  });

  it('sends batch.completed once when the file that failed to start was the batch\'s last open one', async () => {
    const config = testConfig({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
    const box = createSecretBox(config.fileSecretKey);
    const hookId = randomUUID();
    await insertWebhook(
      db,
      { id: hookId, userId: 'alice', url: receiver.url('/hook'), secretSealed: box.seal('webhook-secret', hookId, 'hook-secret-0123456789'), events: ['task.succeeded', 'batch.completed'] },
      10,
    );
    // The first file was parsed before: its task is answered at once, and ends at once.
    const earlier = await seedSession(db, 'alice', [], { file_sha256: createHash('sha256').update(PDF(1)).digest('hex') });
    const api = await startTestApi({ config, db, temporal: refusingParses(temporal) });
    try {
      const webhooks = createWebhookActivities({ db, config, retry: { initialIntervalMs: 50, maximumIntervalMs: 200, totalMs: 60_000 } });
      await runWithWorkers({ connection, db, config, queues: ['pdf_processing'], activities: webhooks }, async () => {
        const form = new FormData();
        form.append('file', new Blob([PDF(1)], { type: 'application/pdf' }), 'again.pdf');
        form.append('file', new Blob([PDF(2)], { type: 'application/pdf' }), 'new.pdf');
        const res = await api.json('/upload_pdf_async', { method: 'POST', token: tokenFor(config, 'alice'), body: form });
        assert.equal(res.status, 202);
        const [again, refused] = res.body.tasks as { task_id?: string; status: string; error?: { code: string } }[];
        assert.equal(again.status, 'submitted');
        assert.deepEqual([refused.status, refused.error?.code], ['rejected', 'TEMPORAL_UNAVAILABLE']);
        const batchId = res.body.batch_id as string;

        const batch = await until(
          () => api.json(`/batches/${batchId}`, { token: tokenFor(config, 'alice') }),
          (r) => r.body.completed_at !== null,
        );
        assert.deepEqual(batch.body.summary, { total: 1, done: 1, failed: 0, running: 0 });
        await temporal.workflow.getHandle(`${batchId}-batch-completed`).result();
        const completed = await until(
          async () => events('batch.completed'),
          (list) => list.length > 0,
        );
        assert.equal(completed.length, 1);
        assert.equal(completed[0].batch_id, batchId);
        assert.deepEqual(completed[0].task_ids, [again.task_id]);
        assert.deepEqual(events('task.succeeded').map((b) => b.task_id), [again.task_id], 'the task\'s own event once');
        assert.equal((await db('sessions').where({ id: earlier }).first()).status, 'READY');
      });
    } finally {
      await api.close();
    }
  });

  it('lets one delivery workflow claim a delivery: another is refused it, the claimer keeps it', async () => {
    const taskId = randomUUID();
    await insertPendingTask(db, { taskId, userId: 'alice', taskName: 'parse_pdf_async', queue: 'pdf_processing', params: {}, idempotencyKey: null });
    const id = randomUUID();
    await insertDeliveries(db, [
      { id, taskId, userId: 'alice', event: 'task.succeeded', eventId: randomUUID(), targetKey: 'callback', webhookId: null, url: 'http://127.0.0.1:1/x', payload: '{}' },
    ]);
    assert.equal(await claimDelivery(db, id, 'task-webhooks'), true);
    assert.equal(await claimDelivery(db, id, 'batch-completed'), false);
    assert.equal(await claimDelivery(db, id, 'task-webhooks'), true, 'its next attempt');
    assert.equal(await claimDelivery(db, randomUUID(), 'task-webhooks'), false, 'no such delivery');
  });
});
