/**
 * A statement uploaded twice is not parsed twice: the second task ends SUCCESS at once,
 * naming the session the first made (duplicate_of), with nothing stored again; reparse=true
 * parses it anyway, and that parse's result lists the earlier statement as overlapping.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';

describe('statements uploaded twice (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let statement: GeneratedStatement;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    statement = await generateStatement(FIXTURES.find((s) => s.style.name === 'fnb')!);
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const upload = async (fields: Record<string, string> = {}, token = alice) => {
    const form = new FormData();
    form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'march.pdf');
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.task_id as string;
  };
  const parsed = async (taskId: string) => {
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () => env.client.workflow.getHandle(taskId).result());
    return (await api.json(`/tasks/${taskId}/result`, { token: alice })).body.result;
  };
  const uploadsStored = async () => Number((await db('stored_files').where({ kind: 'upload' }).count<{ n: string }[]>({ n: '*' }))[0].n);

  it('answers the same file again at once with the session it already has, storing and parsing nothing', async () => {
    const first = await parsed(await upload());
    assert.deepEqual(first.overlaps, [], 'the first parse of a statement overlaps nothing');
    const again = await upload();
    // No worker runs here: the task is already done.
    const status = await api.json(`/tasks/${again}/status`, { token: alice });
    assert.deepEqual([status.body.status, status.body.progress_percent], ['SUCCESS', 100]);
    const result = (await api.json(`/tasks/${again}/result`, { token: alice })).body.result;
    assert.equal(result.duplicate_of, first.session_id);
    assert.equal(result.session_id, first.session_id);
    assert.equal(result.transaction_count, statement.truth.transactions.length);
    assert.equal((await api.json('/sessions', { token: alice })).body.sessions.length, 1);
    assert.equal(await uploadsStored(), 1);

    // Another user's copy of the same file is theirs to parse.
    const bob = tokenFor(config, 'bob');
    const theirs = await upload({}, bob);
    assert.equal((await api.json(`/tasks/${theirs}/status`, { token: bob })).body.status, 'PENDING');
    await env.client.workflow.getHandle(theirs).terminate('not needed by this test');
  });

  it('parses it again with reparse=true: a new session, overlapping the first in every row', async () => {
    const first = await parsed(await upload());
    const second = await parsed(await upload({ reparse: 'true' }));
    assert.notEqual(second.session_id, first.session_id);
    assert.equal(second.duplicate_of, undefined);
    assert.deepEqual(second.overlaps, [{ session_id: first.session_id, count: statement.truth.transactions.length }]);
    const bad = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: (() => { const f = new FormData(); f.append('file', new Blob([statement.pdf]), 'x.pdf'); f.append('reparse', 'maybe'); return f; })() });
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'BAD_REPARSE']);
  });
});
