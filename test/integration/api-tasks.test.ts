/**
 * The REST contract over real HTTP, against a real Postgres and a real Temporal server
 * (time-skipping): the Celery service's JSON shapes, every error body, isolation between users,
 * Idempotency-Key, result expiry and deletion, cancellation.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import jwt from 'jsonwebtoken';
import { createActivities } from '../../activities';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv, getWorkflowBundle } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

const RULES = { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }] };

describe('REST API: tasks, errors and isolation', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let bob: string;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig({ MAX_JSON_BYTES: '2048', MAX_UPLOAD_BYTES: '4096', CORS_ORIGINS: 'https://app.example' });
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    bob = tokenFor(config, 'bob');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  async function worker(cfg: Config = config) {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bulk_operations',
      workflowBundle: await getWorkflowBundle(),
      activities: createActivities({ db, config: cfg }),
    });
  }

  const categorize = (sessionId: string, token: string, body: unknown = RULES, headers: Record<string, string> = {}) =>
    api.json(`/bulk_categorize_async?session_id=${sessionId}`, {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('authentication', () => {
    it('answers 401 with the JSON error shape for a missing, forged, expired or subject-less token', async () => {
      const forged = tokenFor(testConfig({ JWT_SECRET: 'another-secret-0123456789' }), 'alice');
      const expired = tokenFor(config, 'alice', -10);
      const noSub = jwt.sign({ name: 'x' }, config.jwtSecret, { algorithm: 'HS256' });
      const noExpiry = jwt.sign({ sub: 'alice' }, config.jwtSecret, { algorithm: 'HS256' });
      for (const token of [null, forged, expired, noSub, noExpiry, 'not-a-jwt']) {
        const res = await api.json('/tasks', { token });
        assert.equal(res.status, 401, `token ${token}`);
        assert.equal(res.body.error.code, 'UNAUTHORIZED');
        assert.equal(typeof res.body.error.message, 'string');
      }
    });

    it('mints development tokens for people only, never for the service\'s own tasks', async () => {
      const json = { 'Content-Type': 'application/json' };
      const ok = await api.json('/dev/token', { method: 'POST', headers: json, body: JSON.stringify({ user_id: 'carol' }) });
      assert.equal(ok.status, 200);
      const system = await api.json('/dev/token', { method: 'POST', headers: json, body: JSON.stringify({ user_id: 'system' }) });
      assert.equal(system.status, 400);
      assert.equal(system.body.error.code, 'BAD_USER_ID');
    });

    it('marks every answer, errors included, not to be stored or sniffed', async () => {
      for (const token of [tokenFor(config, 'alice'), null]) {
        const res = await api.json('/tasks', { token });
        assert.equal(res.status, token ? 200 : 401);
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      }
    });

    it('leaves /healthz public and reports both dependencies', async () => {
      const res = await api.json('/healthz');
      assert.equal(res.status, 200);
      assert.equal(res.body.checks.postgres.ok, true);
      assert.equal(res.body.checks.temporal.ok, true);
    });

    it('answers 503 from /healthz when Temporal does not answer', async () => {
      const dead = new Client({ connection: await Connection.lazy({ address: '127.0.0.1:1' }) });
      const broken = await startTestApi({ config, db, temporal: dead });
      try {
        const res = await broken.json('/healthz');
        assert.equal(res.status, 503);
        assert.equal(res.body.checks.postgres.ok, true);
        assert.equal(res.body.checks.temporal.ok, false);
        // Which dependency is down, never why: the error names addresses.
        assert.deepEqual(Object.keys(res.body.checks.temporal).sort(), ['latency_ms', 'ok']);
        assert.ok(!JSON.stringify(res.body).includes('127.0.0.1'), JSON.stringify(res.body));
      } finally {
        await broken.close();
      }
    });
  });

  describe('request validation', () => {
    it('answers malformed JSON with 400 and an oversized body with 413', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const bad = await categorize(sessionId, alice, '{"rules": [');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'MALFORMED_JSON');
      const big = await categorize(sessionId, alice, { rules: [{ category: 'x'.repeat(5000), conditions: {} }] });
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses invalid rules with 422 naming the rule, before any task exists', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const res = await categorize(sessionId, alice, { rules: [RULES.rules[0], { category: 'X', conditions: { field: 'nope', op: 'contains', value: 1 } }] });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'INVALID_RULES');
      assert.ok(res.body.error.details.some((d: { rule_index: number }) => d.rule_index === 1));
      assert.equal(Number((await db('task_status').count({ n: '*' }))[0].n), 0);
    });

    it('answers a bad session_id with 400, and another user\'s session with 404', async () => {
      const res = await categorize('not-a-uuid', alice);
      assert.equal(res.status, 400);
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const other = await categorize(sessionId, bob);
      assert.equal(other.status, 404);
      assert.equal(other.body.error.code, 'SESSION_NOT_FOUND');
      const missing = await categorize(randomUUID(), bob);
      assert.deepEqual(other.body, missing.body);
    });

    it('answers an unknown report type with 422', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const res = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=pdf`, { method: 'POST', token: alice });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'UNSUPPORTED_REPORT_TYPE');
    });

    it('answers an unknown route with a JSON 404', async () => {
      const res = await api.json('/no/such/route', { token: alice });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });
  });

  describe('the task lifecycle over HTTP', () => {
    it('submits (202), shows PENDING, refuses the result with 409, and isolates users on every endpoint', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(20));
      const sub = await categorize(sessionId, alice);
      assert.equal(sub.status, 202);
      assert.equal(sub.body.status, 'submitted');
      assert.match(sub.body.task_id, /^[0-9a-f-]{36}$/);
      assert.match(sub.body.message, /GET \/tasks\/\{task_id\}\/status/);
      const id = sub.body.task_id;

      const status = await api.json(`/tasks/${id}/status`, { token: alice });
      assert.equal(status.status, 200);
      assert.deepEqual(Object.keys(status.body).slice(0, 7), [
        'task_id', 'task_name', 'status', 'progress_percent', 'progress_message', 'created_at', 'updated_at',
      ]);
      assert.equal(status.body.task_name, 'bulk_categorize_async');
      assert.equal(status.body.status, 'PENDING');

      const early = await api.json(`/tasks/${id}/result`, { token: alice });
      assert.equal(early.status, 409);
      assert.equal(early.body.error.code, 'TASK_NOT_FINISHED');

      for (const [method, path] of [['GET', `/tasks/${id}/status`], ['GET', `/tasks/${id}/result`], ['DELETE', `/tasks/${id}`]]) {
        const res = await api.json(path, { method, token: bob });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.error.code, 'TASK_NOT_FOUND');
      }
      const list = await api.json('/tasks', { token: bob });
      assert.equal(list.body.total, 0);
      await env.client.workflow.getHandle(id).terminate('test done');
    });

    it('returns the same task for a repeated Idempotency-Key, and a new one for another key', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(5));
      const other = await seedSession(db, 'alice', generatedRows(5));
      const a = await categorize(sessionId, alice, RULES, { 'Idempotency-Key': 'k-1' });
      const b = await categorize(sessionId, alice, RULES, { 'Idempotency-Key': 'k-1' });
      const c = await categorize(other, alice, RULES, { 'Idempotency-Key': 'k-2' });
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      assert.equal(a.body.task_id, b.body.task_id);
      assert.notEqual(a.body.task_id, c.body.task_id);
      assert.equal(Number((await db('task_status').count({ n: '*' }))[0].n), 2);
      const bad = await categorize(sessionId, alice, RULES, { 'Idempotency-Key': 'x'.repeat(300) });
      assert.equal(bad.status, 400);
      for (const id of [a.body.task_id, c.body.task_id]) await env.client.workflow.getHandle(id).terminate('test done');
    });

    it('runs to SUCCESS, serves the result and the categories, then deletes the result', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(10));
      const sub = await categorize(sessionId, alice);
      const w = await worker();
      await w.runUntil(env.client.workflow.getHandle(sub.body.task_id).result());

      const status = await api.json(`/tasks/${sub.body.task_id}/status`, { token: alice });
      assert.equal(status.body.status, 'SUCCESS');
      assert.equal(status.body.progress_percent, 100);
      const result = await api.json(`/tasks/${sub.body.task_id}/result`, { token: alice });
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, {
        task_id: sub.body.task_id,
        status: 'SUCCESS',
        result: {
          status: 'success',
          session_id: sessionId,
          categorized_count: 2,
          uncategorized_count: 8,
          by_category: { Salary: 2 },
          rows_changed: 2,
        },
      });
      const txns = await api.json(`/sessions/${sessionId}/transactions?limit=5`, { token: alice });
      assert.equal(txns.body.total, 10);
      assert.equal(txns.body.transactions.length, 5);
      assert.equal(txns.body.transactions[0].category, 'Salary');
      assert.equal(typeof txns.body.transactions[0].amount, 'number');
      assert.equal((await api.json(`/sessions/${sessionId}/transactions`, { token: bob })).status, 404);

      const del = await api.json(`/tasks/${sub.body.task_id}`, { method: 'DELETE', token: alice });
      assert.deepEqual(del.body, { message: 'Task result deleted' });
      const gone = await api.json(`/tasks/${sub.body.task_id}/result`, { token: alice });
      assert.equal(gone.status, 410);
      assert.equal(gone.body.error.code, 'RESULT_DELETED');
    });

    it('answers 410 RESULT_EXPIRED once the result time is up', async () => {
      const short = testConfig({ RESULT_TTL_SECONDS: '1' });
      const shortApi = await startTestApi({ config: short, db, temporal: env.client });
      try {
        const sessionId = await seedSession(db, 'alice', generatedRows(3));
        const sub = await shortApi.json(`/bulk_categorize_async?session_id=${sessionId}`, {
          method: 'POST', token: alice, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(RULES),
        });
        const w = await worker(short);
        await w.runUntil(env.client.workflow.getHandle(sub.body.task_id).result());
        assert.equal((await shortApi.json(`/tasks/${sub.body.task_id}/result`, { token: alice })).status, 200);
        await new Promise((r) => setTimeout(r, 1200));
        const res = await shortApi.json(`/tasks/${sub.body.task_id}/result`, { token: alice });
        assert.equal(res.status, 410);
        assert.equal(res.body.error.code, 'RESULT_EXPIRED');
      } finally {
        await shortApi.close();
      }
    });

    it('cancels a task that has not finished: "Task cancelled", then CANCELLED with a reason', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(5));
      const sub = await categorize(sessionId, alice);
      const del = await api.json(`/tasks/${sub.body.task_id}`, { method: 'DELETE', token: alice });
      assert.deepEqual(del.body, { message: 'Task cancelled' });
      const w = await worker();
      await w.runUntil(env.client.workflow.getHandle(sub.body.task_id).result().catch(() => undefined));
      const status = await api.json(`/tasks/${sub.body.task_id}/status`, { token: alice });
      assert.equal(status.body.status, 'CANCELLED');
      assert.equal(status.body.error.code, 'CANCELLED');
      const result = await api.json(`/tasks/${sub.body.task_id}/result`, { token: alice });
      assert.equal(result.body.status, 'CANCELLED');
      assert.equal(result.body.error.code, 'CANCELLED');
    });

    it('answers 503 and records FAILED when Temporal refuses the start: no row is left waiting', async () => {
      // A Temporal frontend that does not answer: the start fails after its own deadline.
      const unreachable = new Client({ connection: await Connection.lazy({ address: '127.0.0.1:1' }) });
      const broken = await startTestApi({ config, db, temporal: unreachable });
      try {
        const sessionId = await seedSession(db, 'alice', generatedRows(3));
        const res = await broken.json(`/bulk_categorize_async?session_id=${sessionId}`, {
          method: 'POST', token: alice, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(RULES),
        });
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'TEMPORAL_UNAVAILABLE');
        const rows = await db('task_status').select('status', 'error');
        assert.equal(rows.length, 1);
        assert.equal(rows[0].status, 'FAILED');
        assert.equal(rows[0].error.code, 'SUBMISSION_FAILED');
      } finally {
        await broken.close();
      }
    });

    it('refuses a second categorization of a session while one runs (409 SESSION_BUSY)', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const first = await categorize(sessionId, alice);
      const second = await categorize(sessionId, alice);
      assert.equal(second.status, 409);
      assert.equal(second.body.error.code, 'SESSION_BUSY');
      assert.equal(second.body.error.details.task_id, first.body.task_id);
      await env.client.workflow.getHandle(first.body.task_id).terminate('test done');
    });

    it('loses no submission in a flood of concurrent requests', async () => {
      const sessions = await Promise.all(Array.from({ length: 60 }, () => seedSession(db, 'alice', generatedRows(2))));
      const answers = await Promise.all(sessions.map((s) => categorize(s, alice)));
      assert.deepEqual(answers.map((a) => a.status), Array(60).fill(202));
      const ids = new Set(answers.map((a) => a.body.task_id));
      assert.equal(ids.size, 60);
      const rows = await db('task_status').whereIn('task_id', [...ids]).select('task_id', 'status');
      assert.equal(rows.length, 60);
      for (const id of ids) {
        const d = await env.client.workflow.getHandle(id).describe();
        assert.equal(d.status.name, 'RUNNING');
        await env.client.workflow.getHandle(id).terminate('test done');
      }
    });

    it('lists the caller\'s tasks newest first, filtered and paginated', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await categorize(await seedSession(db, 'alice', generatedRows(3)), alice)).body.task_id);
      const page = await api.json('/tasks?limit=2&task_name=bulk_categorize_async&status=PENDING', { token: alice });
      assert.equal(page.body.total, 3);
      assert.deepEqual(page.body.tasks.map((t: { task_id: string }) => t.task_id), [ids[2], ids[1]]);
      const bad = await api.json('/tasks?status=DONE', { token: alice });
      assert.equal(bad.status, 400);
      for (const id of ids) await env.client.workflow.getHandle(id).terminate('test done');
    });
  });

  describe('CORS', () => {
    it('allows the configured origin, even on a 401, and no other', async () => {
      const ok = await api.request('/tasks', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
      const denied = await api.request('/tasks', { headers: { Origin: 'https://evil.example' } });
      assert.equal(denied.headers.get('access-control-allow-origin'), null);
      const unauth = await api.request('/tasks', { headers: { Origin: 'https://app.example' } });
      assert.equal(unauth.status, 401);
      assert.equal(unauth.headers.get('access-control-allow-origin'), 'https://app.example');
    });
  });
});
