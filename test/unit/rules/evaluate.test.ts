import assert from 'node:assert/strict';
import { validateRuleSet, type Condition, type RuleSet } from '../../../domain/rules';
import { evaluateRuleSet, prepareEvaluator } from '../../support/rules/evaluate';
import { CASES, ROWS } from './truth-table';

const MAX = { maxRules: 500 };

function matches(condition: Condition): number[] {
  const rs = validateRuleSet({ rules: [{ category: 'HIT', conditions: condition }] }, MAX);
  return ROWS.filter((r) => evaluateRuleSet(rs, r) === 'HIT').map((r) => r.seq);
}

describe('rules: TS evaluator', () => {
  describe('truth table (every op on every field kind)', () => {
    for (const c of CASES) {
      it(c.name, () => assert.deepEqual(matches(c.condition), c.expect));
    }
  });

  it('first matching rule wins, in the order given', () => {
    const rs = validateRuleSet(
      {
        rules: [
          { category: 'Groceries', conditions: { field: 'description', op: 'contains', value: 'woolworths' } },
          { category: 'Card', conditions: { field: 'description', op: 'starts_with', value: 'pos' } },
          { category: 'Big', conditions: { field: 'amount', op: 'lt', value: -100 } },
        ],
      },
      MAX,
    );
    const got = Object.fromEntries(ROWS.map((r) => [r.seq, evaluateRuleSet(rs, r)]));
    assert.equal(got[1], 'Groceries'); // matches all three
    assert.equal(got[2], 'Card');
    assert.equal(got[5], 'Big');
    assert.equal(got[3], null); // no rule: keep what it has
  });

  it('only_uncategorized: a row with a category gets null (keep), one without is categorized', () => {
    const rs = validateRuleSet({ rules: [{ category: 'X', conditions: { field: 'amount', op: 'lt', value: 0 } }], only_uncategorized: true }, MAX);
    assert.equal(evaluateRuleSet(rs, { ...ROWS[0], category: 'Mine' }), null);
    assert.equal(evaluateRuleSet(rs, { ...ROWS[0], category: null }), 'X');
    const all = validateRuleSet({ rules: [{ category: 'X', conditions: { field: 'amount', op: 'lt', value: 0 } }] }, MAX);
    assert.equal(evaluateRuleSet(all, { ...ROWS[0], category: 'Mine' }), 'X');
  });

  it('a NULL balance: every leaf false, `not` of a leaf true', () => {
    const txn = { description: 'x', amount: 1, balance: null, date: '2024-01-01', category: null };
    for (const op of ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte']) {
      const leaf = { field: 'balance', op, value: 0 };
      const rs = validateRuleSet({ rules: [{ category: 'L', conditions: leaf }] }, MAX);
      const neg = validateRuleSet({ rules: [{ category: 'N', conditions: { not: leaf } }] }, MAX);
      assert.equal(evaluateRuleSet(rs, txn), null, op);
      assert.equal(evaluateRuleSet(neg, txn), 'N', op);
    }
  });

  it('ten nested groups evaluate like the leaf they wrap', () => {
    const fee = { field: 'description', op: 'contains', value: 'fee' };
    let wrapped: unknown = fee;
    for (let i = 0; i < 10; i++) wrapped = i % 2 ? { any: [wrapped] } : { all: [wrapped] };
    assert.deepEqual(matches(wrapped as Condition), [4, 13, 14]);
    let negated: unknown = fee;
    for (let i = 0; i < 10; i++) negated = { not: negated }; // an even number of nots
    assert.deepEqual(matches(negated as Condition), [4, 13, 14]);
    assert.deepEqual(matches({ not: { all: [{ not: fee as Condition }] } }), [4, 13, 14]);
  });

  it('refuses a row with a Date object or a string amount (pg defaults) instead of guessing', () => {
    const rs = validateRuleSet({ rules: [{ category: 'X', conditions: { field: 'amount', op: 'lt', value: 0 } }] }, MAX);
    const txn = { description: 'x', amount: -1, balance: null, date: '2024-01-01', category: null };
    assert.equal(evaluateRuleSet(rs, txn), 'X');
    assert.throws(() => evaluateRuleSet(rs, { ...txn, date: new Date() as never }), TypeError);
    assert.throws(() => evaluateRuleSet(rs, { ...txn, amount: '-1' as never }), TypeError);
  });

  it('prepareEvaluator gives the same answers as evaluateRuleSet', () => {
    const rs: RuleSet = validateRuleSet(
      { rules: CASES.map((c, i) => ({ category: `c${i}`, conditions: c.condition })) },
      MAX,
    );
    const ev = prepareEvaluator(rs);
    for (const r of ROWS) assert.equal(ev(r), evaluateRuleSet(rs, r));
  });

  it('a regex that would backtrack for minutes in V8 answers at once on long text', () => {
    const rs = validateRuleSet({ rules: [{ category: 'R', conditions: { field: 'description', op: 'regex', value: '.*.*.*.*.*x' } }] }, MAX);
    // Backtracking would hold the thread for minutes: the test's timeout is the bound.
    const txn = { description: 'a'.repeat(5000), amount: 1, balance: null, date: '2024-01-01', category: null };
    assert.equal(evaluateRuleSet(rs, txn), null);
    assert.equal(evaluateRuleSet(rs, { ...txn, description: `${'a'.repeat(5000)}X` }), 'R');
  });
});
