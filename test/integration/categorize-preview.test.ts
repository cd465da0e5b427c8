/**
 * POST /sessions/{id}/categorize/preview: what a rule set would do, answered at once and
 * written nowhere — and what it says is what the categorization then does, row for row.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { ROWS } from '../unit/rules/truth-table';
import { categories, insertRows } from './rules/helpers';

const RULES = {
  rules: [
    { category: 'Groceries', conditions: { field: 'description', op: 'contains', value: 'woolworths' } },
    { category: 'Card', conditions: { field: 'description', op: 'starts_with', value: 'pos' } },
    { category: 'Large', conditions: { field: 'amount', op: 'lt', value: -100 } },
    { category: 'Out', conditions: { field: 'amount', op: 'lt', value: 0 } },
    { category: 'Never', conditions: { field: 'amount', op: 'gt', value: 999_999_999 } },
  ],
};

interface PreviewBody {
  session_id: string;
  only_uncategorized: boolean;
  rows_considered: number;
  unmatched: number;
  total_changes: number;
  rules: { rule_index: number; category: string; matched: number; changes: number; sample: { id: number; category_before: string | null; category_after: string }[] }[];
}

describe('rule preview (HTTP → Postgres, then the run through Temporal)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let sid: string;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig({ PREVIEW_MAX_ROWS: String(ROWS.length) });
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
  });
  after(() => api.close());
  beforeEach(async () => {
    await truncateAll(db);
    sid = randomUUID();
    await db('sessions').insert({ id: sid, user_id: 'alice', status: 'READY', transaction_count: ROWS.length });
    await insertRows(db, sid, ROWS);
  });

  const preview = (body: unknown, query = '', token = alice) =>
    api.json(`/sessions/${sid}/categorize/preview${query}`, { method: 'POST', token, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it('counts and samples per rule exactly the rows the run then changes, and writes nothing itself', async () => {
    const before = await categories(db, sid);
    const res = await preview(RULES, '?sample=2');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const p = res.body as PreviewBody;
    assert.deepEqual(await categories(db, sid), before, 'the preview wrote nothing');
    assert.equal(p.rows_considered, ROWS.length);
    assert.deepEqual(p.rules.map((r) => r.category), RULES.rules.map((r) => r.category));
    assert.equal(p.rules[4].matched, 0);
    assert.ok(p.total_changes > 3, 'the rules change several rows');
    for (const r of p.rules) assert.ok(r.sample.length <= 2 && r.sample.length <= r.changes, `${r.category} sample`);

    const run = await api.json(`/bulk_categorize_async?session_id=${sid}`, { method: 'POST', token: alice, body: JSON.stringify(RULES), headers: { 'content-type': 'application/json' } });
    assert.equal(run.status, 202, JSON.stringify(run.body));
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['bulk_operations'] }, () =>
      env.client.workflow.getHandle(run.body.task_id).result(),
    );
    const after = await categories(db, sid);
    const ids = (await db('transactions').select('id', 'seq').where('session_id', sid)) as { id: string; seq: number }[];
    const seqOf = new Map(ids.map((r) => [Number(r.id), r.seq]));
    // Every rule's category is distinct, so the rows a rule changed are those now holding its category that did not before.
    for (const r of p.rules) {
      const changed = Object.keys(after).filter((seq) => after[Number(seq)] === r.category && before[Number(seq)] !== r.category);
      assert.equal(r.changes, changed.length, `${r.category}: changes`);
      for (const s of r.sample) {
        const seq = seqOf.get(s.id)!;
        assert.equal(s.category_before, before[seq]);
        assert.equal(after[seq], s.category_after, `${r.category}: a sampled row got what the preview said`);
      }
    }
    const result = (await api.json(`/tasks/${run.body.task_id}/result`, { token: alice })).body.result;
    assert.equal(result.rows_changed, p.total_changes);

    // After the run, the same rules would change nothing.
    const again = (await preview(RULES)).body as PreviewBody;
    assert.equal(again.total_changes, 0);
    assert.deepEqual(again.rules.map((r) => r.matched), p.rules.map((r) => r.matched));
  });

  it('with only_uncategorized, considers only rows without a category', async () => {
    const seqs = ROWS.slice(0, 5).map((r) => r.seq);
    await db('transactions').where('session_id', sid).whereIn('seq', seqs).update({ category: 'Kept' });
    const p = (await preview({ ...RULES, only_uncategorized: true })).body as PreviewBody;
    assert.equal(p.only_uncategorized, true);
    const uncategorized = ROWS.filter((r) => r.category === null && !seqs.includes(r.seq)).length;
    assert.equal(p.rows_considered, uncategorized);
    for (const r of p.rules) for (const s of r.sample) assert.equal(s.category_before, null);
  });

  it('previews a session past PREVIEW_MAX_ROWS as a task whose result is the same answer', async () => {
    const atOnce = (await preview(RULES, '?sample=3')).body as PreviewBody;
    await db('sessions').where({ id: sid }).update({ transaction_count: ROWS.length + 1 });
    const big = await preview(RULES, '?sample=3');
    assert.equal(big.status, 202, JSON.stringify(big.body));
    const taskId = big.body.task_id as string;
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['bulk_operations'] }, () => env.client.workflow.getHandle(taskId).result());
    const res = await api.json(`/tasks/${taskId}/result`, { token: alice });
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    assert.deepEqual(res.body.result, atOnce);
    assert.equal((await api.json(`/tasks/${taskId}/status`, { token: alice })).body.task_name, 'preview_categorize_async');
  });

  it('answers another user, a bad body and a session not ready with clear errors', async () => {
    assert.equal((await preview(RULES, '', tokenFor(config, 'mallory'))).status, 404);
    const bad = await preview({ rules: [{ category: 'X', conditions: { field: 'colour', op: 'equals', value: 1 } }] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'INVALID_RULES');
    assert.equal((await preview(RULES, '?sample=51')).status, 400);


    await db('sessions').where({ id: sid }).update({ status: 'PROCESSING', transaction_count: ROWS.length });
    assert.equal((await preview(RULES)).status, 409);
  });
});
