/**
 * The truth table shared by the TS evaluator's unit test and the SQL integration test:
 * fifteen transactions chosen to hit edges (LIKE metacharacters, a backslash, quotes,
 * non-ASCII, an emoji, a newline, a no-break space, NULL balances, numeric(14,2) extremes,
 * a leap day) and, for every op on every field kind, the rows that must match.
 */
import type { Condition, EvalTransaction } from '../../../domain/rules';

export interface TruthRow extends EvalTransaction {
  seq: number;
}

const row = (seq: number, description: string, amount: number, balance: number | null, date: string): TruthRow => ({
  seq,
  description,
  amount,
  balance,
  date,
  category: null,
});

export const ROWS: TruthRow[] = [
  row(1, 'POS PURCHASE WOOLWORTHS SANDTON', -150.5, 1000, '2024-01-15'),
  row(2, 'pos purchase checkers', -89.99, null, '2024-01-31'),
  row(3, 'SALARY ACME LTD', 25000, 25910.01, '2024-02-01'),
  row(4, 'Monthly Fee', -5, 25905.01, '2024-02-29'),
  row(5, 'ATM 100% CASH_WITHDRAWAL', -1000, null, '2024-03-01'),
  row(6, 'TRANSFER TO J\\SMITH', -0.01, 0, '2023-12-31'),
  row(7, 'CAFÉ DU MONDE', -42, 100.1, '2024-01-15'),
  row(8, 'café du monde', -42, 100.1, '2024-01-16'),
  row(9, '', 0, null, '2024-06-30'),
  row(10, 'INTEREST\nCREDIT', 0.05, 999999999999.99, '2024-12-31'),
  row(11, "O'REILLY'; drop table transactions; --", -12.34, -500, '2024-05-05'),
  row(12, 'EMOJI 😀 SHOP', -10, -0.01, '2024-05-06'),
  row(13, 'COFFEE-REFUND (reversal)', 5, null, '2024-05-07'),
  row(14, 'FEE', -999999999999.99, -999999999999.99, '1999-01-01'),
  row(15, 'NBSP\u00a0SPACE ATM', 1.1, 1.1, '2024-02-28'),
];

export const ALL_SEQS = ROWS.map((r) => r.seq);
const except = (...seqs: number[]): number[] => ALL_SEQS.filter((s) => !seqs.includes(s));

export interface TruthCase {
  name: string;
  condition: Condition;
  expect: number[];
}

const d = (op: string, value: unknown): Condition => ({ field: 'description', op, value }) as Condition;
const amt = (op: string, value: unknown): Condition => ({ field: 'amount', op, value }) as Condition;
const bal = (op: string, value: unknown): Condition => ({ field: 'balance', op, value }) as Condition;
const dt = (op: string, value: unknown): Condition => ({ field: 'date', op, value }) as Condition;

/** `c` inside `depth` groups (all, any, not·not alternating): the most nesting validation allows. */
function nested(c: Condition, depth: number): Condition {
  let out = c;
  for (let i = 0; i < depth; ) {
    if (i % 3 === 2 && i + 2 <= depth) {
      out = { not: { not: out } };
      i += 2;
    } else {
      out = i % 3 === 0 ? { all: [out] } : { any: [out, { field: 'amount', op: 'gt', value: 1e11 } as Condition] };
      i += 1;
    }
  }
  return out;
}

export const CASES: TruthCase[] = [
  // text: contains / not_contains (LIKE metacharacters and the escape character are literal)
  { name: 'contains lower-case word', condition: d('contains', 'purchase'), expect: [1, 2] },
  { name: 'contains upper-case word', condition: d('contains', 'PURCHASE'), expect: [1, 2] },
  { name: 'contains fee', condition: d('contains', 'fee'), expect: [4, 13, 14] },
  { name: 'contains % is literal', condition: d('contains', '%'), expect: [5] },
  { name: 'contains _ is literal', condition: d('contains', '_'), expect: [5] },
  { name: 'contains h_w (underscore literal, case-folded)', condition: d('contains', 'H_w'), expect: [5] },
  { name: 'contains backslash is literal', condition: d('contains', '\\'), expect: [6] },
  { name: 'contains j\\s', condition: d('contains', 'j\\s'), expect: [6] },
  { name: 'contains empty string matches every row', condition: d('contains', ''), expect: ALL_SEQS },
  { name: 'contains é: only ASCII letters fold', condition: d('contains', 'é'), expect: [8] },
  { name: 'contains CAFÉ', condition: d('contains', 'CAFÉ'), expect: [7] },
  { name: 'contains caf', condition: d('contains', 'caf'), expect: [7, 8] },
  { name: 'contains emoji', condition: d('contains', '😀'), expect: [12] },
  { name: 'contains SQL injection text literally', condition: d('contains', "'; drop table transactions; --"), expect: [11] },
  { name: 'contains newline', condition: d('contains', 'interest\ncredit'), expect: [10] },
  { name: 'not_contains purchase', condition: d('not_contains', 'purchase'), expect: except(1, 2) },
  { name: 'not_contains %', condition: d('not_contains', '%'), expect: except(5) },
  { name: 'not_contains empty string matches nothing', condition: d('not_contains', ''), expect: [] },
  // equals / not_equals / in
  { name: 'equals is whole-text and case-insensitive', condition: d('equals', 'fee'), expect: [14] },
  { name: 'equals mixed case', condition: d('equals', 'pos purchase CHECKERS'), expect: [2] },
  { name: 'equals empty string', condition: d('equals', ''), expect: [9] },
  { name: 'equals with quote', condition: d('equals', "o'reilly'; DROP TABLE TRANSACTIONS; --"), expect: [11] },
  { name: 'not_equals fee', condition: d('not_equals', 'FEE'), expect: except(14) },
  { name: 'in list', condition: d('in', ['fee', 'SALARY ACME LTD', 'nothing']), expect: [3, 14] },
  { name: 'in empty-string item', condition: d('in', ['']), expect: [9] },
  { name: 'in % is literal', condition: d('in', ['%', '_']), expect: [] },
  { name: 'in with quotes and braces', condition: d('in', ['{"a"}', "o'reilly'; drop table transactions; --"]), expect: [11] },
  // starts_with / ends_with
  { name: 'starts_with pos', condition: d('starts_with', 'POS'), expect: [1, 2] },
  { name: 'starts_with fee', condition: d('starts_with', 'fee'), expect: [14] },
  { name: 'starts_with empty', condition: d('starts_with', ''), expect: ALL_SEQS },
  { name: 'starts_with % is literal', condition: d('starts_with', '%'), expect: [] },
  { name: 'ends_with monde', condition: d('ends_with', 'MONDE'), expect: [7, 8] },
  { name: 'ends_with atm', condition: d('ends_with', 'atm'), expect: [15] },
  { name: 'ends_with _withdrawal', condition: d('ends_with', '_withdrawal'), expect: [5] },
  { name: 'ends_with --', condition: d('ends_with', '--'), expect: [11] },
  { name: 'ends_with %', condition: d('ends_with', 'h%'), expect: [] },
  // regex
  { name: 'regex anchored with \\s+', condition: d('regex', '^pos\\s+purchase'), expect: [1, 2] },
  { name: 'regex word boundaries', condition: d('regex', '\\bfee\\b'), expect: [4, 14] },
  { name: 'regex not-a-boundary', condition: d('regex', '\\Bfee'), expect: [13] },
  { name: 'regex end anchor', condition: d('regex', 'fee$'), expect: [4, 14] },
  { name: 'regex empty text', condition: d('regex', '^$'), expect: [9] },
  { name: 'regex digits and literal %', condition: d('regex', '\\d{3}%'), expect: [5] },
  { name: 'regex dot matches newline', condition: d('regex', 'interest.credit'), expect: [10] },
  { name: 'regex \\s matches newline', condition: d('regex', 'interest\\scredit'), expect: [10] },
  { name: 'regex \\s matches a no-break space', condition: d('regex', 'nbsp\\sspace'), expect: [15] },
  { name: 'regex \\b next to a non-ASCII letter', condition: d('regex', 'caf\\b'), expect: [7, 8] },
  { name: 'regex dot is one code point (emoji)', condition: d('regex', 'emoji .\\sshop'), expect: [12] },
  { name: 'regex non-ASCII class', condition: d('regex', '[^\\x00-\\x7f]'), expect: [7, 8, 12, 15] },
  { name: 'regex with a quote', condition: d('regex', "o'reilly'; drop"), expect: [11] },
  { name: 'regex escaped backslash', condition: d('regex', 'j\\\\s'), expect: [6] },
  { name: 'regex alternation', condition: d('regex', 'colou?r|salary'), expect: [3] },
  { name: 'regex class range folds case', condition: d('regex', '^[a-c][a-f]{2}'), expect: [7, 8] },
  { name: 'regex negated class folds case', condition: d('regex', '[^a-z0-9 ]$'), expect: [11, 13] },
  { name: 'regex \\D \\W \\S', condition: d('regex', '^\\D\\W\\S'), expect: [11] },
  { name: 'regex lazy quantifier answers the same', condition: d('regex', 'pos.*?checkers'), expect: [2] },
  { name: 'regex escaped parenthesis', condition: d('regex', '\\(reversal\\)$'), expect: [13] },
  // amount (numbers compare exactly against numeric(14,2))
  { name: 'amount equals -150.5', condition: amt('equals', -150.5), expect: [1] },
  { name: 'amount equals -42', condition: amt('equals', -42), expect: [7, 8] },
  { name: 'amount equals 0', condition: amt('equals', 0), expect: [9] },
  { name: 'amount equals -0', condition: amt('equals', -0), expect: [9] },
  { name: 'amount equals 1.1', condition: amt('equals', 1.1), expect: [15] },
  { name: 'amount equals 10.005 (no row has 3 decimals)', condition: amt('equals', 10.005), expect: [] },
  { name: 'amount not_equals -42', condition: amt('not_equals', -42), expect: except(7, 8) },
  { name: 'amount gt 0', condition: amt('gt', 0), expect: [3, 10, 13, 15] },
  { name: 'amount gte 0', condition: amt('gte', 0), expect: [3, 9, 10, 13, 15] },
  { name: 'amount lt -100', condition: amt('lt', -100), expect: [1, 5, 14] },
  { name: 'amount lte -150.5', condition: amt('lte', -150.5), expect: [1, 5, 14] },
  { name: 'amount lt -150.5', condition: amt('lt', -150.5), expect: [5, 14] },
  { name: 'amount gt 0.049', condition: amt('gt', 0.049), expect: [3, 10, 13, 15] },
  { name: 'amount lt 0.051', condition: amt('lt', 0.051), expect: except(3, 13, 15) },
  { name: 'amount between -50 and -5', condition: amt('between', [-50, -5]), expect: [4, 7, 8, 11, 12] },
  { name: 'amount between -0.01 and 0.05', condition: amt('between', [-0.01, 0.05]), expect: [6, 9, 10] },
  { name: 'amount between 5 and 5', condition: amt('between', [5, 5]), expect: [13] },
  { name: 'amount between 1.1 and 25000', condition: amt('between', [1.1, 25000]), expect: [3, 13, 15] },
  { name: 'amount in', condition: amt('in', [-42, 5, 123]), expect: [7, 8, 13] },
  { name: 'amount gt the minimum', condition: amt('gt', -999999999999.99), expect: except(14) },
  { name: 'amount lte the minimum', condition: amt('lte', -999999999999.99), expect: [14] },
  // balance (NULL in rows 2, 5, 9, 13: every comparison false, so `not` of it true)
  { name: 'balance gt 0', condition: bal('gt', 0), expect: [1, 3, 4, 7, 8, 10, 15] },
  { name: 'balance lte 0', condition: bal('lte', 0), expect: [6, 11, 12, 14] },
  { name: 'not balance gt 0 includes NULL balances', condition: { not: bal('gt', 0) }, expect: [2, 5, 6, 9, 11, 12, 13, 14] },
  { name: 'balance equals 100.1', condition: bal('equals', 100.1), expect: [7, 8] },
  { name: 'balance not_equals on NULL is false', condition: bal('not_equals', 100.1), expect: [1, 3, 4, 6, 10, 11, 12, 14, 15] },
  { name: 'not balance equals includes NULL', condition: { not: bal('equals', 100.1) }, expect: except(7, 8) },
  { name: 'balance between 0 and 1000', condition: bal('between', [0, 1000]), expect: [1, 6, 7, 8, 15] },
  { name: 'balance in', condition: bal('in', [0, -0.01]), expect: [6, 12] },
  { name: 'not balance in', condition: { not: bal('in', [0]) }, expect: except(6) },
  { name: 'balance known (any of gt/lte)', condition: { any: [bal('gt', 0), bal('lte', 0)] }, expect: except(2, 5, 9, 13) },
  { name: 'balance unknown (not any)', condition: { not: { any: [bal('gt', 0), bal('lte', 0)] } }, expect: [2, 5, 9, 13] },
  { name: 'balance gte the maximum', condition: bal('gte', 999999999999.99), expect: [10] },
  { name: 'balance lt -0.001', condition: bal('lt', -0.001), expect: [11, 12, 14] },
  // date
  { name: 'date equals', condition: dt('equals', '2024-01-15'), expect: [1, 7] },
  { name: 'date not_equals', condition: dt('not_equals', '2024-01-15'), expect: except(1, 7) },
  { name: 'date gt', condition: dt('gt', '2024-05-05'), expect: [9, 10, 12, 13] },
  { name: 'date gte', condition: dt('gte', '2024-05-05'), expect: [9, 10, 11, 12, 13] },
  { name: 'date lt', condition: dt('lt', '2024-01-01'), expect: [6, 14] },
  { name: 'date lte', condition: dt('lte', '2024-01-15'), expect: [1, 6, 7, 14] },
  { name: 'date between February (leap year)', condition: dt('between', ['2024-02-01', '2024-02-29']), expect: [3, 4, 15] },
  { name: 'date between one day', condition: dt('between', ['2024-01-16', '2024-01-16']), expect: [8] },
  { name: 'date in', condition: dt('in', ['2024-02-29', '1999-01-01', '2020-02-29']), expect: [4, 14] },
  // groups
  { name: 'all', condition: { all: [d('contains', 'pos'), amt('lt', -100)] }, expect: [1] },
  { name: 'any', condition: { any: [d('equals', 'fee'), amt('gt', 20000)] }, expect: [3, 14] },
  { name: 'not', condition: { not: d('contains', 'e') }, expect: [5, 9] },
  { name: 'double not', condition: { not: { not: d('contains', 'e') } }, expect: except(5, 9) },
  {
    name: 'nested all/any/not',
    condition: { all: [{ any: [d('starts_with', 'pos'), d('contains', 'atm')] }, { not: amt('gt', 0) }] },
    expect: [1, 2, 5],
  },
  { name: 'ten levels of nesting', condition: nested(d('contains', 'fee'), 10), expect: [4, 13, 14] },
];
