/**
 * What the submission path guarantees when requests collide or a start goes wrong, over
 * real HTTP against a real Postgres and real Temporal servers:
 *  - one categorization per session, enforced by the database even for simultaneous requests;
 *  - an Idempotency-Key answers only the request it was first used for;
 *  - a start the task engine may or may not have accepted leaves the task PENDING (and its
 *    upload in place) for the pending sweep to settle; only a definite refusal fails it.
 */
import assert from 'node:assert/strict';
import { Client, ServiceError, type WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { LOST_AFTER_MS, sweepPendingTasks } from '../../platform/task-reconcile';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getTimeSkippingEnv } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

const RULES = { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }] };
const OTHER_RULES = { rules: [{ category: 'Fuel', conditions: { field: 'description', op: 'contains', value: 'ENGEN' } }] };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');

/** An error shaped as @temporalio/client throws it for a failed gRPC call with this status code. */
function grpcFailure(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to start Workflow', { cause });
}

/** A client whose start requests reach the server, but whose answer is lost on the way back. */
function answerLostClient(env: TestWorkflowEnvironment): Client {
  const interceptor: WorkflowClientInterceptor = {
    async start(input, next) {
      await next(input);
      throw grpcFailure(4, 'Deadline exceeded'); // DEADLINE_EXCEEDED
    },
  };
  return new Client({ connection: env.connection, namespace: env.namespace, interceptors: { workflow: [interceptor] } });
}

/** A client whose start requests time out before the server ever sees them. */
function requestLostClient(env: TestWorkflowEnvironment): Client {
  const interceptor: WorkflowClientInterceptor = {
    async start() {
      throw grpcFailure(14, 'Connection dropped'); // UNAVAILABLE, after the request was written
    },
  };
  return new Client({ connection: env.connection, namespace: env.namespace, interceptors: { workflow: [interceptor] } });
}

describe('submission guards: busy sessions, idempotency keys, unconfirmed starts', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
  });
  after(() => api?.close());
  beforeEach(() => truncateAll(db));

  const categorize = (target: TestApi, sessionId: string, body: unknown = RULES, headers: Record<string, string> = {}) =>
    target.json(`/bulk_categorize_async?session_id=${sessionId}`, {
      method: 'POST',
      token: alice,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const report = (target: TestApi, sessionId: string, headers: Record<string, string> = {}) =>
    target.json(`/reports/generate_async?session_id=${sessionId}&report_type=csv`, { method: 'POST', token: alice, headers });
  const upload = (target: TestApi, headers: Record<string, string> = {}, bytes = PDF) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'statement.pdf');
    return target.json('/upload_pdf_async', { method: 'POST', token: alice, headers, body: form });
  };

  /** Terminates the workflows of every task row, so nothing a test started keeps running. */
  async function terminateAll(client: Client = env.client): Promise<void> {
    for (const { task_id } of await db('task_status').select('task_id')) {
      await client.workflow.getHandle(task_id).terminate('test done').catch(() => undefined);
    }
  }
  afterEach(() => terminateAll());

  describe('one categorization per session', () => {
    it('lets exactly one of two simultaneous requests start, and answers the other 409 SESSION_BUSY naming it', async () => {
      for (let round = 0; round < 15; round++) {
        const sessionId = await seedSession(db, 'alice', generatedRows(2));
        const answers = await Promise.all([categorize(api, sessionId), categorize(api, sessionId)]);
        const statuses = answers.map((a) => a.status).sort();
        assert.deepEqual(statuses, [202, 409], `round ${round}: ${JSON.stringify(answers.map((a) => a.body))}`);
        const accepted = answers.find((a) => a.status === 202)!;
        const refused = answers.find((a) => a.status === 409)!;
        assert.equal(refused.body.error.code, 'SESSION_BUSY');
        assert.equal(refused.body.error.details.task_id, accepted.body.task_id);
        const rows = await db('task_status').whereRaw(`params->>'session_id' = ?`, [sessionId]).select('task_id');
        assert.deepEqual(rows.map((r) => r.task_id), [accepted.body.task_id]);
      }
    });

    it('answers simultaneous replays of one Idempotency-Key with the same task, never 409', async () => {
      for (let round = 0; round < 10; round++) {
        const sessionId = await seedSession(db, 'alice', generatedRows(2));
        const key = { 'Idempotency-Key': `busy-replay-${round}` };
        const answers = await Promise.all([categorize(api, sessionId, RULES, key), categorize(api, sessionId, RULES, key)]);
        assert.deepEqual(answers.map((a) => a.status), [202, 202], `round ${round}: ${JSON.stringify(answers.map((a) => a.body))}`);
        assert.equal(answers[0].body.task_id, answers[1].body.task_id);
      }
    });

    it('accepts a new categorization once the previous one has finished', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(2));
      const first = await categorize(api, sessionId);
      assert.equal(first.status, 202);
      assert.equal((await categorize(api, sessionId)).status, 409);
      const handle = env.client.workflow.getHandle(first.body.task_id);
      await handle.terminate('test: finish the first run');
      // The status read reconciles the terminated workflow: the row closes, the session is free.
      const closed = await api.json(`/tasks/${first.body.task_id}/status`, { token: alice });
      assert.equal(closed.body.status, 'FAILED');
      const next = await categorize(api, sessionId);
      assert.equal(next.status, 202);
      assert.notEqual(next.body.task_id, first.body.task_id);
    });
  });

  describe('Idempotency-Key bound to its request', () => {
    it('answers 422 IDEMPOTENCY_KEY_REUSED when a key comes back on another endpoint, and starts nothing', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const key = { 'Idempotency-Key': 'reused-across-endpoints' };
      const first = await categorize(api, sessionId, RULES, key);
      assert.equal(first.status, 202);
      const other = await report(api, sessionId, key);
      assert.equal(other.status, 422);
      assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual((await db('task_status').select('task_id')).map((r) => r.task_id), [first.body.task_id]);
      // The original request, repeated, still gets its task.
      const again = await categorize(api, sessionId, RULES, key);
      assert.equal(again.status, 202);
      assert.equal(again.body.task_id, first.body.task_id);
    });

    it('answers 422 for the same endpoint with other parameters: another body, another query', async () => {
      const sessionId = await seedSession(db, 'alice', generatedRows(3));
      const otherSession = await seedSession(db, 'alice', generatedRows(3));
      const key = { 'Idempotency-Key': 'reused-with-other-params' };
      assert.equal((await categorize(api, sessionId, RULES, key)).status, 202);
      const otherBody = await categorize(api, sessionId, OTHER_RULES, key);
      assert.equal(otherBody.status, 422);
      assert.equal(otherBody.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      const otherQuery = await categorize(api, otherSession, RULES, key);
      assert.equal(otherQuery.status, 422);
      assert.equal(otherQuery.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      // The same body with its keys in another order is the same request.
      const reordered = { rules: [{ conditions: RULES.rules[0].conditions, category: 'Salary' }] };
      assert.equal((await categorize(api, sessionId, reordered, key)).status, 202);
      assert.equal(Number((await db('task_status').count({ n: '*' }))[0].n), 1);
    });

    it('binds an upload\'s key to the file: the same PDF again gets the task, another file 422, and no stray upload is kept', async () => {
      const key = { 'Idempotency-Key': 'upload-key' };
      const first = await upload(api, key);
      assert.equal(first.status, 202);
      const again = await upload(api, key);
      assert.equal(again.status, 202);
      assert.equal(again.body.task_id, first.body.task_id);
      const otherFile = await upload(api, key, Buffer.concat([PDF, Buffer.from('% another file\n')]));
      assert.equal(otherFile.status, 422);
      assert.equal(otherFile.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      const stored = await db('stored_files').where({ kind: 'upload' }).select('file_key');
      assert.equal(stored.length, 1, 'only the first upload is kept');
      assert.ok(stored[0].file_key.includes(first.body.task_id));
    });
  });

  describe('a start the task engine did not confirm', () => {
    it('answers 503 saying the task may have started, keeps the row PENDING and the upload; the sweep then finds the workflow running', async () => {
      const lossy = answerLostClient(env);
      const broken = await startTestApi({ config, db, temporal: lossy });
      try {
        const res = await upload(broken);
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'TASK_START_UNCONFIRMED');
        assert.match(res.body.error.message, /may have started/);
        const taskId = res.body.error.details.task_id;
        assert.match(taskId, /^[0-9a-f-]{36}$/);
        const row = await db('task_status').where({ task_id: taskId }).first();
        assert.equal(row.status, 'PENDING');
        assert.equal(Number((await db('stored_files').where({ kind: 'upload' }).count({ n: '*' }))[0].n), 1, 'the upload is kept');
        assert.equal((await env.client.workflow.getHandle(taskId).describe()).status.name, 'RUNNING');

        // Long after the lost-start threshold, the sweep sees the workflow and leaves the task to it.
        const swept = await sweepPendingTasks({ db, temporal: env.client, resultTtlSeconds: 60, now: Date.now() + LOST_AFTER_MS + 1000 });
        assert.deepEqual({ confirmed: swept.confirmed, closed: swept.closed }, { confirmed: 1, closed: 0 });
        assert.equal((await db('task_status').where({ task_id: taskId }).first()).status, 'PENDING');
        assert.equal(Number((await db('stored_files').where({ kind: 'upload' }).count({ n: '*' }))[0].n), 1);
      } finally {
        await broken.close();
      }
    });

    it('keeps the session busy while the start is unconfirmed, and the sweep fails a start that never arrived', async () => {
      const lossy = requestLostClient(env);
      const broken = await startTestApi({ config, db, temporal: lossy });
      try {
        const sessionId = await seedSession(db, 'alice', generatedRows(3));
        const res = await categorize(broken, sessionId);
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'TASK_START_UNCONFIRMED');
        assert.match(res.body.error.message, /may have started/);
        const taskId = res.body.error.details.task_id;
        assert.equal((await db('task_status').where({ task_id: taskId }).first()).status, 'PENDING');
        const busy = await categorize(api, sessionId);
        assert.equal(busy.status, 409);
        assert.equal(busy.body.error.details.task_id, taskId);

        // Too young to call lost: untouched.
        const createdAt = new Date((await db('task_status').where({ task_id: taskId }).first()).created_at).getTime();
        const early = await sweepPendingTasks({ db, temporal: env.client, resultTtlSeconds: 60, now: createdAt + LOST_AFTER_MS - 1000 });
        assert.equal(early.scanned, 0);
        assert.equal((await db('task_status').where({ task_id: taskId }).first()).status, 'PENDING');
        // Past the threshold with no workflow: lost, and the session is free again.
        const late = await sweepPendingTasks({ db, temporal: env.client, resultTtlSeconds: 60, now: createdAt + LOST_AFTER_MS + 1000 });
        assert.equal(late.closed, 1);
        const row = await db('task_status').where({ task_id: taskId }).first();
        assert.equal(row.status, 'FAILED');
        assert.equal(row.error.code, 'SUBMISSION_LOST');
        assert.equal((await categorize(api, sessionId)).status, 202);
      } finally {
        await broken.close();
      }
    });

    it('stops a workflow whose start got through only after the sweep had called its task lost', async () => {
      // The start waits (as an overloaded process might) until the sweep has given up on it.
      const late: WorkflowClientInterceptor = {
        async start(input, next) {
          const swept = await sweepPendingTasks({ db, temporal: env.client, resultTtlSeconds: 60, now: Date.now() + LOST_AFTER_MS + 1000 });
          assert.equal(swept.closed, 1);
          return next(input);
        },
      };
      const slow = new Client({ connection: env.connection, namespace: env.namespace, interceptors: { workflow: [late] } });
      const broken = await startTestApi({ config, db, temporal: slow });
      try {
        const res = await upload(broken);
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'TEMPORAL_UNAVAILABLE');
        const row = await db('task_status').first('task_id', 'status', 'error');
        assert.equal(row.status, 'FAILED');
        assert.equal(row.error.code, 'SUBMISSION_LOST');
        assert.equal((await env.client.workflow.getHandle(row.task_id).describe()).status.name, 'TERMINATED');
        assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 0, 'the upload of the stopped task is deleted');
      } finally {
        await broken.close();
      }
    });

    it('fails the task and deletes its upload when the server definitely refuses the start (namespace not found)', async () => {
      const dev = await getDevServer();
      const refusing = new Client({ connection: dev.connection, namespace: 'no-such-namespace' });
      const broken = await startTestApi({ config, db, temporal: refusing });
      try {
        const res = await upload(broken);
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'TEMPORAL_UNAVAILABLE');
        assert.doesNotMatch(res.body.error.message, /may have started/);
        const rows = await db('task_status').select('status', 'error');
        assert.equal(rows.length, 1);
        assert.equal(rows[0].status, 'FAILED');
        assert.equal(rows[0].error.code, 'SUBMISSION_FAILED');
        assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 0, 'the upload is deleted');
      } finally {
        await broken.close();
      }
    });

    it('fails the task when the server answers INVALID_ARGUMENT', async () => {
      // A real refusal from the server: a search attribute it does not know.
      const invalid: WorkflowClientInterceptor = {
        start: (input, next) =>
          next({ ...input, options: { ...input.options, typedSearchAttributes: [{ key: { name: 'NoSuchAttribute', type: 'KEYWORD' }, value: 'x' }] } }),
      };
      const refusing = new Client({ connection: env.connection, namespace: env.namespace, interceptors: { workflow: [invalid] } });
      const broken = await startTestApi({ config, db, temporal: refusing });
      try {
        const sessionId = await seedSession(db, 'alice', generatedRows(3));
        const res = await categorize(broken, sessionId);
        assert.equal(res.status, 503);
        const row = await db('task_status').first('status', 'error');
        assert.equal(row.status, 'FAILED');
        assert.equal(row.error.code, 'SUBMISSION_FAILED');
        // Nothing runs, so the session is free at once.
        assert.equal((await categorize(api, sessionId)).status, 202);
      } finally {
        await broken.close();
      }
    });
  });
});
