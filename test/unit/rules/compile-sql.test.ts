import assert from 'node:assert/strict';
import { buildUpdateStatement, compileRuleSet, LIMITS, validateRuleSet } from '../../../domain/rules';
import { decimalText, pgArrayLiteral } from '../../../domain/rules/compile-sql';
import { CASES } from './truth-table';

const MAX = { maxRules: 500 };
const RANGE = { sessionId: '00000000-0000-4000-8000-000000000001', seqFrom: 1, seqTo: 50_000 };

/** The SQL with every binding placeholder removed: what is left is ours, never user text. */
const skeleton = (sql: string) => sql.replace(/\?/g, '');

describe('rules: compileRuleSet (SQL)', () => {
  it('compiles first-match-wins to one CASE, in rule order, categories as bindings', () => {
    const rs = validateRuleSet(
      {
        rules: [
          { category: 'A', conditions: { field: 'description', op: 'starts_with', value: '50%_off\\' } },
          { category: 'B', conditions: { all: [{ field: 'amount', op: 'between', value: [-10, 10.5] }, { not: { field: 'balance', op: 'gt', value: 0 } }] } },
          { category: 'C', conditions: { any: [{ field: 'date', op: 'in', value: ['2024-01-01', '2024-02-29'] }, { field: 'description', op: 'regex', value: '^pos' }] } },
        ],
      },
      MAX,
    );
    const c = compileRuleSet(rs);
    assert.equal(c.ruleCount, 3);
    assert.equal(
      c.categorySql,
      "CASE WHEN (s.d LIKE ? ESCAPE E'\\\\') THEN ?::text " +
        'WHEN ((s.amount BETWEEN ?::numeric AND ?::numeric) AND (NOT COALESCE(s.balance > ?::numeric, false))) THEN ?::text ' +
        'WHEN ((s.date = ANY(?::date[])) OR (strpos(s.d, ?) > 0 AND s.description COLLATE "C" ~ ?)) THEN ?::text END',
    );
    assert.deepEqual(c.bindings, ['50\\%\\_off\\\\%', 'A', '-10', '10.5', '0', 'B', '{"2024-01-01","2024-02-29"}', 'pos', '^[Pp][Oo][Ss]', 'C']);
  });

  it('keeps every value out of the SQL text (injection attempts become bindings)', () => {
    const evil = "'; drop table transactions; --";
    const rs = validateRuleSet(
      {
        rules: [
          { category: `O'Brien "x"); DROP TABLE transactions; --`, conditions: { field: 'description', op: 'equals', value: evil } },
          { category: 'in', conditions: { field: 'description', op: 'in', value: [evil, '"}{,\\'] } },
          { category: 'rx', conditions: { field: 'description', op: 'regex', value: "\\'; drop" } },
        ],
      },
      MAX,
    );
    const c = compileRuleSet(rs);
    assert.ok(!/drop|brien|'\s*;/i.test(c.categorySql), c.categorySql);
    assert.ok(c.bindings.includes(evil));
    assert.ok(c.bindings.includes(`O'Brien "x"); DROP TABLE transactions; --`));
    assert.deepEqual(c.bindings[2], `{"'; drop table transactions; --","\\"}{,\\\\"}`);
  });

  it('uses only whitelisted columns and fixed operators for every truth-table case', () => {
    const rs = validateRuleSet({ rules: CASES.map((x, i) => ({ category: `c${i}`, conditions: x.condition })) }, MAX);
    const c = compileRuleSet(rs);
    const words = new Set(skeleton(c.categorySql).match(/[A-Za-z_][A-Za-z_.]*/g));
    const allowed = new Set([
      'CASE', 'WHEN', 'THEN', 'END', 'AND', 'OR', 'NOT', 'LIKE', 'ESCAPE', 'E', 'BETWEEN', 'ANY', 'COALESCE', 'COLLATE', 'C', 'strpos',
      'false', 'text', 'numeric', 'date', 's.d', 's.description', 's.amount', 's.balance', 's.date',
    ]);
    for (const w of words) assert.ok(allowed.has(w), `unexpected word in SQL: ${w}`);
    assert.equal((c.categorySql.match(/\?/g) ?? []).length, c.bindings.length);
  });

  it('writes numbers as exact decimal text and lists as quoted array literals', () => {
    assert.equal(decimalText(-150.5), '-150.5');
    assert.equal(decimalText(-0), '0');
    assert.equal(decimalText(999999999999.99), '999999999999.99');
    assert.equal(decimalText(0.1), '0.1');
    assert.equal(pgArrayLiteral(['a', 'b"c', 'd\\e', '', 'NULL']), '{"a","b\\"c","d\\\\e","","NULL"}');
  });

  it('stays far below 65,535 bindings at the validation limits (500 rules, 10,000 between leaves)', () => {
    const perRule = LIMITS.MAX_TOTAL_LEAVES / 500;
    const rules = Array.from({ length: 500 }, (_, i) => ({
      category: `cat ${i}`,
      conditions: { any: Array.from({ length: perRule }, (_, k) => ({ field: 'amount', op: 'between', value: [k, k + 1] })) },
    }));
    const c = compileRuleSet(validateRuleSet({ rules }, MAX));
    const stmt = buildUpdateStatement(c, RANGE);
    assert.equal(stmt.bindings.length, 500 + 2 * LIMITS.MAX_TOTAL_LEAVES + 6);
    assert.ok(stmt.bindings.length < 65_535);
  });

  it('an in list is one binding however long', () => {
    const value = Array.from({ length: LIMITS.MAX_IN_ITEMS }, (_, i) => i);
    const c = compileRuleSet(validateRuleSet({ rules: [{ category: 'X', conditions: { field: 'amount', op: 'in', value } }] }, MAX));
    assert.equal(c.bindings.length, 2);
  });

  it('builds the UPDATE: rule bindings first, then session and range; only_uncategorized filters twice', () => {
    const rs = validateRuleSet({ rules: [{ category: 'X', conditions: { field: 'amount', op: 'lt', value: 0 } }] }, MAX);
    const all = buildUpdateStatement(compileRuleSet(rs), RANGE);
    assert.deepEqual(all.bindings, ['0', 'X', RANGE.sessionId, 1, 50_000, RANGE.sessionId, 1, 50_000]);
    assert.ok(!/category IS NULL/.test(all.sql));
    assert.match(all.sql, /t\.category IS DISTINCT FROM m\.category/);
    assert.equal((all.sql.match(/\?/g) ?? []).length, all.bindings.length);
    const only = buildUpdateStatement(compileRuleSet({ ...rs, onlyUncategorized: true }), RANGE);
    assert.equal((only.sql.match(/category IS NULL/g) ?? []).length, 2);
  });

  it('refuses to compile a hand-made rule set with an unknown field or op (no splicing, ever)', () => {
    const bad = (conditions: unknown) => ({ rules: [{ category: 'X', conditions }], onlyUncategorized: false }) as never;
    assert.throws(() => compileRuleSet(bad({ field: 'description; drop table transactions; --', op: 'equals', value: 'x' })), /unknown field/);
    assert.throws(() => compileRuleSet(bad({ field: 'constructor', op: 'equals', value: 'x' })), /unknown field/);
    assert.throws(() => compileRuleSet(bad({ field: 'amount', op: '= 1 OR 1=1 --', value: 1 })), /unknown op/);
    assert.throws(() => compileRuleSet(bad({ field: 'description', op: 'toString', value: 'x' })), /unknown op/);
  });

  it('refuses to compile an empty rule set', () => {
    assert.throws(() => compileRuleSet({ rules: [], onlyUncategorized: false }), /no rules/);
  });
});
