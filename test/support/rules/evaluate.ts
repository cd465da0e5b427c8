/**
 * The TS evaluator: the same rule language, one transaction at a time. It must agree with
 * the SQL path exactly (the integration tests run one truth table through both):
 * - text ops compare ASCII-folded text (text.ts), LIKE-style ops become includes /
 *   startsWith / endsWith / ===, regexes run as the translated JS source (regex-emit.ts),
 *   or on the linear-time automaton when a text is too long to trust backtracking with;
 * - numbers compare as doubles: the row's numeric(14,2) amount (≤ 14 significant digits)
 *   and the rule's value (a double, sent to SQL as its shortest round-trip text) order the
 *   same way as the exact decimals do, so no float error can flip a comparison;
 * - dates compare as 'YYYY-MM-DD' strings;
 * - a leaf on a NULL balance is false (and `not` of it true), as COALESCE(…, false) in SQL.
 */
import { compileRegex } from '../../../domain/rules/regex-safety';
import { makeMatcher } from './regex-matcher';
import { foldAscii } from '../../../domain/rules/text';
import type { Condition, EvalTransaction, Leaf, RuleSet } from '../../../domain/rules/types';

interface Row {
  d: string; // folded description
  description: string;
  amount: number;
  balance: number | null;
  date: string;
}

type Pred = (row: Row) => boolean;

function ordered<T extends number | string>(op: string, value: unknown, get: (r: Row) => T | null): Pred {
  const test = orderedTest<T>(op, value);
  return (r) => {
    const x = get(r);
    return x !== null && test(x);
  };
}

function orderedTest<T extends number | string>(op: string, value: unknown): (x: T) => boolean {
  switch (op) {
    case 'equals': {
      const v = value as T;
      return (x) => x === v;
    }
    case 'not_equals': {
      const v = value as T;
      return (x) => x !== v;
    }
    case 'gt':
      return (x) => x > (value as T);
    case 'gte':
      return (x) => x >= (value as T);
    case 'lt':
      return (x) => x < (value as T);
    case 'lte':
      return (x) => x <= (value as T);
    case 'between': {
      const [lo, hi] = value as [T, T];
      return (x) => lo <= x && x <= hi;
    }
    case 'in': {
      const set = new Set(value as T[]);
      return (x) => set.has(x);
    }
    default:
      throw new Error(`evaluate: unknown op ${op}`);
  }
}

function textPred(c: Extract<Leaf, { field: 'description' }>): Pred {
  if (c.op === 'in') {
    const set = new Set(c.value.map(foldAscii));
    return (r) => set.has(r.d);
  }
  if (c.op === 'regex') {
    const compiled = compileRegex(c.value);
    if (!compiled.ok) throw new Error(`evaluate: regex was not validated: ${compiled.message}`);
    const m = makeMatcher(compiled.ast, compiled.sources, compiled.nfa);
    const lit = compiled.literal;
    return lit === null ? (r) => m.test(r.description) : (r) => r.d.includes(lit) && m.test(r.description);
  }
  const v = foldAscii(c.value);
  switch (c.op) {
    case 'contains':
      return (r) => r.d.includes(v);
    case 'not_contains':
      return (r) => !r.d.includes(v);
    case 'starts_with':
      return (r) => r.d.startsWith(v);
    case 'ends_with':
      return (r) => r.d.endsWith(v);
    case 'equals':
      return (r) => r.d === v;
    case 'not_equals':
      return (r) => r.d !== v;
  }
}

function compile(c: Condition): Pred {
  if ('all' in c) {
    const ps = c.all.map(compile);
    return (r) => ps.every((p) => p(r));
  }
  if ('any' in c) {
    const ps = c.any.map(compile);
    return (r) => ps.some((p) => p(r));
  }
  if ('not' in c) {
    const p = compile(c.not);
    return (r) => !p(r);
  }
  switch (c.field) {
    case 'description':
      return textPred(c);
    case 'amount':
      return ordered<number>(c.op, c.value, (r) => r.amount);
    case 'balance':
      return ordered<number>(c.op, c.value, (r) => r.balance);
    case 'date':
      return ordered<string>(c.op, c.value, (r) => r.date);
  }
}

export type Evaluator = (txn: EvalTransaction) => string | null;

/** Compiles the rule set once; the returned function gives the category rules would set. */
export function prepareEvaluator(rs: RuleSet): Evaluator {
  const rules = rs.rules.map((r) => ({ category: r.category, pred: compile(r.conditions) }));
  return (txn) => {
    if (typeof txn.date !== 'string' || typeof txn.amount !== 'number' || typeof txn.description !== 'string') {
      throw new TypeError("evaluateRuleSet: a transaction needs description: string, amount: number, date: 'YYYY-MM-DD' string");
    }
    if (rs.onlyUncategorized && txn.category !== null) return null;
    const row: Row = {
      d: foldAscii(txn.description),
      description: txn.description,
      amount: txn.amount,
      balance: txn.balance,
      date: txn.date,
    };
    for (const r of rules) if (r.pred(row)) return r.category;
    return null;
  };
}

const prepared = new WeakMap<RuleSet, Evaluator>();

/**
 * The category the rules would give this transaction, or null to keep what it has (no
 * rule matches, or only_uncategorized and it already has a category).
 */
export function evaluateRuleSet(rs: RuleSet, txn: EvalTransaction): string | null {
  let ev = prepared.get(rs);
  if (!ev) {
    ev = prepareEvaluator(rs);
    prepared.set(rs, ev);
  }
  return ev(txn);
}
