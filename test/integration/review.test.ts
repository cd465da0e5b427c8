/**
 * A statement that does not prove itself is flagged everywhere a client looks: the task's
 * result and status, the session, and a review listing every problem with the row the
 * parser read there; a proven one says so too. Owner only.
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
import { FIXTURES, generateStatement } from '../fixtures/statements';

describe('review of unproven statements (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  async function parse(pdf: Uint8Array): Promise<{ taskId: string; result: Record<string, any> }> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'statement.pdf');
    const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const taskId = res.body.task_id as string;
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () => env.client.workflow.getHandle(taskId).result());
    const result = await api.json(`/tasks/${taskId}/result`, { token: alice });
    assert.equal(result.body.status, 'SUCCESS', JSON.stringify(result.body));
    return { taskId, result: result.body.result };
  }

  it('flags a statement whose balance chain breaks: in the result, the status, the session and its review', async () => {
    const g = await generateStatement({ ...fnb, corruptBalanceAt: 40 });
    const { taskId, result } = await parse(g.pdf);
    assert.equal(result.reconciled, false);
    assert.equal(result.review_required, true);
    assert.ok(result.review.counts.balance_breaks >= 1, JSON.stringify(result.review));
    assert.equal(result.review.problem_count, result.review.problems.length);
    const [first] = result.review.problems;
    assert.deepEqual([first.page, first.line, first.kind], [g.corrupted![0].page, g.corrupted![0].line, 'balance_breaks']);

    const status = await api.json(`/tasks/${taskId}/status`, { token: alice });
    assert.equal(status.body.review_required, true);

    const session = (await api.json(`/sessions/${result.session_id}`, { token: alice })).body;
    assert.deepEqual([session.proven, session.review_required], [false, true]);

    const review = await api.json(`/sessions/${result.session_id}/review`, { token: alice });
    assert.equal(review.status, 200);
    assert.equal(review.body.review_required, true);
    assert.equal(review.body.problems.length, result.review.problem_count);
    const p = review.body.problems[0];
    assert.ok(p.transaction, 'the problem is shown with the row read there');
    const truth = g.truth.transactions.find((t) => t.page === p.page && t.line === p.line)!;
    assert.equal(p.transaction.description, truth.description);
    assert.ok(p.text.length > 0 && p.text.includes(truth.description.split(' ')[0]), p.text);

    assert.equal((await api.json(`/sessions/${result.session_id}/review`, { token: tokenFor(config, 'mallory') })).status, 404);
  });

  it('says a statement that reconciled is proven, with nothing to review', async () => {
    const { taskId, result } = await parse((await generateStatement(fnb)).pdf);
    assert.deepEqual([result.review_required, result.review], [false, null]);
    assert.equal((await api.json(`/tasks/${taskId}/status`, { token: alice })).body.review_required, false);
    const review = (await api.json(`/sessions/${result.session_id}/review`, { token: alice })).body;
    assert.deepEqual([review.proven, review.review_required, review.problems], [true, false, []]);
  });
});
