/**
 * batch.completed: the parse that ends a batch books one batch.completed delivery (to the
 * user's webhooks and the task's callback_url) in the same transaction that marks the
 * batch complete, so preparing again (a retried activity) neither repeats nor loses it.
 * The activities run in Temporal's mock activity environment against real Postgres and a
 * real receiver.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWebhookActivities } from '../../activities/webhooks';
import { createBatch } from '../../db/batches';
import { closeTask, insertPendingTask } from '../../db/tasks';
import { insertTaskCallback, insertWebhook } from '../../db/webhooks';
import { createSecretBox } from '../../platform/secret-box';
import { verifySignature, webhookEventId } from '../../domain/webhooks';
import { getTestDb, truncateAll } from '../support/postgres';
import { testConfig } from '../support/fixtures';
import { Receiver } from '../support/webhook-receiver';

describe('webhooks: batch.completed when the last parse of a batch ends', function () {
  this.timeout(60_000);
  let db: Knex;
  const receiver = new Receiver();

  before(async () => {
    db = await getTestDb();
    await receiver.start();
  });
  after(() => receiver.stop());
  beforeEach(() => truncateAll(db));

  it('books batch.completed once, for the task whose end completed the batch, and delivers it signed', async () => {
    const config = testConfig({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
    const box = createSecretBox(config.fileSecretKey);
    const acts = createWebhookActivities({ db, config });
    const [first, last] = [randomUUID(), randomUUID()];
    const batchId = randomUUID();
    await createBatch(db, { batchId, userId: 'alice', taskIds: [first, last], rejected: [] });
    for (const taskId of [first, last]) {
      await insertPendingTask(db, { taskId, userId: 'alice', taskName: 'parse_pdf_async', queue: 'pdf_processing', params: {}, idempotencyKey: null });
    }
    await insertTaskCallback(db, { taskId: last, url: receiver.url('/cb'), secretSealed: box.seal('webhook-secret', last, 'callback-secret-0123456789') });
    const hookId = randomUUID();
    await insertWebhook(db, { id: hookId, userId: 'alice', url: receiver.url('/batches'), secretSealed: box.seal('webhook-secret', hookId, 'hook-secret-0123456789'), events: ['batch.completed'] }, 10);

    const input = (taskId: string) => ({ taskId, userId: 'alice', taskName: 'parse_pdf_async' as const, event: 'task.succeeded' as const });
    await closeTask(db, { taskId: first, status: 'SUCCESS', message: 'Completed', result: { status: 'success' }, resultTtlSeconds: 60 });
    // Asked at the end of a parse of a batch, even with no webhook listening for its own event.
    assert.equal(await acts.taskEndHasListeners(input(first)), true);
    assert.deepEqual((await acts.prepareTaskWebhooks(input(first))).deliveryIds, [], 'the batch still has a task running');

    await closeTask(db, { taskId: last, status: 'FAILED', message: 'Failed', error: { code: 'PDF_ENCRYPTED', message: 'locked' }, resultTtlSeconds: 60 });
    const { deliveryIds } = await acts.prepareTaskWebhooks(input(last));
    const again = await acts.prepareTaskWebhooks(input(last));
    assert.deepEqual(again.deliveryIds, deliveryIds, 'a second prepare books nothing new');
    const booked = await db('webhook_deliveries').where({ task_id: last }).orderBy('event').select('event', 'target_key');
    assert.deepEqual(booked.map((b) => [b.event, b.target_key]), [
      ['batch.completed', 'callback'],
      ['batch.completed', hookId],
      ['task.succeeded', 'callback'],
    ]);
    assert.ok((await db('batches').where({ id: batchId }).first()).completed_at);

    const env = new MockActivityEnvironment();
    for (const deliveryId of deliveryIds) await env.run(acts.deliverWebhook, { deliveryId });
    const batchEvents = receiver.received.filter((r) => JSON.parse(r.body).event === 'batch.completed');
    assert.deepEqual(batchEvents.map((r) => r.path).sort(), ['/batches', '/cb']);
    const body = JSON.parse(batchEvents[0].body);
    assert.equal(body.event_id, webhookEventId(batchId, 'batch.completed'));
    assert.equal(body.batch_id, batchId);
    assert.deepEqual(body.summary, { total: 2, succeeded: 1, failed: 1, cancelled: 0 });
    assert.deepEqual(body.task_ids, [first, last]);
    const toHook = batchEvents.find((r) => r.path === '/batches')!;
    assert.equal(verifySignature(String(toHook.headers['statementflow-signature']), toHook.body, 'hook-secret-0123456789', { nowSeconds: Math.floor(Date.now() / 1000) }), true);
    assert.deepEqual(await db('webhook_deliveries').where({ task_id: last }).pluck('status'), ['delivered', 'delivered', 'delivered']);
    assert.equal(await count('webhook_delivery_attempts'), 3);

    // Retention deletes old task rows: their callback, deliveries and attempts go with them.
    await db('task_status').whereIn('task_id', [first, last]).delete();
    for (const table of ['webhook_deliveries', 'webhook_delivery_attempts', 'task_callbacks']) assert.equal(await count(table), 0, table);
    assert.equal(await count('webhooks'), 1, 'the registered webhook stays');
  });

  const count = async (table: string) => Number((await db(table).count({ n: '*' }))[0].n);
});
