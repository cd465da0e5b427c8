/**
 * Stable transaction ids through the API: a statement uploaded twice gives the same `fitid`
 * for every row, each unique in the session; the session shows its account masked and
 * keeps only a hash of it; rows written without ids get, from the migration, the ids a
 * parse gives them.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { fillMissingFitids } from '../../migrations/20261201000600_transaction_fitids';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';

describe('stable transaction ids (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let statement: GeneratedStatement;
  const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    statement = await generateStatement(fnb);
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  async function parsed(name: string, again = false): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), name);
    // The same file is not parsed twice unless asked (test/integration/duplicates.test.ts).
    if (again) form.append('reparse', 'true');
    const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const taskId = res.body.task_id as string;
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () => env.client.workflow.getHandle(taskId).result());
    const result = (await api.json(`/tasks/${taskId}/result`, { token: alice })).body.result;
    return result.session_id as string;
  }
  const fitids = async (sessionId: string): Promise<string[]> =>
    ((await api.json(`/sessions/${sessionId}/transactions?limit=10000`, { token: alice })).body.transactions as { fitid: string }[]).map((t) => t.fitid);

  it('gives every row the same id in two parses of one statement, unique in each', async () => {
    const first = await parsed('march.pdf');
    const second = await parsed('march-again.pdf', true);
    const a = await fitids(first);
    assert.equal(a.length, statement.truth.transactions.length);
    for (const id of a) assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(new Set(a).size, a.length, 'unique in the session');
    assert.deepEqual(await fitids(second), a);

    // The account as the statement prints it is shown masked and stored only hashed.
    const session = (await api.json(`/sessions/${first}`, { token: alice })).body;
    assert.equal(session.account, '••••5678');
    const row = await db('sessions').where({ id: first }).first();
    assert.match(row.account_key, /^[0-9a-f]{32}$/);
    const stored = JSON.stringify(await db('sessions').where({ id: first }));
    assert.ok(!stored.includes('62812345678'), 'the account number is not kept in the session row');
  });

  it('fills in ids for rows written without them, exactly as a parse gives them', async () => {
    const sessionId = await parsed('march.pdf');
    const before = await fitids(sessionId);
    await db('transactions').where({ session_id: sessionId }).update({ fitid: null });
    await fillMissingFitids(db);
    assert.deepEqual(await fitids(sessionId), before);
  });
});
