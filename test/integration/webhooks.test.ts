/**
 * Webhooks end to end on a real Temporal dev server, Postgres and HTTP receiver: a task's
 * end is POSTed, signed, to its callback_url and to its user's registered webhooks, after
 * the task's status is already final; failing receivers are retried (5xx) or given up on
 * (410, private addresses); every attempt is recorded and shown to the task's owner only.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createWebhookActivities } from '../../activities/webhooks';
import type { Resolver } from '../../activities/webhook-http';
import { verifySignature } from '../../domain/webhooks';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { Receiver } from '../support/webhook-receiver';
import { FIXTURES, generateStatement } from '../fixtures/statements';

const RULES = [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }];
const SECRET = 'callback-secret-0123456789';

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks: task callbacks and registered webhooks (dev server + Postgres + HTTP receiver)', function () {
  this.timeout(120_000);
  let db: Knex;
  let temporal: Client;
  let connection: NativeConnection;
  let receiver: Receiver;

  before(async () => {
    [db, { client: temporal }, connection] = await Promise.all([getTestDb(), getDevServer(), getDevServerNativeConnection()]);
  });
  beforeEach(async () => {
    await truncateAll(db);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(() => receiver.stop());

  const settings = (env: Record<string, string> = {}) =>
    testConfig({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', WEBHOOK_TIMEOUT_MS: '3000', WEBHOOKS_MAX_PER_USER: '2', ...env });

  /** Runs `work` with the API and workers up; deliveries retried every 50–200 ms instead of seconds to an hour. */
  async function withStack<T>(config: Config, work: (api: TestApi) => Promise<T>, resolve?: Resolver, queues: ('pdf_processing' | 'bulk_operations' | 'reports')[] = ['pdf_processing', 'bulk_operations', 'reports']): Promise<T> {
    const api = await startTestApi({ config, db, temporal });
    try {
      const webhooks = createWebhookActivities({ db, config, resolve, retry: { initialIntervalMs: 50, maximumIntervalMs: 200, totalMs: 60_000 } });
      return await runWithWorkers({ connection, db, config, queues, activities: webhooks }, () => work(api));
    } finally {
      await api.close();
    }
  }

  const categorize = (api: TestApi, token: string, sessionId: string, extra: Record<string, unknown> = {}) =>
    api.json(`/bulk_categorize_async?session_id=${sessionId}`, {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rules: RULES, ...extra }),
    });
  const ended = (taskId: string) => temporal.workflow.getHandle(taskId).result().catch(() => undefined);
  const deliveriesDone = (taskId: string) => temporal.workflow.getHandle(`${taskId}-webhooks`).result() as Promise<{ delivered: number; failed: number; skipped: number }>;

  it('delivers a signed task.succeeded to callback_url, retrying two 503s: one delivery, three attempts, owner-only', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const bob = tokenFor(config, 'bob');
    const sessionId = await seedSession(db, 'alice', generatedRows(10));
    receiver.plan('/cb', [503, 503]);
    const { taskId, deliveries, bobs } = await withStack(config, async (api) => {
      const sub = await categorize(api, alice, sessionId, { callback_url: receiver.url('/cb'), callback_secret: SECRET });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      const taskId = sub.body.task_id as string;
      await ended(taskId);
      assert.deepEqual(await deliveriesDone(taskId), { delivered: 1, failed: 0, skipped: 0 });
      return {
        taskId,
        deliveries: await api.json(`/tasks/${taskId}/deliveries`, { token: alice }),
        bobs: await api.json(`/tasks/${taskId}/deliveries`, { token: bob }),
      };
    });

    const got = receiver.at('/cb');
    assert.equal(got.length, 3);
    const body = JSON.parse(got[0].body);
    assert.equal(body.event, 'task.succeeded');
    assert.equal(body.task_id, taskId);
    assert.equal(body.task_name, 'bulk_categorize_async');
    assert.equal(body.status, 'SUCCESS');
    assert.equal(body.result.categorized_count, 2);
    assert.match(body.occurred_at, /^\d{4}-\d{2}-\d{2}T/);
    for (const r of got) {
      assert.equal(r.body, got[0].body, 'every attempt sends the same bytes');
      assert.equal(r.headers['idempotency-key'], body.event_id);
      assert.equal(r.headers['statementflow-event-id'], body.event_id);
      const sig = r.headers['statementflow-signature'] as string;
      assert.match(sig, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(verifySignature(sig, r.body, SECRET, { nowSeconds: Math.floor(Date.now() / 1000) }), true);
      assert.equal(verifySignature(sig, r.body, 'not-the-secret-at-all', { nowSeconds: Math.floor(Date.now() / 1000) }), false);
    }

    assert.equal(deliveries.status, 200);
    assert.equal(deliveries.body.deliveries.length, 1);
    const d = deliveries.body.deliveries[0];
    assert.equal(d.status, 'delivered');
    assert.equal(d.target, 'callback');
    assert.equal(d.url, receiver.url('/cb'));
    assert.equal(d.event_id, body.event_id);
    assert.deepEqual(d.attempts.map((a: { attempt: number; status_code: number; outcome: string }) => [a.attempt, a.status_code, a.outcome]), [
      [1, 503, 'retrying'],
      [2, 503, 'retrying'],
      [3, 200, 'delivered'],
    ]);
    assert.equal(d.attempts[2].response_snippet, 'answer to /cb');
    assert.equal(bobs.status, 404);

    // The secret is nowhere in the clear: not in the task's params, its workflow histories, or the sealed column.
    const row = await db('task_status').where({ task_id: taskId }).first();
    assert.ok(!JSON.stringify(row.params).includes('callback'));
    for (const id of [taskId, `${taskId}-webhooks`]) {
      const history = JSON.stringify((await temporal.workflow.getHandle(id).fetchHistory()).events);
      assert.ok(!history.includes(SECRET), `${id}'s history holds the secret`);
      assert.ok(!history.includes('/cb'), `${id}'s history holds the URL`);
    }
    const stored = await db('task_callbacks').where({ task_id: taskId }).first();
    assert.ok(!stored.secret_sealed.includes(Buffer.from(SECRET)));
  });

  it('announces a parsed upload to the callback given in its form fields, signed, the secret kept out of history', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const statement = await generateStatement(FIXTURES[0]);
    const got = await withStack(config, async (api) => {
      const form = new FormData();
      form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'march.pdf');
      form.append('callback_url', receiver.url('/parsed'));
      form.append('callback_secret', SECRET);
      const sub = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      const taskId = sub.body.task_id as string;
      await ended(taskId);
      assert.deepEqual(await deliveriesDone(taskId), { delivered: 1, failed: 0, skipped: 0 });
      return { taskId, history: JSON.stringify((await temporal.workflow.getHandle(taskId).fetchHistory()).events) };
    });
    const [delivery] = receiver.at('/parsed');
    const body = JSON.parse(delivery.body);
    assert.deepEqual([body.event, body.task_id, body.task_name, body.status], ['task.succeeded', got.taskId, 'parse_pdf_async', 'SUCCESS']);
    assert.equal(body.result.transaction_count, statement.truth.transactions.length);
    assert.equal(verifySignature(delivery.headers['statementflow-signature'] as string, delivery.body, SECRET, { nowSeconds: Math.floor(Date.now() / 1000) }), true);
    assert.ok(!got.history.includes(SECRET));
    const row = await db('task_status').where({ task_id: got.taskId }).first();
    assert.ok(!JSON.stringify(row).includes(SECRET), 'not in the task row (params, idempotency hash)');
  });

  it('announces the ends no workflow of their own writes: an upload answered as a duplicate, a task terminated from outside', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const statement = await generateStatement(FIXTURES[0]);
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    await withStack(config, async (api) => {
      const upload = async (callback: string) => {
        const form = new FormData();
        form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'march.pdf');
        form.append('callback_url', receiver.url(callback));
        const sub = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
        assert.equal(sub.status, 202, JSON.stringify(sub.body));
        return sub.body.task_id as string;
      };
      const first = await upload('/first');
      await ended(first);
      await deliveriesDone(first);
      // The same file again: answered at once, and still announced.
      const again = await upload('/again');
      assert.deepEqual(await deliveriesDone(again), { delivered: 1, failed: 0, skipped: 0 });
      const body = JSON.parse(receiver.at('/again')[0].body);
      assert.deepEqual([body.event, body.task_id, body.status], ['task.succeeded', again, 'SUCCESS']);
      assert.ok(body.result.duplicate_of, 'the announced result names the session it duplicates');

      // A batch whose only task is such a duplicate completes, and says so, at once.
      const form = new FormData();
      form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'march.pdf');
      form.append('file', new Blob(['not a statement'], { type: 'text/plain' }), 'notes.txt');
      form.append('callback_url', receiver.url('/batch'));
      const batch = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
      assert.equal(batch.status, 202, JSON.stringify(batch.body));
      const [task] = (batch.body.tasks as { task_id?: string }[]).filter((t) => t.task_id);
      await deliveriesDone(task.task_id!);
      const events = receiver.at('/batch').map((r) => JSON.parse(r.body));
      const completed = events.find((e) => e.event === 'batch.completed');
      assert.ok(completed, JSON.stringify(events.map((e) => e.event)));
      assert.deepEqual([completed.batch_id, completed.summary.total, completed.summary.succeeded], [batch.body.batch_id, 1, 1]);
    });

    // No worker takes reports yet: the task waits and is terminated from outside.
    const reportId = await withStack(config, async (api) => {
      const cb = encodeURIComponent(receiver.url('/stopped'));
      const report = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=csv&callback_url=${cb}`, { method: 'POST', token: alice });
      assert.equal(report.status, 202, JSON.stringify(report.body));
      await temporal.workflow.getHandle(report.body.task_id).terminate('stopped by an operator in this test');
      return report.body.task_id as string;
    }, undefined, ['pdf_processing']);
    // A status read settles the row and announces the end its workflow never wrote.
    await withStack(config, async (api) => {
      await until(() => api.json(`/tasks/${reportId}/status`, { token: alice }), (r) => r.body.status === 'FAILED');
      assert.deepEqual(await deliveriesDone(reportId), { delivered: 1, failed: 0, skipped: 0 });
    }, undefined, ['reports']);
    const stopped = JSON.parse(receiver.at('/stopped')[0].body);
    assert.deepEqual([stopped.event, stopped.task_id, stopped.error.code], ['task.failed', reportId, 'TERMINATED']);
  });

  it('gives up after one attempt on a 410, from a callback given in the query string', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    receiver.answer('/gone', () => 410);
    const deliveries = await withStack(config, async (api) => {
      const cb = encodeURIComponent(receiver.url('/gone'));
      const sub = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=csv&callback_url=${cb}`, { method: 'POST', token: alice });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      await ended(sub.body.task_id);
      assert.deepEqual(await deliveriesDone(sub.body.task_id), { delivered: 0, failed: 1, skipped: 0 });
      return api.json(`/tasks/${sub.body.task_id}/deliveries`, { token: alice });
    });
    assert.equal(receiver.at('/gone').length, 1);
    assert.equal(receiver.at('/gone')[0].headers['statementflow-signature'], undefined, 'no secret, no signature');
    const d = deliveries.body.deliveries[0];
    assert.equal(d.status, 'failed');
    assert.deepEqual(d.attempts.map((a: { status_code: number; outcome: string }) => [a.status_code, a.outcome]), [[410, 'failed']]);
  });

  it('reads SUCCESS while its receiver is still failing, then delivers once the receiver recovers', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    let down = true;
    receiver.answer('/flaky', () => (down ? 503 : 200));
    await withStack(config, async (api) => {
      const sub = await categorize(api, alice, sessionId, { callback_url: receiver.url('/flaky') });
      const taskId = sub.body.task_id as string;
      await ended(taskId);
      const failing = await until(() => api.json(`/tasks/${taskId}/deliveries`, { token: alice }), (r) =>
        (r.body.deliveries[0]?.attempt_count ?? 0) >= 2,
      );
      assert.equal(failing.body.deliveries[0].status, 'pending');
      const status = await api.json(`/tasks/${taskId}/status`, { token: alice });
      assert.equal(status.body.status, 'SUCCESS');
      assert.equal(status.body.progress_percent, 100);
      down = false;
      assert.deepEqual(await deliveriesDone(taskId), { delivered: 1, failed: 0, skipped: 0 });
    });
    assert.ok(receiver.at('/flaky').length >= 3);
  });

  it('announces a task cancelled before it ran as task.cancelled, with its error', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    const api = await startTestApi({ config, db, temporal });
    let taskId: string;
    try {
      // Cancelled while no worker polls: the workflow starts already cancelled.
      const sub = await categorize(api, alice, sessionId, { callback_url: receiver.url('/cancelled'), callback_secret: SECRET });
      taskId = sub.body.task_id;
      assert.equal((await api.json(`/tasks/${taskId}`, { method: 'DELETE', token: alice })).body.message, 'Task cancelled');
    } finally {
      await api.close();
    }
    await withStack(config, async () => {
      await ended(taskId);
      assert.deepEqual(await deliveriesDone(taskId), { delivered: 1, failed: 0, skipped: 0 });
    });
    const [hit] = receiver.at('/cancelled');
    const body = JSON.parse(hit.body);
    assert.equal(body.event, 'task.cancelled');
    assert.equal(body.status, 'CANCELLED');
    assert.deepEqual(body.error, { code: 'CANCELLED', message: 'The task was cancelled' });
    assert.equal('result' in body, false);
    assert.equal(verifySignature(hit.headers['statementflow-signature'] as string, hit.body, SECRET, { nowSeconds: Math.floor(Date.now() / 1000) }), true);
  });

  it('registers webhooks per user (secret shown once, limit, owner only) and delivers only the events each subscribed to', async () => {
    const config = settings();
    const alice = tokenFor(config, 'alice');
    const bob = tokenFor(config, 'bob');
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    const json = { 'Content-Type': 'application/json' };
    const { all, failedOnly, taskId } = await withStack(config, async (api) => {
      const create = (token: string, body: unknown) => api.json('/webhooks', { method: 'POST', token, headers: json, body: JSON.stringify(body) });
      const all = await create(alice, { url: receiver.url('/all') });
      assert.equal(all.status, 201, JSON.stringify(all.body));
      assert.match(all.body.secret, /^whsec_/);
      assert.deepEqual(all.body.events, ['task.succeeded', 'task.failed', 'task.cancelled', 'batch.completed']);
      const failedOnly = await create(alice, { url: receiver.url('/failed'), secret: 'my-own-secret-0123456', events: ['task.failed'] });
      assert.equal(failedOnly.status, 201);
      assert.equal(failedOnly.body.secret, undefined, 'a given secret is never echoed');
      assert.equal((await create(alice, { url: receiver.url('/third') })).body.error.code, 'TOO_MANY_WEBHOOKS');
      assert.equal((await create(bob, { url: 'ftp://example.com/' })).body.error.code, 'BAD_WEBHOOK_URL');
      assert.equal((await create(bob, { url: receiver.url('/b'), events: ['task.exploded'] })).body.error.code, 'BAD_WEBHOOK_EVENTS');
      assert.equal((await create(bob, { url: receiver.url('/b'), secret: 'short' })).body.error.code, 'BAD_WEBHOOK_SECRET');

      const list = await api.json('/webhooks', { token: alice });
      assert.deepEqual(list.body.webhooks.map((w: { id: string }) => w.id), [all.body.id, failedOnly.body.id]);
      assert.ok(!JSON.stringify(list.body).includes('secret'));
      assert.equal((await api.json(`/webhooks/${all.body.id}`, { token: alice })).body.url, receiver.url('/all'));
      assert.deepEqual((await api.json('/webhooks', { token: bob })).body.webhooks, []);
      assert.equal((await api.json(`/webhooks/${all.body.id}`, { token: bob })).status, 404);
      assert.equal((await api.json(`/webhooks/${all.body.id}`, { method: 'DELETE', token: bob })).status, 404);
      assert.equal((await api.json('/webhooks/not-a-uuid', { token: alice })).status, 404);

      const sub = await categorize(api, alice, sessionId);
      const taskId = sub.body.task_id as string;
      await ended(taskId);
      assert.deepEqual(await deliveriesDone(taskId), { delivered: 1, failed: 0, skipped: 0 });
      const deliveries = await api.json(`/tasks/${taskId}/deliveries`, { token: alice });
      assert.deepEqual(deliveries.body.deliveries.map((d: { target: string; webhook_id: string }) => [d.target, d.webhook_id]), [['webhook', all.body.id]]);

      assert.equal((await api.json(`/webhooks/${failedOnly.body.id}`, { method: 'DELETE', token: alice })).status, 200);
      assert.equal((await api.json(`/webhooks/${failedOnly.body.id}`, { token: alice })).status, 404);
      return { all: all.body, failedOnly: failedOnly.body, taskId };
    });
    assert.equal(receiver.at('/failed').length, 0);
    const [hit] = receiver.at('/all');
    assert.equal(JSON.parse(hit.body).task_id, taskId);
    assert.equal(verifySignature(hit.headers['statementflow-signature'] as string, hit.body, all.secret, { nowSeconds: Math.floor(Date.now() / 1000) }), true);
    assert.ok(failedOnly.id);
  });

  it('refuses private addresses when they are not allowed: at submission, and at delivery for a name that resolves to one', async () => {
    const config = settings({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false' });
    const alice = tokenFor(config, 'alice');
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    // The made-up name resolves to the receiver's loopback address: the guard must refuse it.
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const deliveries = await withStack(
      config,
      async (api) => {
        for (const url of [receiver.url('/cb'), `https://127.0.0.1:${receiver.port}/cb`, `https://[::ffff:169.254.169.254]/latest`]) {
          const refused = await categorize(api, alice, sessionId, { callback_url: url });
          assert.equal(refused.status, 400, url);
          assert.equal(refused.body.error.code, 'BAD_CALLBACK_URL');
        }
        const sub = await categorize(api, alice, sessionId, { callback_url: `https://hooks.example.test:${receiver.port}/cb` });
        assert.equal(sub.status, 202, JSON.stringify(sub.body));
        await ended(sub.body.task_id);
        assert.deepEqual(await deliveriesDone(sub.body.task_id), { delivered: 0, failed: 1, skipped: 0 });
        return api.json(`/tasks/${sub.body.task_id}/deliveries`, { token: alice });
      },
      resolve,
    );
    assert.equal(receiver.received.length, 0);
    const [d] = deliveries.body.deliveries;
    assert.equal(d.status, 'failed');
    assert.deepEqual(d.attempts.map((a: { error_kind: string; status_code: null; outcome: string }) => [a.error_kind, a.status_code, a.outcome]), [
      ['private_address', null, 'failed'],
    ]);
  });
});
