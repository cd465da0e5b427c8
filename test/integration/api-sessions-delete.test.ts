/**
 * DELETE /sessions/{id} over real HTTP, against a real Postgres and the time-skipping
 * Temporal server: the owner's delete takes the session's rows, its upload and its reports
 * (their tasks then say the result is gone) and nothing of any other session; anyone
 * else's or a malformed id answers like a missing one; a task still open on the session
 * answers 409 SESSION_BUSY until the client cancels it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { buildOpenApiDocument } from '../../api/openapi/document';
import type { Config, TaskQueue } from '../../platform/config';
import { FIXTURES, generateStatement } from '../fixtures/statements';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { getTestDb, truncateAll } from '../support/postgres';
import { checkSchema } from '../support/schema-check';
import { getTimeSkippingEnv } from '../support/temporal';
import { runWithWorkers } from '../support/workers';

const RULES = { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }] };
const count = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }))[0].n);

describe('REST API: deleting a session', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let bob: string;
  const doc: Record<string, any> = buildOpenApiDocument({ includeDev: false });

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig({ PDF_PAGES_PER_CHUNK: '2' });
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    bob = tokenFor(config, 'bob');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const workers = <T>(work: () => Promise<T>, queues: TaskQueue[] = ['pdf_processing', 'bulk_operations', 'reports']) =>
    runWithWorkers({ connection: env.nativeConnection, db, config, queues }, work);
  const finish = (taskId: string) => env.client.workflow.getHandle(taskId).result().catch(() => undefined);
  const post = (path: string, body?: unknown) =>
    api.json(path, { method: 'POST', token: alice, ...(body ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const report = async (sessionId: string, type: 'excel' | 'csv') => {
    const rep = await post(`/reports/generate_async?session_id=${sessionId}&report_type=${type}`);
    assert.equal(rep.status, 202, JSON.stringify(rep.body));
    return rep.body.task_id as string;
  };
  const deleteSession = async (sessionId: string, token = alice) => {
    const res = await api.json(`/sessions/${sessionId}`, { method: 'DELETE', token });
    // The answer is the documented one, whichever it is.
    const op = doc.paths['/sessions/{session_id}'].delete;
    const documented = op.responses[String(res.status)];
    assert.ok(documented, `status ${res.status} is documented`);
    const schema = documented.$ref
      ? doc.components.responses[documented.$ref.split('/').pop()].content['application/json'].schema
      : documented.content['application/json'].schema;
    assert.deepEqual(checkSchema(doc, schema, res.body), []);
    return res;
  };

  it('deletes the owner\'s session with its transactions, undo rows, upload and reports, and nothing of another session', async () => {
    const statement = await generateStatement(FIXTURES[0]);
    const form = new FormData();
    form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'statement.pdf');
    const parse = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(parse.status, 202, JSON.stringify(parse.body));
    const other = await seedSession(db, 'alice', generatedRows(10));

    const { sessionId, reportTasks, otherReport } = await workers(async () => {
      await finish(parse.body.task_id);
      const parsed = await api.json(`/tasks/${parse.body.task_id}/result`, { token: alice });
      assert.equal(parsed.body.status, 'SUCCESS', JSON.stringify(parsed.body));
      const id: string = parsed.body.result.session_id;
      const tasks = [await report(id, 'excel'), await report(id, 'csv')];
      const otherTask = await report(other, 'csv');
      for (const t of [...tasks, otherTask]) await finish(t);
      return { sessionId: id, reportTasks: tasks, otherReport: otherTask };
    });
    // Undo rows a categorization keeps while it runs (and a failed restore could leave).
    await db('category_undo').insert({ task_id: randomUUID(), session_id: sessionId, seq: 1, old_category: 'Old' });

    const session = await db('sessions').where({ id: sessionId }).first();
    const reportKeys: string[] = [];
    for (const t of reportTasks) {
      const res = await api.json(`/tasks/${t}/result`, { token: alice });
      assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
      reportKeys.push(res.body.result.file_key);
      assert.equal((await api.request(`/download_file?file_key=${encodeURIComponent(res.body.result.file_key)}`, { token: alice })).status, 200);
    }
    const otherKey = (await api.json(`/tasks/${otherReport}/result`, { token: alice })).body.result.file_key;
    assert.ok(session.file_key, 'the upload is recorded on the session');
    assert.equal(await count(db('stored_files').whereIn('file_key', [session.file_key, ...reportKeys])), 3);
    assert.ok((await count(db('transactions').where({ session_id: sessionId }))) > 0);

    const del = await deleteSession(sessionId);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'Session deleted', session_id: sessionId });

    assert.equal(await count(db('sessions').where({ id: sessionId })), 0);
    assert.equal(await count(db('transactions').where({ session_id: sessionId })), 0);
    assert.equal(await count(db('category_undo').where({ session_id: sessionId })), 0);
    assert.equal(await count(db('stored_files').whereIn('file_key', [session.file_key, ...reportKeys])), 0);
    assert.equal(await count(db('stored_file_chunks').whereIn('file_key', [session.file_key, ...reportKeys])), 0);
    for (const key of reportKeys) {
      const dl = await api.json(`/download_file?file_key=${encodeURIComponent(key)}`, { token: alice });
      assert.equal(dl.status, 404);
    }
    // The report tasks keep their rows, and say their result (the file) is gone.
    for (const t of reportTasks) {
      const status = await api.json(`/tasks/${t}/status`, { token: alice });
      assert.equal(status.body.status, 'SUCCESS');
      const res = await api.json(`/tasks/${t}/result`, { token: alice });
      assert.equal(res.status, 410);
      assert.equal(res.body.error.code, 'RESULT_DELETED');
      assert.equal((await db('task_status').where({ task_id: t }).first()).file_key, null);
    }

    // The other session and its report are untouched.
    assert.equal((await api.json(`/sessions/${other}/transactions`, { token: alice })).body.total, 10);
    assert.equal((await api.request(`/download_file?file_key=${encodeURIComponent(otherKey)}`, { token: alice })).status, 200);
    assert.equal((await api.json(`/tasks/${otherReport}/result`, { token: alice })).status, 200);

    // Gone for good: reading or deleting it again answers 404.
    assert.equal((await api.json(`/sessions/${sessionId}`, { token: alice })).status, 404);
    const again = await deleteSession(sessionId);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'SESSION_NOT_FOUND');
  });

  it('answers someone else\'s, a malformed and a missing id alike (404 SESSION_NOT_FOUND), deleting nothing', async () => {
    const sessionId = await seedSession(db, 'alice', generatedRows(4));
    const answers = [
      await deleteSession(sessionId, bob),
      await deleteSession('not-a-uuid'),
      await deleteSession(randomUUID()),
    ];
    for (const a of answers) {
      assert.equal(a.status, 404);
      assert.deepEqual(a.body, answers[2].body);
    }
    assert.equal(answers[2].body.error.code, 'SESSION_NOT_FOUND');
    assert.equal((await api.json(`/sessions/${sessionId}/transactions`, { token: alice })).body.total, 4);
    // The owner may write the id in capitals, as UUIDs allow.
    const upper = await deleteSession(sessionId.toUpperCase());
    assert.equal(upper.status, 200);
    assert.equal(upper.body.session_id, sessionId);
  });

  it('refuses while a task is open on the session (409 SESSION_BUSY naming it), and deletes once each is cancelled', async () => {
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    const cat = await post(`/bulk_categorize_async?session_id=${sessionId}`, RULES);
    assert.equal(cat.status, 202);
    const rep = await report(sessionId, 'csv');

    const busy = await deleteSession(sessionId);
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'SESSION_BUSY');
    assert.equal(busy.body.error.details.task_id, cat.body.task_id, 'the oldest open task is named');

    // The client cancels what it is told about, and is told about the next one.
    assert.equal((await api.json(`/tasks/${cat.body.task_id}`, { method: 'DELETE', token: alice })).status, 200);
    // Only the categorization's queue: the report must stay open for the next check.
    await workers(() => finish(cat.body.task_id), ['bulk_operations']);
    assert.equal((await api.json(`/tasks/${cat.body.task_id}/status`, { token: alice })).body.status, 'CANCELLED');
    const stillBusy = await deleteSession(sessionId);
    assert.equal(stillBusy.status, 409);
    assert.equal(stillBusy.body.error.details.task_id, rep);
    assert.equal(await count(db('transactions').where({ session_id: sessionId })), 5, 'nothing was deleted');

    assert.equal((await api.json(`/tasks/${rep}`, { method: 'DELETE', token: alice })).status, 200);
    await workers(() => finish(rep), ['reports']);
    assert.equal((await api.json(`/tasks/${rep}/status`, { token: alice })).body.status, 'CANCELLED');
    const del = await deleteSession(sessionId);
    assert.equal(del.status, 200);
    assert.equal(await count(db('sessions').where({ id: sessionId })), 0);
  });

  it('refuses a session whose parse is still open, whatever the session row says', async () => {
    const parseTask = randomUUID();
    const sessionId = await seedSession(db, 'alice', [], { status: 'PARSING', task_id: parseTask });
    await db('task_status').insert({
      task_id: parseTask,
      user_id: 'alice',
      task_name: 'parse_pdf_async',
      queue: 'pdf_processing',
      status: 'PROCESSING',
      params: JSON.stringify({ file_name: 's.pdf' }), // found by the session's task_id alone
    });
    const busy = await deleteSession(sessionId);
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'SESSION_BUSY');
    assert.equal(busy.body.error.details.task_id, parseTask);

    // Once the parse has ended, the session can go whatever state it was left in.
    await db('task_status').where({ task_id: parseTask }).update({ status: 'FAILED' });
    assert.equal((await deleteSession(sessionId)).status, 200);
  });

  it('refuses every statement a running joined report reads, not only its first', async () => {
    const first = await seedSession(db, 'alice', [{ description: 'A', amount: 1 }]);
    const second = await seedSession(db, 'alice', [{ description: 'B', amount: 2 }]);
    const report = randomUUID();
    await db('task_status').insert({
      task_id: report,
      user_id: 'alice',
      task_name: 'generate_report_async',
      queue: 'reports',
      status: 'PROCESSING',
      params: JSON.stringify({ session_id: first, session_ids: [first, second], report_type: 'ofx' }),
    });
    const busy = await deleteSession(second);
    assert.deepEqual([busy.status, busy.body.error.code, busy.body.error.details.task_id], [409, 'SESSION_BUSY', report]);
    await db('task_status').where({ task_id: report }).update({ status: 'SUCCESS' });
    assert.equal((await deleteSession(second)).status, 200);
  });
});
