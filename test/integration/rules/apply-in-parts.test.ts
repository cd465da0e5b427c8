import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { TaskInputError } from '../../../contract/errors';
import { applyRulesToRange, applyRulesToRangeInParts } from '../../../db/categories';
import { compileRuleSet, validateRuleSet, type CompiledRuleSet } from '../../../domain/rules';
import { getTestDb } from '../../support/postgres';
import { ROWS } from '../../unit/rules/truth-table';
import { categories, createSession, insertRows, setCategories } from './helpers';

const RULES = {
  rules: [
    { category: 'Groceries', conditions: { field: 'description', op: 'contains', value: 'woolworths' } },
    { category: 'Card', conditions: { field: 'description', op: 'starts_with', value: 'pos' } },
    { category: 'Large', conditions: { field: 'amount', op: 'lt', value: -100 } },
    { category: 'Out', conditions: { field: 'amount', op: 'lt', value: 0 } },
  ],
};

describe('rules: applyRulesToRangeInParts (real Postgres)', function () {
  this.timeout(60_000);
  let db: Knex;
  let sid: string;
  const compiled = compileRuleSet(validateRuleSet(RULES, { maxRules: 500 }));
  const args = (seqFrom: number, seqTo: number, rules: CompiledRuleSet = compiled, statementTimeoutMs = 10_000) => ({
    sessionId: sid,
    seqFrom,
    seqTo,
    compiled: rules,
    statementTimeoutMs,
  });

  before(async () => {
    db = await getTestDb();
  });
  beforeEach(async () => {
    sid = await createSession(db);
    await insertRows(db, sid, ROWS);
  });

  it('gives every row what one statement over the range gives it, however the range is cut', async () => {
    const last = ROWS.length;
    const { updated: expectUpdated } = await applyRulesToRange(db, args(2, last));
    const expected = await categories(db, sid);
    assert.ok(expectUpdated > 3, 'the rules change several rows');
    for (const parts of [1, 2, 3, 4, last - 1, last + 5]) {
      await setCategories(db, sid, null);
      const { updated } = await applyRulesToRangeInParts(db, args(2, last), parts);
      assert.equal(updated, expectUpdated, `${parts} parts: rows changed`);
      assert.deepEqual(await categories(db, sid), expected, `${parts} parts: categories`);
    }
  });

  it('applied again, changes nothing', async () => {
    await applyRulesToRangeInParts(db, args(1, ROWS.length), 2);
    assert.deepEqual(await applyRulesToRangeInParts(db, args(1, ROWS.length), 2), { updated: 0 });
  });

  it('throws a failing part only once every part has ended', async () => {
    // Part 1 (seqs 1-2) sleeps, then commits; part 2 (seqs 3-4) fails at once.
    const racing: CompiledRuleSet = {
      categorySql: `CASE WHEN s.seq = 1 AND (SELECT true FROM pg_sleep(0.5)) THEN 'Slow'::text WHEN s.seq = 3 THEN (1 / (s.seq - 3))::text END`,
      bindings: [],
      onlyUncategorized: false,
      ruleCount: 2,
    };
    await assert.rejects(applyRulesToRangeInParts(db, args(1, 4, racing), 2), /division by zero/);
    assert.equal((await categories(db, sid))[1], 'Slow', 'the slow part had committed when the failure was thrown');
  });

  it('a part past the statement timeout fails RULES_TIMEOUT, as one statement does', async () => {
    const slow: CompiledRuleSet = {
      categorySql: `CASE WHEN (SELECT true FROM pg_sleep(1)) THEN 'Slow'::text END`,
      bindings: [],
      onlyUncategorized: false,
      ruleCount: 1,
    };
    await assert.rejects(
      applyRulesToRangeInParts(db, args(1, ROWS.length, slow, 50), 2),
      (e: unknown) => e instanceof TaskInputError && e.code === 'RULES_TIMEOUT',
    );
  });

  it('refuses a bad range, timeout or number of parts before touching the database', async () => {
    await assert.rejects(applyRulesToRangeInParts(db, args(5, 1), 2), /bad range/);
    await assert.rejects(applyRulesToRangeInParts(db, args(1, 5, compiled, 0), 2), /statementTimeoutMs/);
    for (const parts of [0, 1.5, -1, Number.NaN]) {
      await assert.rejects(applyRulesToRangeInParts(db, args(1, 5), parts), /parts must be a positive whole number/);
    }
  });
});
