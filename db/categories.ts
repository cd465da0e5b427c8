/**
 * The categories of a session's transactions: apply a compiled rule set to one range of
 * rows (one transaction, bounded by statement_timeout), count the session's categories,
 * and keep and restore the categories a rule run may change (category_undo).
 */
import type { Knex } from 'knex';
import { TaskInputError } from '../contract/errors';
import type { CompiledRuleSet } from '../domain/rules/compile-sql';
import { buildUpdateStatement } from '../domain/rules/update-sql';

export const RULES_TIMEOUT = 'RULES_TIMEOUT';

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
  const { sessionId, seqFrom, seqTo, compiled, statementTimeoutMs } = args;
  if (!Number.isInteger(seqFrom) || !Number.isInteger(seqTo) || seqFrom > seqTo) {
    throw new Error(`applyRulesToRange: bad range ${seqFrom}..${seqTo}`);
  }
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 1) {
    throw new Error(`applyRulesToRange: statementTimeoutMs must be a positive whole number`);
  }
  const stmt = buildUpdateStatement(compiled, { sessionId, seqFrom, seqTo });
  try {
    return await db.transaction(async (trx) => {
      await trx.raw(`SELECT set_config('statement_timeout', ?, true)`, [String(statementTimeoutMs)]);
      const res = (await trx.raw(stmt.sql, stmt.bindings)) as { rowCount: number | null };
      return { updated: res.rowCount ?? 0 };
    });
  } catch (err) {
    const e = err as PgError;
    if (e.code === '57014' && /statement timeout/i.test(e.message ?? '')) {
      throw new TaskInputError(
        RULES_TIMEOUT,
        `Applying the rules to rows ${seqFrom}-${seqTo} took longer than ${statementTimeoutMs} ms and was stopped; ` +
          'simplify the regex conditions or use fewer rules',
      );
    }
    if (e.code === '2201B') {
      throw new TaskInputError('INVALID_RULES', `Postgres refused a regex in the rules: ${e.message ?? ''}`.trim());
    }
    throw err;
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

/**
 * Before a rule run: the session's current categories, kept per task so that a failed or
 * cancelled run can put them back.
 */
export async function recordCategoryUndo(db: Knex, taskId: string, sessionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    // A retried prepare must not take a second copy over categories its chunks changed.
    const fresh = await trx('category_undo_sets').insert({ task_id: taskId, session_id: sessionId }).onConflict('task_id').ignore().returning('task_id');
    if (fresh.length === 0) return;
    await trx.raw(
      `insert into category_undo (task_id, session_id, seq, old_category)
       select ?, session_id, seq, category from transactions
       where session_id = ? and category is not null
       on conflict (task_id, seq) do nothing`,
      [taskId, sessionId],
    );
  });
}

/**
 * After a run: on success forget the undo set; on failure or cancel restore from it, then
 * forget it. Without a recorded set (never taken, or already forgotten) a restore does
 * nothing: it would otherwise clear every category the session has.
 */
export async function settleCategoryUndo(db: Knex, taskId: string, sessionId: string, restore: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    const set = await trx('category_undo_sets').where({ task_id: taskId }).forUpdate().first('task_id');
    if (restore && set) {
      // Rows without a recorded category had none before the task.
      await trx.raw(
        `update transactions t set category = u.old_category
         from transactions s
         left join category_undo u on u.task_id = ? and u.seq = s.seq
         where s.session_id = ? and t.id = s.id and t.category is distinct from u.old_category`,
        [taskId, sessionId],
      );
    }
    await trx('category_undo').where({ task_id: taskId }).delete();
    await trx('category_undo_sets').where({ task_id: taskId }).delete();
  });
}
