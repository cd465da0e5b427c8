/**
 * The one UPDATE that applies a compiled rule set to a range of a session's rows.
 *
 *   UPDATE transactions t SET category = m.category
 *   FROM (SELECT s.seq, CASE WHEN <rule0> THEN ? … END AS category
 *         FROM (SELECT seq, description, lower(description COLLATE "C") AS d, amount, balance, date
 *               FROM transactions WHERE <in range> OFFSET 0) s
 *         OFFSET 0) m
 *   WHERE <t in range> AND t.seq = m.seq
 *     AND m.category IS NOT NULL AND t.category IS DISTINCT FROM m.category
 *
 *   <in range> = session_id = ? AND seq BETWEEN ? AND ? [AND category IS NULL]
 *
 * Each rule is evaluated at most once per row: the CASE stops at the first match, there is
 * no second `WHERE <rule0> OR <rule1> …`, and the OFFSET 0 fences stop the planner from
 * flattening the subqueries, which would copy the CASE into every filter that reads
 * m.category (and lower() into every rule). The target side is limited to the same range,
 * so the join is between two index scans of one chunk, never a scan of the whole table; it
 * runs as a hash join whatever the row estimates say (db/categories.ts turns nested loops
 * off), since a nested loop would evaluate the subquery once per row of the other side.
 * Rows whose category would not change are not written: re-running a chunk writes nothing.
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
  const inRange = (alias: string) =>
    `${alias}.session_id = ?::uuid AND ${alias}.seq BETWEEN ? AND ?${onlyNull ? ` AND ${alias}.category IS NULL` : ''}`;
  const sql = [
    'UPDATE transactions AS t SET category = m.category',
    `FROM (SELECT s.seq, ${compiled.categorySql} AS category`,
    '  FROM (SELECT t0.seq, t0.description, lower(t0.description COLLATE "C") AS d, t0.amount, t0.balance, t0.date',
    `    FROM transactions AS t0 WHERE ${inRange('t0')}`,
    '    OFFSET 0) AS s',
    '  OFFSET 0) AS m',
    `WHERE ${inRange('t')} AND t.seq = m.seq`,
    '  AND m.category IS NOT NULL AND t.category IS DISTINCT FROM m.category',
  ].join('\n');
  const r = [range.sessionId, range.seqFrom, range.seqTo];
  const bindings = [...compiled.bindings, ...r, ...r];
  if (bindings.length > PG_MAX_BINDINGS) {
    throw new Error(`the rule set needs ${bindings.length} bindings; Postgres allows ${PG_MAX_BINDINGS}`);
  }
  return { sql, bindings };
}
