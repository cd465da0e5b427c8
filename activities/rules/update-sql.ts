/**
 * The one UPDATE that applies a compiled rule set to a range of a session's rows.
 *
 *   UPDATE transactions t SET category = m.category
 *   FROM (SELECT s.id, CASE WHEN <rule0> THEN ? … END AS category
 *         FROM (SELECT id, description, lower(description COLLATE "C") AS d, amount, balance, date
 *               FROM transactions WHERE session_id = ? AND seq BETWEEN ? AND ? [AND category IS NULL]
 *               OFFSET 0) s) m
 *   WHERE t.id = m.id AND m.category IS NOT NULL AND t.category IS DISTINCT FROM m.category
 *
 * Each rule is evaluated at most once per row (the CASE stops at the first match; there is
 * no second `WHERE <rule0> OR <rule1> …`), and the folded description is computed once per
 * row (OFFSET 0 keeps the subquery from being flattened into the CASE). Rows whose
 * category would not change are not written, so re-running a chunk writes nothing.
 */
import type { CompiledRuleSet, SqlBinding } from './compile-sql';
import { PG_MAX_BINDINGS } from './types';

export interface RowRange {
  sessionId: string;
  seqFrom: number;
  seqTo: number;
}

export interface UpdateStatement {
  sql: string;
  bindings: (SqlBinding | number)[];
}

export function buildUpdateStatement(compiled: CompiledRuleSet, range: RowRange): UpdateStatement {
  const onlyNull = compiled.onlyUncategorized;
  const sql = [
    'UPDATE transactions AS t SET category = m.category',
    `FROM (SELECT s.id, ${compiled.categorySql} AS category`,
    '  FROM (SELECT t0.id, t0.description, lower(t0.description COLLATE "C") AS d, t0.amount, t0.balance, t0.date',
    '    FROM transactions AS t0',
    `    WHERE t0.session_id = ?::uuid AND t0.seq BETWEEN ? AND ?${onlyNull ? ' AND t0.category IS NULL' : ''}`,
    '    OFFSET 0) AS s) AS m',
    'WHERE t.id = m.id AND m.category IS NOT NULL AND t.category IS DISTINCT FROM m.category',
    onlyNull ? '  AND t.category IS NULL' : '',
  ]
    .filter(Boolean)
    .join('\n');
  const bindings = [...compiled.bindings, range.sessionId, range.seqFrom, range.seqTo];
  if (bindings.length > PG_MAX_BINDINGS) {
    throw new Error(`the rule set needs ${bindings.length} bindings; Postgres allows ${PG_MAX_BINDINGS}`);
  }
  return { sql, bindings };
}
