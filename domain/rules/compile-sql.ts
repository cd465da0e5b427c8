/**
 * compileRuleSet: a validated RuleSet → one SQL expression `CASE WHEN <rule0> THEN ? …
 * END` giving the first matching rule's category (NULL when none matches), plus its
 * bindings. Pure. Every user value is a binding; field names come from the fixed COLUMN
 * map and ops from the fixed maps below; nothing from the input is spliced into SQL.
 *
 * The expression reads the columns of the subquery `s` built in update-sql.ts:
 * s.d = lower(description COLLATE "C") (ASCII-folded once per row), s.description,
 * s.amount, s.balance, s.date. Text ops compare that folded text: contains is strpos(),
 * starts_with / ends_with are LIKE with the value's %, _ and \ escaped (measured quicker
 * than ^@ and right()), equals / in are = and = ANY.
 *
 * NULL semantics: every leaf is two-valued. A leaf on a nullable column (balance) is
 * wrapped in COALESCE(…, false): a comparison on a NULL balance is false, so `not` of it
 * is true, exactly as in the TS evaluator (evaluate.ts). Other columns are NOT NULL.
 * Lists (`in`) are passed as ONE array binding each, so a rule set's binding count is at
 * most 2 per leaf + 1 per rule, far below Postgres' 65,535 with the validation limits.
 */
import { likeEndsWith, likeStartsWith } from './like-escape';
import { compileRegex } from './regex-safety';
import { foldAscii } from './text';
import type { Condition, Field, Leaf, RuleSet } from './types';

export type SqlBinding = string;

export interface CompiledRuleSet {
  /** `CASE WHEN … THEN ? … END` over subquery alias `s`; NULL when no rule matches. */
  categorySql: string;
  /** The bindings of categorySql, in order (all strings: numbers as exact decimal text). */
  bindings: SqlBinding[];
  onlyUncategorized: boolean;
  ruleCount: number;
}

const COLUMN: Record<Field, string> = {
  description: 's.description',
  amount: 's.amount',
  balance: 's.balance',
  date: 's.date',
};
const NULLABLE: Record<Field, boolean> = { description: false, amount: false, balance: true, date: false };
const FOLDED = 's.d';
const CMP: Record<string, string> = { equals: '=', not_equals: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
// E'\\' is one backslash whatever standard_conforming_strings says.
const LIKE_ESCAPE = ` ESCAPE E'\\\\'`;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** A JS number as exact decimal text for a numeric binding (String() round-trips doubles). */
export function decimalText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/** A Postgres array literal, every element double-quoted with " and \ escaped. */
export function pgArrayLiteral(items: string[]): string {
  return `{${items.map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

class Builder {
  readonly bindings: SqlBinding[] = [];

  bind(v: SqlBinding): string {
    this.bindings.push(v);
    return '?';
  }

  condition(c: Condition): string {
    if ('all' in c) return `(${c.all.map((x) => this.condition(x)).join(' AND ')})`;
    if ('any' in c) return `(${c.any.map((x) => this.condition(x)).join(' OR ')})`;
    if ('not' in c) return `(NOT ${this.condition(c.not)})`;
    const sql = this.leaf(c);
    return NULLABLE[c.field] ? `COALESCE(${sql}, false)` : `(${sql})`;
  }

  private leaf(c: Leaf): string {
    // Defence in depth: a RuleSet that did not come from validateRuleSet cannot reach SQL.
    if (!has(COLUMN, c.field)) throw new Error(`compileRuleSet: unknown field ${JSON.stringify(c.field)}`);
    if (c.field === 'description') return this.text(c);
    const col = COLUMN[c.field];
    const cast = c.field === 'date' ? 'date' : 'numeric';
    const lit = (v: number | string): string => (typeof v === 'number' ? decimalText(v) : v);
    switch (c.op) {
      case 'between':
        return `${col} BETWEEN ${this.bind(lit(c.value[0]))}::${cast} AND ${this.bind(lit(c.value[1]))}::${cast}`;
      case 'in':
        return `${col} = ANY(${this.bind(pgArrayLiteral((c.value as (number | string)[]).map(lit)))}::${cast}[])`;
      default:
        if (!has(CMP, c.op)) throw new Error(`compileRuleSet: unknown op ${JSON.stringify(c.op)}`);
        return `${col} ${CMP[c.op]} ${this.bind(lit(c.value))}::${cast}`;
    }
  }

  private text(c: Extract<Leaf, { field: 'description' }>): string {
    if (c.op === 'in') return `${FOLDED} = ANY(${this.bind(pgArrayLiteral(c.value.map(foldAscii)))}::text[])`;
    const v = c.value;
    switch (c.op) {
      // strpos: ~20 % quicker than LIKE '%…%' here, and nothing to escape
      case 'contains':
        return `strpos(${FOLDED}, ${this.bind(foldAscii(v))}) > 0`;
      case 'not_contains':
        return `strpos(${FOLDED}, ${this.bind(foldAscii(v))}) = 0`;
      case 'starts_with':
        return `${FOLDED} LIKE ${this.bind(likeStartsWith(foldAscii(v)))}${LIKE_ESCAPE}`;
      case 'ends_with':
        return `${FOLDED} LIKE ${this.bind(likeEndsWith(foldAscii(v)))}${LIKE_ESCAPE}`;
      case 'equals':
        return `${FOLDED} = ${this.bind(foldAscii(v))}`;
      case 'not_equals':
        return `${FOLDED} <> ${this.bind(foldAscii(v))}`;
      case 'regex': {
        // binding order follows the text: the prefilter literal first, then the pattern
        const r = compileRegex(v);
        if (!r.ok) throw new Error(`compileRuleSet: regex was not validated: ${r.message}`);
        const pre = r.literal === null ? '' : `strpos(${FOLDED}, ${this.bind(r.literal)}) > 0 AND `;
        return `${pre}${COLUMN.description} COLLATE "C" ~ ${this.bind(r.sources.pg)}`;
      }
      default:
        throw new Error(`compileRuleSet: unknown op ${JSON.stringify((c as { op: unknown }).op)}`);
    }
  }
}

/**
 * The same rule set as `CASE WHEN <rule0> THEN 0 WHEN <rule1> THEN 1 … END`: which rule
 * matches a row first (NULL when none does), for a preview. The conditions are built by
 * the same Builder as compileRuleSet's, so a preview and a run cannot disagree on a row.
 */
export interface CompiledRuleMatch {
  /** Over subquery alias `s`, like categorySql; the indexes are literals of ours, not input. */
  ruleIndexSql: string;
  bindings: SqlBinding[];
  /** The category each rule sets, by index. */
  categories: string[];
  onlyUncategorized: boolean;
}

export function compileRuleMatch(rs: RuleSet): CompiledRuleMatch {
  if (rs.rules.length === 0) throw new Error('compileRuleMatch: no rules');
  const b = new Builder();
  const whens = rs.rules.map((r, i) => `WHEN ${b.condition(r.conditions)} THEN ${i}`);
  return {
    ruleIndexSql: `CASE ${whens.join(' ')} END`,
    bindings: b.bindings,
    categories: rs.rules.map((r) => r.category),
    onlyUncategorized: rs.onlyUncategorized,
  };
}

/** Compiles a validated RuleSet (from validateRuleSet) to SQL and bindings. */
export function compileRuleSet(rs: RuleSet): CompiledRuleSet {
  if (rs.rules.length === 0) throw new Error('compileRuleSet: no rules');
  const b = new Builder();
  const whens = rs.rules.map((r) => {
    const cond = b.condition(r.conditions);
    return `WHEN ${cond} THEN ${b.bind(r.category)}::text`;
  });
  return {
    categorySql: `CASE ${whens.join(' ')} END`,
    bindings: b.bindings,
    onlyUncategorized: rs.onlyUncategorized,
    ruleCount: rs.rules.length,
  };
}
