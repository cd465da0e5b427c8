/**
 * The categories of a session's transactions: apply a compiled rule set to one range of
 * rows (one transaction, bounded by statement_timeout) or to slices of a range at once,
 * count the session's categories, and keep and restore the categories a rule run may
 * change (category_snapshots).
 */
import type { Knex } from 'knex';
import { TaskInputError } from '../contract/errors';
import type { CompiledRuleMatch, CompiledRuleSet } from '../domain/rules/compile-sql';
import { buildPreviewStatement } from '../domain/rules/preview-sql';
import { buildUpdateStatement } from '../domain/rules/update-sql';

export const RULES_TIMEOUT = 'RULES_TIMEOUT';

/**
 * For the rest of the transaction, joins of a session's rows are hash joins. The planner's
 * row estimate for a session inserted after the table's statistics were taken can be one
 * row (a statement longer than those before it: its seqs lie past the histogram), and on
 * one row it picks a nested loop that evaluates the rules for the whole range once per
 * row of the range (2,000 rows: 27 s instead of 20 ms). A hash join is right at any size.
 */
const HASH_JOINS = `set_config('enable_nestloop', 'off', true)`;

export interface ApplyArgs {
  sessionId: string;
  seqFrom: number;
  seqTo: number;
  compiled: CompiledRuleSet;
  statementTimeoutMs: number;
}

interface PgError {
  code?: string;
  message?: string;
}

/**
 * Applies the rules to rows seqFrom..seqTo (inclusive) of the session in one transaction.
 * Idempotent: conditions never read `category`, so a row's first matching rule is the same
 * on every run; with only_uncategorized a row the first run categorized is skipped by the
 * second, and a row it left NULL matches nothing the second time either. Rows already
 * holding the category they would get are not written, so `updated` counts rows whose
 * category changed (0 when a committed chunk is retried).
 *
 * Pass the pool (a Knex), not a transaction: the timeout is set with SET LOCAL, which would
 * outlive a savepoint inside someone else's transaction.
 *
 * A statement that runs past statementTimeoutMs (a costly regex on a large range) fails
 * with the non-retryable TaskInputError RULES_TIMEOUT; a regex Postgres itself refuses
 * (too complex) fails with INVALID_RULES.
 */
export async function applyRulesToRange(db: Knex, args: ApplyArgs): Promise<{ updated: number }> {
  checkArgs('applyRulesToRange', args);
  const { sessionId, seqFrom, seqTo, compiled, statementTimeoutMs } = args;
  const stmt = buildUpdateStatement(compiled, { sessionId, seqFrom, seqTo });
  try {
    return await db.transaction(async (trx) => {
      await trx.raw(`SELECT set_config('statement_timeout', ?, true), ${HASH_JOINS}`, [String(statementTimeoutMs)]);
      const res = (await trx.raw(stmt.sql, stmt.bindings)) as { rowCount: number | null };
      return { updated: res.rowCount ?? 0 };
    });
  } catch (err) {
    throw asRulesFailure(err, `Applying the rules to rows ${seqFrom}-${seqTo}`, statementTimeoutMs);
  }
}

/** A statement timeout or a regex Postgres refuses, as the rules' own error; anything else as it was. */
function asRulesFailure(err: unknown, what: string, statementTimeoutMs: number): unknown {
  const e = err as PgError;
  if (e.code === '57014' && /statement timeout/i.test(e.message ?? '')) {
    return new TaskInputError(
      RULES_TIMEOUT,
      `${what} took longer than ${statementTimeoutMs} ms and was stopped; simplify the regex conditions or use fewer rules`,
    );
  }
  if (e.code === '2201B') return new TaskInputError('INVALID_RULES', `Postgres refused a regex in the rules: ${e.message ?? ''}`.trim());
  return err;
}

/** A row of a preview's sample: as the session holds it, before the rule would change it. */
export interface PreviewSampleRow {
  id: number;
  date: string;
  description: string;
  amount: number;
  balance: number | null;
  category: string | null;
}

export interface RulePreviewRow {
  /** null: the rows no rule matches. */
  ruleIndex: number | null;
  /** Rows this rule is the first to match. */
  matched: number;
  /** Of those, rows whose category it would change. */
  changes: number;
  sample: PreviewSampleRow[];
}

/**
 * What the rules would do to the session, without writing: per rule (in order), the rows it
 * would be the first to match and change, with the first `samplePerRule` changed rows. One
 * read-only statement under the same timeout and join settings as a run.
 */
export async function previewRules(
  db: Knex,
  args: { sessionId: string; match: CompiledRuleMatch; samplePerRule: number; statementTimeoutMs: number },
): Promise<RulePreviewRow[]> {
  const stmt = buildPreviewStatement(args.match, args.sessionId, args.samplePerRule);
  try {
    return await db.transaction(
      async (trx) => {
        await trx.raw(`SELECT set_config('statement_timeout', ?, true), ${HASH_JOINS}`, [String(args.statementTimeoutMs)]);
        const res = (await trx.raw(stmt.sql, stmt.bindings)) as {
          rows: { rule_index: number | null; matched: number; changes: number; sample: PreviewSampleRow[] }[];
        };
        return res.rows.map((r) => ({ ruleIndex: r.rule_index, matched: r.matched, changes: r.changes, sample: r.sample }));
      },
      { readOnly: true },
    );
  } catch (err) {
    throw asRulesFailure(err, 'Previewing the rules', args.statementTimeoutMs);
  }
}

/**
 * applyRulesToRange over `parts` consecutive slices of the range at once, each in its own
 * transaction on its own connection. Evaluating the rules is CPU-bound in one backend, so
 * the slices run on as many of the server's cores. The range needs no single transaction:
 * every slice is idempotent, so after a failure the whole range is applied again and the
 * slices that had committed write nothing. Every slice has ended before this throws the
 * first failure, so nothing is still writing when the caller restores categories. Pass
 * the pool, as to applyRulesToRange: the slices need a connection each.
 */
export async function applyRulesToRangeInParts(db: Knex, args: ApplyArgs, parts: number): Promise<{ updated: number }> {
  checkArgs('applyRulesToRangeInParts', args);
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`applyRulesToRangeInParts: parts must be a positive whole number`);
  const size = Math.ceil((args.seqTo - args.seqFrom + 1) / parts);
  const slices: Promise<{ updated: number }>[] = [];
  for (let from = args.seqFrom; from <= args.seqTo; from += size) {
    slices.push(applyRulesToRange(db, { ...args, seqFrom: from, seqTo: Math.min(args.seqTo, from + size - 1) }));
  }
  const settled = await Promise.allSettled(slices);
  let updated = 0;
  for (const r of settled) {
    if (r.status === 'rejected') throw r.reason;
    updated += r.value.updated;
  }
  return { updated };
}

function checkArgs(fn: string, { seqFrom, seqTo, statementTimeoutMs }: ApplyArgs): void {
  if (!Number.isInteger(seqFrom) || !Number.isInteger(seqTo) || seqFrom > seqTo) {
    throw new Error(`${fn}: bad range ${seqFrom}..${seqTo}`);
  }
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 1) {
    throw new Error(`${fn}: statementTimeoutMs must be a positive whole number`);
  }
}

export interface CategoryCounts {
  categorized: number;
  uncategorized: number;
  byCategory: Record<string, number>;
}

/** How many of the session's transactions have each category, and how many have none. */
export async function countByCategory(db: Knex, sessionId: string): Promise<CategoryCounts> {
  const rows = (await db('transactions')
    .select('category')
    .count({ n: '*' })
    .where('session_id', sessionId)
    .groupBy('category')
    .orderBy('category')) as { category: string | null; n: string | number }[];
  const out: CategoryCounts = { categorized: 0, uncategorized: 0, byCategory: {} };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.category === null) out.uncategorized += n;
    else {
      out.categorized += n;
      Object.defineProperty(out.byCategory, r.category, { value: n, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

export interface SeqRange {
  seqMin: number;
  seqMax: number;
  rowCount: number;
}

/**
 * Before a rule run: a snapshot of the session's categories, kept per task so that a
 * failed or cancelled run can put them back, and the range of seqs the run goes over,
 * both from one scan of the session. The snapshot is one row holding the seqs of the
 * categorized rows and their categories as two arrays: a copy per row cost as long as
 * the run itself on a session that was categorized before.
 */
export async function recordCategoryUndo(db: Knex, taskId: string, sessionId: string): Promise<SeqRange> {
  // A retried prepare must not take a second copy over categories its chunks changed:
  // the first snapshot stays (on conflict do nothing).
  const { rows } = (await db.raw(
    `with s as (
       select coalesce(min(seq), 0)::int as seq_min, coalesce(max(seq), -1)::int as seq_max, count(*)::int as row_count,
              coalesce(array_agg(seq) filter (where category is not null), '{}') as seqs,
              coalesce(array_agg(category) filter (where category is not null), '{}') as categories
         from transactions where session_id = ?
     ), recorded as (
       insert into category_snapshots (task_id, session_id, seqs, categories)
       select ?, ?, seqs, categories from s
       on conflict (task_id) do nothing
     )
     select seq_min, seq_max, row_count from s`,
    [sessionId, taskId, sessionId],
  )) as { rows: { seq_min: number; seq_max: number; row_count: number }[] };
  return { seqMin: rows[0].seq_min, seqMax: rows[0].seq_max, rowCount: rows[0].row_count };
}

/**
 * After a run: on success forget the snapshot; on failure or cancel restore from it, then
 * forget it. Without a snapshot (never taken, or already forgotten) a restore does
 * nothing: it would otherwise clear every category the session has.
 */
export async function settleCategoryUndo(db: Knex, taskId: string, sessionId: string, restore: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    const snapshot = await trx('category_snapshots').where({ task_id: taskId }).forUpdate().first('task_id');
    if (restore && snapshot) {
      await trx.raw(`SELECT ${HASH_JOINS}`);
      // Rows the snapshot does not list had no category before the task.
      await trx.raw(
        `update transactions t set category = u.category
         from transactions s
         left join (select x.seq, x.category
                      from category_snapshots c, unnest(c.seqs, c.categories) as x(seq, category)
                     where c.task_id = ?) u on u.seq = s.seq
         where s.session_id = ? and t.id = s.id and t.category is distinct from u.category`,
        [taskId, sessionId],
      );
    }
    await trx('category_snapshots').where({ task_id: taskId }).delete();
  });
}
