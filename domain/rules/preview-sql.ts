/**
 * The one SELECT that previews a rule set on a session: for each rule, how many rows it
 * would be the first to match, how many of those it would change, and the first few
 * changed rows (by seq) with their category before and after. Nothing is written.
 *
 *   SELECT r, count(*) AS matched, count(*) FILTER (WHERE changed) AS changes, <sample>
 *   FROM (SELECT m.*, m.category IS DISTINCT FROM (?::text[])[m.r + 1] AS changed, row_number() …
 *         FROM (SELECT s.*, CASE WHEN <rule0> THEN 0 … END AS r
 *               FROM (SELECT … FROM transactions WHERE session_id = ? [AND category IS NULL] OFFSET 0) s
 *               OFFSET 0) m) c
 *   GROUP BY r
 *
 * The rows, the folded description and the CASE are exactly those of update-sql.ts (the
 * same Builder compiles the conditions), so "would change" here is "is written" there:
 * a row changes when its first matching rule's category differs from the one it holds.
 * The group with r NULL is the rows no rule matches.
 */
import { pgArrayLiteral, type CompiledRuleMatch, type SqlBinding } from './compile-sql';
import { PG_MAX_BINDINGS } from './types';

export interface PreviewStatement {
  sql: string;
  bindings: (SqlBinding | number)[];
}

export function buildPreviewStatement(match: CompiledRuleMatch, sessionId: string, samplePerRule: number): PreviewStatement {
  if (!Number.isInteger(samplePerRule) || samplePerRule < 0) throw new Error('buildPreviewStatement: samplePerRule must be a whole number ≥ 0');
  const onlyNull = match.onlyUncategorized ? ' AND t0.category IS NULL' : '';
  const sql = [
    'SELECT c.r AS rule_index, count(*)::int AS matched, (count(*) FILTER (WHERE c.changed))::int AS changes,',
    "  coalesce(json_agg(json_build_object('id', c.id, 'date', to_char(c.date, 'YYYY-MM-DD'), 'description', c.description,",
    "    'amount', c.amount, 'balance', c.balance, 'category', c.category) ORDER BY c.seq)",
    '    FILTER (WHERE c.changed AND c.rn <= ?), \'[]\') AS sample',
    'FROM (SELECT m.*, m.r IS NOT NULL AND m.category IS DISTINCT FROM (?::text[])[m.r + 1] AS changed,',
    '        row_number() OVER (PARTITION BY m.r, m.r IS NOT NULL AND m.category IS DISTINCT FROM (?::text[])[m.r + 1] ORDER BY m.seq) AS rn',
    `  FROM (SELECT s.*, ${match.ruleIndexSql} AS r`,
    '    FROM (SELECT t0.id, t0.seq, t0.date, t0.description, lower(t0.description COLLATE "C") AS d, t0.amount, t0.balance, t0.category',
    `      FROM transactions AS t0 WHERE t0.session_id = ?::uuid${onlyNull}`,
    '      OFFSET 0) AS s',
    '    OFFSET 0) AS m) AS c',
    'GROUP BY c.r',
    'ORDER BY c.r NULLS LAST',
  ].join('\n');
  const categories = pgArrayLiteral(match.categories);
  const bindings = [samplePerRule, categories, categories, ...match.bindings, sessionId];
  if (bindings.length > PG_MAX_BINDINGS) {
    throw new Error(`the rule set needs ${bindings.length} bindings; Postgres allows ${PG_MAX_BINDINGS}`);
  }
  return { sql, bindings };
}
