import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { applyRulesToRangeInParts, recordCategoryUndo, settleCategoryUndo } from '../../db/categories';
import { compileRuleSet, validateRuleSet } from '../../domain/rules';
import { generatedRows, seedSession } from '../support/fixtures';
import { getTestDb } from '../support/postgres';

// Every generated row matches one of these; the fee rows get a category they may already have.
const RULES = {
  rules: [
    { category: 'Income', conditions: { field: 'amount', op: 'gt', value: 0 } },
    { category: 'Fees', conditions: { field: 'description', op: 'contains', value: 'fee' } },
    { category: 'Spent', conditions: { field: 'amount', op: 'lt', value: 0 } },
  ],
};
const compiled = compileRuleSet(validateRuleSet(RULES, { maxRules: 500 }));

describe('categorization undo: the snapshot a failed or cancelled run is restored from', function () {
  this.timeout(60_000);
  let db: Knex;

  before(async () => {
    db = await getTestDb();
  });

  const categories = async (sessionId: string) =>
    ((await db('transactions').where({ session_id: sessionId }).orderBy('seq').select('category')) as { category: string | null }[]).map(
      (r) => r.category,
    );
  const snapshots = async (taskId: string) => Number((await db('category_snapshots').where({ task_id: taskId }).count({ n: '*' }))[0].n);
  const run = (sessionId: string, seqTo: number) =>
    applyRulesToRangeInParts(db, { sessionId, seqFrom: 1, seqTo, compiled, statementTimeoutMs: 10_000 }, 2);
  /** 60 rows: some with the category the rules give them, some with another, most with none. */
  const seeded = () =>
    seedSession(
      db,
      'u1',
      generatedRows(60).map((r, i) => ({ ...r, category: i % 5 === 3 && i % 2 === 0 ? 'Fees' : i % 7 === 0 ? `Mine ${i}` : null })),
    );

  it('returns the range of seqs to run over from the same scan', async () => {
    const sessionId = await seeded();
    assert.deepEqual(await recordCategoryUndo(db, randomUUID(), sessionId), { seqMin: 1, seqMax: 60, rowCount: 60 });
    const empty = await seedSession(db, 'u1', []);
    assert.deepEqual(await recordCategoryUndo(db, randomUUID(), empty), { seqMin: 0, seqMax: -1, rowCount: 0 });
  });

  it('after a failure puts every category back: changed ones, and none where there was none', async () => {
    const sessionId = await seeded();
    const before = await categories(sessionId);
    const taskId = randomUUID();
    await recordCategoryUndo(db, taskId, sessionId);
    const { updated } = await run(sessionId, 60);
    assert.ok(updated > 40, `the run changed most rows (${updated})`);
    assert.notDeepEqual(await categories(sessionId), before);
    await settleCategoryUndo(db, taskId, sessionId, true);
    assert.deepEqual(await categories(sessionId), before);
    assert.equal(await snapshots(taskId), 0, 'the snapshot is forgotten');
  });

  it('a retried prepare keeps the first snapshot, taken before any chunk ran', async () => {
    const sessionId = await seeded();
    const before = await categories(sessionId);
    const taskId = randomUUID();
    await recordCategoryUndo(db, taskId, sessionId);
    await run(sessionId, 30);
    await recordCategoryUndo(db, taskId, sessionId);
    await run(sessionId, 60);
    await settleCategoryUndo(db, taskId, sessionId, true);
    assert.deepEqual(await categories(sessionId), before);
  });

  it('after success forgets the snapshot and keeps what the run did; nothing can restore from it then', async () => {
    const sessionId = await seeded();
    const taskId = randomUUID();
    await recordCategoryUndo(db, taskId, sessionId);
    await run(sessionId, 60);
    const after = await categories(sessionId);
    await settleCategoryUndo(db, taskId, sessionId, false);
    assert.equal(await snapshots(taskId), 0);
    await settleCategoryUndo(db, taskId, sessionId, true);
    assert.deepEqual(await categories(sessionId), after);
  });

  it('goes with its session', async () => {
    const sessionId = await seeded();
    const taskId = randomUUID();
    await recordCategoryUndo(db, taskId, sessionId);
    assert.equal(await snapshots(taskId), 1);
    await db('sessions').where({ id: sessionId }).delete();
    assert.equal(await snapshots(taskId), 0);
  });
});
