import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { applyRulesToRange, settleCategoryUndo } from '../../db/categories';
import { createDb } from '../../db/knex';
import { compileRuleSet, validateRuleSet } from '../../domain/rules';
import { generatedRows, seedSession } from '../support/fixtures';
import { createScratchDatabase, getTestDb } from '../support/postgres';

/** The page each of a session's rows is on, by seq. */
async function pages(db: Knex, sessionId: string): Promise<Map<number, number>> {
  const { rows } = (await db.raw(`select seq, (ctid::text::point)[0]::int as page from transactions where session_id = ?`, [sessionId])) as {
    rows: { seq: number; page: number }[];
  };
  return new Map(rows.map((r) => [r.seq, r.page]));
}

describe('categorization schema: room for HOT updates, and the undo snapshots', function () {
  this.timeout(120_000);
  let db: Knex;

  before(async () => {
    db = await getTestDb();
  });

  it('transactions are inserted with half of each page free', async () => {
    const { rows } = (await db.raw(`select reloptions from pg_class where oid = 'transactions'::regclass`)) as { rows: { reloptions: string[] }[] };
    assert.deepEqual(rows[0].reloptions, ['fillfactor=50']);
  });

  it('no index of transactions reads category (one would make every category write a non-HOT update)', async () => {
    const { rows } = (await db.raw(`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'transactions'::regclass`)) as {
      rows: { def: string }[];
    };
    assert.ok(rows.length > 0);
    for (const { def } of rows) assert.doesNotMatch(def, /category/, def);
  });

  it('a run that changes most rows of a fresh session writes each new version into the page of the old one', async () => {
    const sessionId = await seedSession(db, 'u1', generatedRows(3000));
    const before = await pages(db, sessionId);
    assert.ok(new Set(before.values()).size > 20, 'the rows fill many pages');
    const moved = async (category: string) => {
      const rules = { rules: [{ category, conditions: { field: 'amount', op: 'lt', value: 0 } }] };
      const compiled = compileRuleSet(validateRuleSet(rules, { maxRules: 500 }));
      const { updated } = await applyRulesToRange(db, { sessionId, seqFrom: 1, seqTo: 3000, compiled, statementTimeoutMs: 10_000 });
      const after = await pages(db, sessionId);
      return { updated, moved: [...before].filter(([seq, page]) => after.get(seq) !== page).length };
    };
    // Four rows in five change: every new version fits beside its old one.
    assert.deepEqual(await moved('Spent'), { updated: 2400, moved: 0 });
    // A second run changes them again: the first run's old versions are pruned, and the
    // room is there again.
    assert.deepEqual(await moved('Spent again'), { updated: 2400, moved: 0 });
  });

  describe('the migration', () => {
    let scratch: Knex;
    before(async () => {
      scratch = createDb(await createScratchDatabase('categorize'), 2);
      await scratch.migrate.latest();
    });
    after(() => scratch.destroy());

    const legacySet = async (categories: (string | null)[]) => {
      const sessionId = randomUUID();
      const taskId = randomUUID();
      await scratch('sessions').insert({ id: sessionId, user_id: 'u1', status: 'READY' });
      await scratch('transactions').insert(
        categories.map((_, i) => ({ session_id: sessionId, seq: i + 1, date: '2024-03-01', description: `row ${i}`, amount: '1.00', category: `Changed ${i}` })),
      );
      await scratch('category_undo_sets').insert({ task_id: taskId, session_id: sessionId });
      const kept = categories.flatMap((c, i) => (c === null ? [] : [{ task_id: taskId, session_id: sessionId, seq: i + 1, old_category: c }]));
      if (kept.length > 0) await scratch('category_undo').insert(kept);
      return { sessionId, taskId };
    };

    /** Undoes the migrations after this one and this one, newest first: the schema as it was before it. */
    const downToBefore = async (version: string) => {
      while ((await scratch.migrate.currentVersion()) >= version) await scratch.migrate.down();
    };

    it('carries undo sets recorded before it over to snapshots, which restore them, and back down', async () => {
      await downToBefore('20261201000300');
      const { rows: down } = (await scratch.raw(`select reloptions from pg_class where oid = 'transactions'::regclass`)) as { rows: { reloptions: string[] | null }[] };
      assert.equal(down[0].reloptions, null, 'down resets the fillfactor');
      const old = ['Groceries', null, 'Fuel', null, 'Rent'];
      const withRows = await legacySet(old);
      const empty = await legacySet([null, null]);

      await scratch.migrate.up();
      const snapshot = await scratch('category_snapshots').where({ task_id: withRows.taskId }).first('seqs', 'categories', 'session_id');
      assert.deepEqual(snapshot, { seqs: [1, 3, 5], categories: ['Groceries', 'Fuel', 'Rent'], session_id: withRows.sessionId });
      assert.deepEqual(await scratch('category_snapshots').where({ task_id: empty.taskId }).first('seqs', 'categories'), { seqs: [], categories: [] });
      assert.equal(Number((await scratch('category_undo').count({ n: '*' }))[0].n), 0);
      assert.equal(Number((await scratch('category_undo_sets').count({ n: '*' }))[0].n), 0);

      await scratch.migrate.down();
      assert.deepEqual(
        await scratch('category_undo').where({ task_id: withRows.taskId }).orderBy('seq').select('seq', 'old_category'),
        [
          { seq: 1, old_category: 'Groceries' },
          { seq: 3, old_category: 'Fuel' },
          { seq: 5, old_category: 'Rent' },
        ],
      );
      assert.equal(Number((await scratch('category_undo_sets').count({ n: '*' }))[0].n), 2);

      await scratch.migrate.up();
      await settleCategoryUndo(scratch, withRows.taskId, withRows.sessionId, true);
      const restored = (await scratch('transactions').where({ session_id: withRows.sessionId }).orderBy('seq').select('category')) as { category: string | null }[];
      assert.deepEqual(
        restored.map((r) => r.category),
        old,
      );
    });
  });
});
