import assert from 'node:assert/strict';
import { ValidationError } from '../../../contract/errors';
import { LIMITS, validateRuleSet, type RuleProblem } from '../../../domain/rules';

const MAX = { maxRules: 500 };
const leaf = (over: Record<string, unknown> = {}) => ({ field: 'description', op: 'contains', value: 'x', ...over });
const rule = (conditions: unknown, category: unknown = 'Cat') => ({ category, conditions });

function problems(input: unknown, opts = MAX): RuleProblem[] {
  try {
    validateRuleSet(input, opts);
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected ValidationError, got ${String(e)}`);
    assert.equal(e.code, 'INVALID_RULES');
    assert.equal(e.status, 422);
    assert.ok(Array.isArray(e.details));
    return e.details as RuleProblem[];
  }
  assert.fail('expected a ValidationError');
}

/** Asserts exactly one problem, at `path` in rule `ruleIndex`, whose message matches `re`. */
function one(input: unknown, ruleIndex: number | null, path: string, re: RegExp): void {
  const ps = problems(input);
  assert.equal(ps.length, 1, JSON.stringify(ps));
  assert.deepEqual({ rule_index: ps[0].rule_index, path: ps[0].path }, { rule_index: ruleIndex, path });
  assert.match(ps[0].message, re);
}

const nest = (depth: number): unknown => {
  let c: unknown = leaf();
  for (let i = 0; i < depth; i++) c = i % 3 === 0 ? { all: [c] } : i % 3 === 1 ? { any: [leaf(), c] } : { not: c };
  return c;
};

describe('rules: validateRuleSet', () => {
  it('accepts a full rule set and returns a clean copy', () => {
    const input = {
      rules: [
        rule({ all: [leaf(), { field: 'amount', op: 'between', value: [-10, 10] }, { not: { field: 'date', op: 'gte', value: '2024-02-29' } }] }, '  Groceries  '),
        rule({ any: [{ field: 'balance', op: 'in', value: [1, 2.5] }, { field: 'description', op: 'regex', value: '^pos\\s' }] }),
      ],
      only_uncategorized: true,
    };
    const rs = validateRuleSet(input, MAX);
    assert.equal(rs.onlyUncategorized, true);
    assert.equal(rs.rules.length, 2);
    assert.equal(rs.rules[0].category, 'Groceries'); // trimmed
    assert.deepEqual(rs.rules[0].conditions, input.rules[0].conditions);
    assert.notEqual(rs.rules[0].conditions, input.rules[0].conditions);
    assert.equal(validateRuleSet({ rules: [rule(leaf())] }, MAX).onlyUncategorized, false);
  });

  it('refuses a body that is not an object, and unknown top-level keys', () => {
    one([], null, '', /must be an object/);
    one(null, null, '', /must be an object/);
    one({ rules: [rule(leaf())], extra: 1 }, null, 'extra', /unknown key "extra"/);
  });

  it('refuses no rules, not an array, and more than maxRules', () => {
    one({}, null, 'rules', /is required/);
    one({ rules: {} }, null, 'rules', /must be an array/);
    one({ rules: [] }, null, 'rules', /at least one rule/);
    const three = { rules: [rule(leaf()), rule(leaf()), rule(leaf())] };
    assert.equal(validateRuleSet(three, { maxRules: 3 }).rules.length, 3);
    const ps = problems(three, { maxRules: 2 });
    assert.deepEqual(ps, [{ rule_index: null, path: 'rules', message: 'at most 2 rules are allowed (got 3)' }]);
  });

  it('refuses a non-boolean only_uncategorized', () => {
    one({ rules: [rule(leaf())], only_uncategorized: 'yes' }, null, 'only_uncategorized', /true or false/);
  });

  it('refuses a rule that is not an object, unknown rule keys, missing conditions', () => {
    one({ rules: ['x'] }, 0, '', /must be an object/);
    one({ rules: [{ ...rule(leaf()), name: 'n' }] }, 0, 'name', /unknown key/);
    one({ rules: [{ category: 'A' }] }, 0, 'conditions', /is required/);
  });

  it('refuses empty, blank, non-string and over-long categories; 100 characters is fine', () => {
    one({ rules: [rule(leaf(), '')] }, 0, 'category', /must not be empty/);
    one({ rules: [rule(leaf(), '   ')] }, 0, 'category', /must not be empty/);
    one({ rules: [rule(leaf(), 5)] }, 0, 'category', /non-empty string/);
    one({ rules: [rule(leaf(), 'x'.repeat(101))] }, 0, 'category', /at most 100/);
    one({ rules: [rule(leaf(), 'a\u0000b')] }, 0, 'category', /NUL/);
    one({ rules: [rule(leaf(), 'a\ud800b')] }, 0, 'category', /surrogate/);
    assert.equal(validateRuleSet({ rules: [rule(leaf(), '😀'.repeat(100))] }, MAX).rules[0].category.length, 200);
  });

  it('refuses unknown fields and ops, and ops that do not apply to the field', () => {
    one({ rules: [rule(leaf({ field: 'memo' }))] }, 0, 'conditions.field', /unknown field "memo"/);
    one({ rules: [rule(leaf({ field: '__proto__' }))] }, 0, 'conditions.field', /unknown field/);
    one({ rules: [rule(leaf({ field: 'constructor' }))] }, 0, 'conditions.field', /unknown field/);
    one({ rules: [rule(leaf({ op: 'like' }))] }, 0, 'conditions.op', /unknown op "like"/);
    one({ rules: [rule(leaf({ op: 'gt', value: 1 }))] }, 0, 'conditions.op', /does not apply to description/);
    one({ rules: [rule({ field: 'amount', op: 'contains', value: 'x' })] }, 0, 'conditions.op', /does not apply to amount/);
    one({ rules: [rule({ field: 'date', op: 'regex', value: 'x' })] }, 0, 'conditions.op', /does not apply to date/);
  });

  it('refuses missing and unknown keys in a condition, and groups mixed with leaves', () => {
    one({ rules: [rule({ field: 'description', op: 'contains' })] }, 0, 'conditions.value', /is required/);
    one({ rules: [rule({ ...leaf(), extra: true })] }, 0, 'conditions.extra', /unknown key/);
    one({ rules: [rule({ ...leaf(), 'a b': true })] }, 0, 'conditions["a b"]', /unknown key/);
    one({ rules: [rule({ all: [leaf()], field: 'amount' })] }, 0, 'conditions.field', /group \(all\) cannot also have "field"/);
    one({ rules: [rule({ all: [leaf()], any: [leaf()] })] }, 0, 'conditions', /exactly one of all, any, not/);
    one({ rules: [rule({ all: [] })] }, 0, 'conditions.all', /non-empty array/);
    one({ rules: [rule({ any: leaf() })] }, 0, 'conditions.any', /non-empty array/);
    one({ rules: [rule(['x'])] }, 0, 'conditions', /must be an object/);
    one({ rules: [rule({ not: null })] }, 0, 'conditions.not', /must be an object/);
  });

  it('refuses values of the wrong type', () => {
    one({ rules: [rule(leaf({ value: 5 }))] }, 0, 'conditions.value', /must be a string, not a number/);
    one({ rules: [rule({ field: 'amount', op: 'gt', value: '5' })] }, 0, 'conditions.value', /must be a number .* not a string/);
    one({ rules: [rule({ field: 'balance', op: 'lt', value: null })] }, 0, 'conditions.value', /not null/);
    one({ rules: [rule({ field: 'amount', op: 'gt', value: 1e13 })] }, 0, 'conditions.value', /between/);
    one({ rules: [rule({ field: 'amount', op: 'gt', value: Number.NaN })] }, 0, 'conditions.value', /between/);
    one({ rules: [rule({ field: 'date', op: 'gt', value: 20240101 })] }, 0, 'conditions.value', /date string/);
    one({ rules: [rule(leaf({ value: 'x'.repeat(501) }))] }, 0, 'conditions.value', /at most 500/);
    one({ rules: [rule(leaf({ value: 'a\u0000' }))] }, 0, 'conditions.value', /NUL/);
  });

  it('refuses dates that are not real calendar dates', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-1-01', '0000-01-01', '2024-01-01T00:00', ' 2024-01-01', '2100-02-29']) {
      one({ rules: [rule({ field: 'date', op: 'equals', value: bad })] }, 0, 'conditions.value', /real calendar date/);
    }
    for (const good of ['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31']) {
      validateRuleSet({ rules: [rule({ field: 'date', op: 'equals', value: good })] }, MAX);
    }
  });

  it('refuses bad between pairs: not a pair, wrong types, reversed; accepts equal ends', () => {
    const b = (value: unknown, field = 'amount') => ({ rules: [rule({ field, op: 'between', value })] });
    one(b(5), 0, 'conditions.value', /pair/);
    one(b([1]), 0, 'conditions.value', /pair .* 1 items/);
    one(b([1, 2, 3]), 0, 'conditions.value', /pair/);
    one(b([1, 'x']), 0, 'conditions.value[1]', /must be a number/);
    one(b([10, -10]), 0, 'conditions.value', /low <= high/);
    one(b(['2024-02-01', '2024-01-01'], 'date'), 0, 'conditions.value', /low <= high/);
    validateRuleSet(b([5, 5]), MAX);
    validateRuleSet(b(['2024-01-01', '2024-01-01'], 'date'), MAX);
  });

  it('refuses bad in lists: not a list, empty, too long, bad items', () => {
    const i = (value: unknown, field = 'description') => ({ rules: [rule({ field, op: 'in', value })] });
    one(i('x'), 0, 'conditions.value', /non-empty array/);
    one(i([]), 0, 'conditions.value', /must not be empty/);
    one(i(Array.from({ length: LIMITS.MAX_IN_ITEMS + 1 }, (_, k) => `v${k}`)), 0, 'conditions.value', /at most 500 items/);
    one(i(['a', 3]), 0, 'conditions.value[1]', /must be a string/);
    one(i([1, '2'], 'balance'), 0, 'conditions.value[1]', /must be a number/);
    one(i(['2024-02-30'], 'date'), 0, 'conditions.value[0]', /real calendar date/);
    validateRuleSet(i(Array.from({ length: LIMITS.MAX_IN_ITEMS }, (_, k) => `v${k}`)), MAX);
  });

  it('refuses invalid, unsupported and unsafe regexes', () => {
    const r = (value: string) => ({ rules: [rule(leaf({ op: 'regex', value }))] });
    const cases: [string, RegExp][] = [
      ['(', /missing "\)"/],
      ['a)', /unmatched/],
      ['[a-', /missing "]"|range/],
      ['*a', /nothing to repeat/],
      ['a{2', /malformed count/],
      ['x{', /literal \{/],
      ['[z-a]', /out of order/],
      ['(?<=a)b', /lookbehind/],
      ['(?<!a)b', /lookbehind/],
      ['(?<name>a)', /named groups/],
      ['(a)\\1', /backreferences/],
      ['\\k<a>', /named backreferences/],
      ['(?=a)', /lookahead/],
      ['(?!a)', /lookahead/],
      ['(?i)abc', /inline flags/],
      ['\\p{L}', /property/],
      ['\\cA', /control escapes/],
      ['[[:alpha:]]', /POSIX/],
      ['[]', /empty classes/],
      ['[\\b]', /backspace/],
      ['[\\D]', /not supported inside/],
      ['\\q', /unknown escape/],
      ['\\u{1F600}', /\\u\{…\}/],
      ['a{1,101}', /above 100/],
      ['^*', /cannot be repeated/],
      ['(a+)+', /nested quantifiers/],
      ['(\\w*\\s?)*', /nested quantifiers/],
      ['(a|ab)*c', /alternatives/],
      ['(?:abcdefghijklmnopqrstuvwxyz0123456789){90}', /too large/],
      ['a'.repeat(201), /longer than 200/],
    ];
    for (const [pattern, re] of cases) {
      const ps = problems(r(pattern));
      assert.equal(ps.length, 1, pattern);
      assert.equal(ps[0].path, 'conditions.value', pattern);
      assert.match(ps[0].message, re, `${pattern}: ${ps[0].message}`);
    }
    const many = 'a?'.repeat(21);
    assert.match(problems(r(many))[0].message, /at most 20 quantifiers/);
    for (const ok of ['^pos\\s+purchase', '\\bfee\\b', 'a{2,3}', '[\\]\\-]', 'caf\\u00e9', '(?:ab)+c', '', '\\.\\*']) {
      validateRuleSet(r(ok), MAX);
    }
  });

  it('allows 10 levels of nesting and refuses 11', () => {
    validateRuleSet({ rules: [rule(nest(10))] }, MAX);
    const ps = problems({ rules: [rule(nest(11))] });
    assert.equal(ps.length, 1);
    assert.match(ps[0].message, /nested at most 10/);
    assert.match(ps[0].path, /^conditions(\.(all|any|not)(\[\d\])?)+$/);
  });

  it('refuses a 100,000-deep condition without overflowing the stack', () => {
    let c: unknown = leaf();
    for (let i = 0; i < 100_000; i++) c = { not: c };
    const ps = problems({ rules: [rule(c)] });
    assert.equal(ps.length, 1);
  });

  it('refuses more than MAX_TOTAL_LEAVES conditions in all', () => {
    const rules = Array.from({ length: 101 }, () => rule({ any: Array.from({ length: 100 }, () => leaf()) }));
    const ps = problems({ rules });
    assert.equal(ps.length, 1);
    assert.equal(ps[0].rule_index, null);
    assert.match(ps[0].message, /10100 conditions .* at most 10000/);
  });

  it('collects every problem, each with its rule and path', () => {
    const ps = problems({
      rules: [
        rule(leaf()),
        rule({ all: [leaf(), leaf({ field: 'nope' }), { any: [leaf({ op: 'regex', value: '(?<=x)' }), { field: 'amount', op: 'gt', value: 'big' }] }] }, ''),
        rule({ field: 'date', op: 'between', value: ['2024-01-02', '2024-01-01'] }),
      ],
      only_uncategorized: 1,
    });
    assert.deepEqual(
      ps.map((p) => [p.rule_index, p.path]),
      [
        [null, 'only_uncategorized'],
        [1, 'category'],
        [1, 'conditions.all[1].field'],
        [1, 'conditions.all[2].any[0].value'],
        [1, 'conditions.all[2].any[1].value'],
        [2, 'conditions.value'],
      ],
    );
  });

  it('reports holes in sparse arrays instead of skipping them', () => {
    one({ rules: [, rule(leaf())] }, 0, '', /must be an object/);
    one({ rules: [rule({ any: [leaf(), , leaf()] })] }, 0, 'conditions.any[1]', /must be an object/);
    one({ rules: [rule(leaf({ op: 'in', value: ['a', , 'b'] }))] }, 0, 'conditions.value[1]', /must be a string/);
  });

  it('caps the details at 200 problems plus a summary line', () => {
    const rules = Array.from({ length: 300 }, () => rule(leaf({ field: 'x' })));
    const ps = problems({ rules });
    assert.equal(ps.length, 201);
    assert.match(ps[200].message, /100 more problems/);
  });

  it('names the first problem in the error message', () => {
    assert.throws(
      () => validateRuleSet({ rules: [rule(leaf({ field: 'x' }))] }, MAX),
      (e: unknown) => e instanceof ValidationError && /1 problem, first: rule 0 conditions\.field: unknown field "x"/.test(e.message),
    );
  });

  it('refuses injection attempts in fields and ops (they are data, never SQL)', () => {
    one({ rules: [rule(leaf({ field: 'description; drop table transactions; --' }))] }, 0, 'conditions.field', /unknown field/);
    one({ rules: [rule(leaf({ field: 's.description) OR (1=1' }))] }, 0, 'conditions.field', /unknown field/);
    one({ rules: [rule(leaf({ op: "contains' OR 1=1 --" }))] }, 0, 'conditions.op', /unknown op/);
    // a value or a category with SQL in it is just text
    validateRuleSet({ rules: [rule(leaf({ value: "'; drop table transactions; --" }), `O'Brien "x"; DROP TABLE t; --`)] }, MAX);
  });
});
