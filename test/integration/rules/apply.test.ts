import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { TaskInputError } from '../../../contract/errors';
import { applyRulesToRange, countByCategory } from '../../../db/categories';
import { compileRuleSet, validateRuleSet, type CompiledRuleSet } from '../../../domain/rules';
import { evaluateRuleSet } from '../../support/rules/evaluate';
import { getTestDb } from '../../support/postgres';
import { ROWS } from '../../unit/rules/truth-table';
import { apply, categories, createSession, insertRows } from './helpers';

const MAX = { maxRules: 500 };
const RULES = {
  rules: [
    { category: 'Groceries', conditions: { field: 'description', op: 'contains', value: 'woolworths' } },
    { category: 'Card', conditions: { field: 'description', op: 'starts_with', value: 'pos' } },
    { category: 'Large', conditions: { field: 'amount', op: 'lt', value: -100 } },
    { category: 'Fees', conditions: { field: 'description', op: 'regex', value: '\\bfee\\b' } },
  ],
};

describe('rules: applyRulesToRange and countByCategory (real Postgres)', function () {
  this.timeout(120_000);
  let db: Knex;
  let sid: string;

  before(async () => {
    db = await getTestDb();
  });
  beforeEach(async () => {
    sid = await createSession(db);
    await insertRows(db, sid, ROWS);
  });

  it('first matching rule wins; unmatched rows keep what they had', async () => {
    await db('transactions').where({ session_id: sid, seq: 3 }).update({ category: 'Salary' });
    const updated = await apply(db, sid, RULES);
    const got = await categories(db, sid);
    assert.equal(got[1], 'Groceries'); // matches Groceries, Card and Large
    assert.equal(got[2], 'Card');
    assert.equal(got[5], 'Large');
    assert.equal(got[4], 'Fees');
    assert.equal(got[14], 'Large'); // 'FEE' is also Large, which comes first
    assert.equal(got[3], 'Salary'); // no rule: kept
    assert.equal(got[9], null);
    assert.equal(updated, 5);
    // the same as the TS evaluator says, row by row
    const rs = validateRuleSet(RULES, MAX);
    for (const r of ROWS) assert.equal(got[r.seq], evaluateRuleSet(rs, r) ?? (r.seq === 3 ? 'Salary' : null), `seq ${r.seq}`);
  });

  it('without only_uncategorized, a matching row is re-categorized', async () => {
    await db('transactions').where({ session_id: sid, seq: 2 }).update({ category: 'Mine' });
    await apply(db, sid, RULES);
    assert.equal((await categories(db, sid))[2], 'Card');
  });

  it('only_uncategorized leaves rows that already have a category alone', async () => {
    await db('transactions').where({ session_id: sid }).whereIn('seq', [1, 5]).update({ category: 'Mine' });
    const updated = await apply(db, sid, { ...RULES, only_uncategorized: true });
    const got = await categories(db, sid);
    assert.equal(got[1], 'Mine');
    assert.equal(got[5], 'Mine');
    assert.equal(got[2], 'Card');
    assert.equal(got[14], 'Large');
    assert.equal(updated, 3); // 2, 4, 14
  });

  it('is idempotent: the same chunk twice gives the state of once, the second run writes nothing', async () => {
    for (const only of [false, true]) {
      const s = await createSession(db);
      await insertRows(db, s, ROWS);
      await db('transactions').where({ session_id: s, seq: 4 }).update({ category: 'Preset' });
      const body = { ...RULES, only_uncategorized: only };
      const first = await apply(db, s, body, 1, 15);
      const once = await categories(db, s);
      const second = await apply(db, s, body, 1, 15);
      assert.deepEqual(await categories(db, s), once, `only_uncategorized=${only}`);
      assert.ok(first > 0);
      assert.equal(second, 0);
    }
  });

  it('a retry after a partial commit (rows 1-7 done, then 1-15 again) ends as one clean run', async () => {
    for (const only of [false, true]) {
      const body = { ...RULES, only_uncategorized: only };
      const clean = await createSession(db);
      await insertRows(db, clean, ROWS);
      await apply(db, clean, body, 1, 15);
      const retried = await createSession(db);
      await insertRows(db, retried, ROWS);
      await apply(db, retried, body, 1, 7);
      await apply(db, retried, body, 1, 15);
      assert.deepEqual(await categories(db, retried), await categories(db, clean), `only_uncategorized=${only}`);
    }
  });

  it('chunks give the same result as one pass, and touch only their range and session', async () => {
    const other = await createSession(db);
    await insertRows(db, other, ROWS);
    const whole = await createSession(db);
    await insertRows(db, whole, ROWS);
    await apply(db, whole, RULES, 1, 15);
    await apply(db, sid, RULES, 1, 5);
    const partial = await categories(db, sid);
    assert.equal(partial[14], null); // outside the range
    assert.equal(partial[1], 'Groceries');
    await apply(db, sid, RULES, 6, 10);
    await apply(db, sid, RULES, 11, 15);
    assert.deepEqual(await categories(db, sid), await categories(db, whole));
    assert.ok(Object.values(await categories(db, other)).every((c) => c === null));
  });

  it('countByCategory counts categorized, uncategorized and each category', async () => {
    await apply(db, sid, RULES);
    const counts = await countByCategory(db, sid);
    assert.deepEqual(counts, { categorized: 5, uncategorized: 10, byCategory: { Card: 1, Fees: 1, Groceries: 1, Large: 2 } });
    const empty = await countByCategory(db, await createSession(db));
    assert.deepEqual(empty, { categorized: 0, uncategorized: 0, byCategory: {} });
  });

  it('treats injection attempts in values and categories as literal text; the table stays intact', async () => {
    const category = `O'Brien "x"); DROP TABLE transactions; --`;
    const before = (await db('transactions').count({ n: '*' }))[0].n;
    await apply(db, sid, {
      rules: [
        { category, conditions: { field: 'description', op: 'contains', value: "'; drop table transactions; --" } },
        { category: "'; DELETE FROM sessions; --", conditions: { field: 'description', op: 'in', value: ["x'); drop table sessions; --", 'fee'] } },
        { category: '__proto__', conditions: { field: 'description', op: 'regex', value: "^o'reilly'; drop" } },
      ],
    });
    const got = await categories(db, sid);
    assert.equal(got[11], category);
    assert.equal(got[14], "'; DELETE FROM sessions; --");
    assert.equal((await db('transactions').count({ n: '*' }))[0].n, before);
    assert.equal((await db('sessions').where('id', sid)).length, 1);
    const counts = await countByCategory(db, sid);
    assert.equal(counts.byCategory[category], 1);
    await db('transactions').where({ session_id: sid, seq: 1 }).update({ category: '__proto__' });
    assert.equal(Object.getOwnPropertyDescriptor((await countByCategory(db, sid)).byCategory, '__proto__')?.value, 1);
  });

  it('runs a rule set at the limits (500 rules, 10,000 leaves, 20,503 bindings)', async () => {
    const rules = Array.from({ length: 500 }, (_, i) => ({
      category: `cat ${i}`,
      conditions: { any: Array.from({ length: 20 }, (_, k) => ({ field: 'amount', op: 'between', value: [i * 100 + k, i * 100 + k + 0.5] })) },
    }));
    await apply(db, sid, { rules });
    const got = await categories(db, sid);
    assert.equal(got[13], 'cat 0'); // 5 lies in [5, 5.5]
    assert.equal(got[15], 'cat 0'); // 1.1 lies in [1, 1.5]
    assert.equal(got[1], null); // negative amounts match nothing
    assert.equal(got[3], 'cat 250'); // 25000 lies in [25000, 25000.5]
  });

  it('a statement over its time limit fails with RULES_TIMEOUT, changes nothing, and the limit does not leak', async () => {
    const big = await createSession(db);
    await db.raw(
      `INSERT INTO transactions (session_id, seq, date, description, amount)
       SELECT ?::uuid, g, DATE '2024-01-01', repeat('abcdefghij', 200) || g, 1 FROM generate_series(1, 20000) g`,
      [big],
    );
    const compiled = compileRuleSet(
      validateRuleSet(
        {
          rules: Array.from({ length: 20 }, (_, i) => ({
            category: `r${i}`,
            conditions: { field: 'description', op: 'regex', value: `[a-j]{1,50}\\d{1,9}[w-z]{${i + 1}}` }, // no literal to prefilter on
          })),
        },
        MAX,
      ),
    );
    await assert.rejects(
      applyRulesToRange(db, { sessionId: big, seqFrom: 1, seqTo: 20000, compiled, statementTimeoutMs: 50 }),
      (e: unknown) => e instanceof TaskInputError && e.code === 'RULES_TIMEOUT' && /took longer than 50 ms/.test(e.message),
    );
    assert.equal((await countByCategory(db, big)).categorized, 0);
    const shows = await Promise.all(Array.from({ length: 5 }, () => db.raw('SHOW statement_timeout')));
    for (const s of shows) assert.equal(s.rows[0].statement_timeout, '0');
  });

  it('a regex Postgres refuses becomes INVALID_RULES (defence in depth: validation prevents it)', async () => {
    const compiled: CompiledRuleSet = {
      categorySql: 'CASE WHEN (s.description COLLATE "C" ~ ?) THEN ?::text END',
      bindings: ['a{1,300}', 'X'],
      onlyUncategorized: false,
      ruleCount: 1,
    };
    await assert.rejects(
      applyRulesToRange(db, { sessionId: sid, seqFrom: 1, seqTo: 15, compiled, statementTimeoutMs: 5000 }),
      (e: unknown) => e instanceof TaskInputError && e.code === 'INVALID_RULES',
    );
  });

  it('refuses a bad range or timeout before touching the database', async () => {
    const compiled = compileRuleSet(validateRuleSet(RULES, MAX));
    await assert.rejects(applyRulesToRange(db, { sessionId: sid, seqFrom: 5, seqTo: 1, compiled, statementTimeoutMs: 1000 }), /bad range/);
    await assert.rejects(applyRulesToRange(db, { sessionId: sid, seqFrom: 1, seqTo: 5, compiled, statementTimeoutMs: 0 }), /statementTimeoutMs/);
  });
});
