import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { applyRulesToRange, recordCategoryUndo, settleCategoryUndo } from '../../../db/categories';
import { compileRuleSet, validateRuleSet } from '../../../domain/rules';
import { generatedRows, seedSession } from '../../support/fixtures';
import { getTestDb } from '../../support/postgres';

describe('rules: a session the statistics have not seen yet (real Postgres)', function () {
  this.timeout(120_000);
  let db: Knex;
  let big: string;

  before(async () => {
    db = await getTestDb();
    // Statistics taken over one-row statements only, then a long one: the planner thinks
    // it holds about one row.
    for (let i = 0; i < 300; i++) await seedSession(db, 'u1', generatedRows(1));
    await db.raw('analyze transactions');
    big = await seedSession(db, 'u1', generatedRows(6000));
  });

  it('applies the rules to it as quickly as to any other (one evaluation per row, not one per pair of rows)', async () => {
    const compiled = compileRuleSet(validateRuleSet({ rules: [{ category: 'Out', conditions: { field: 'amount', op: 'lt', value: 0 } }] }, { maxRules: 500 }));
    // Evaluated once per pair of rows, 6,000 rows take tens of seconds; once per row, milliseconds.
    const { updated } = await applyRulesToRange(db, { sessionId: big, seqFrom: 1, seqTo: 6000, compiled, statementTimeoutMs: 3000 });
    assert.equal(updated, 4800);
    const shows = await Promise.all(Array.from({ length: 5 }, () => db.raw('SHOW enable_nestloop')));
    for (const s of shows) assert.equal(s.rows[0].enable_nestloop, 'on', 'the plan setting ends with the transaction');
  });

  it('restores it after a failure as quickly too (one lookup in the snapshot per row, not one pass over it)', async () => {
    await db('transactions').where({ session_id: big }).update({ category: db.raw(`'Before ' || seq`) });
    const taskId = randomUUID();
    await recordCategoryUndo(db, taskId, big);
    await db('transactions').where({ session_id: big }).update({ category: 'Changed' });
    const started = Date.now();
    await settleCategoryUndo(db, taskId, big, true);
    const ms = Date.now() - started;
    const rows = (await db('transactions').where({ session_id: big }).select('seq', 'category')) as { seq: number; category: string }[];
    assert.equal(rows.length, 6000);
    for (const r of rows) assert.equal(r.category, `Before ${r.seq}`);
    // A pass over the snapshot per row (6,000 × 6,000) takes many seconds.
    assert.ok(ms < 3000, `the restore took ${ms} ms`);
  });
});
