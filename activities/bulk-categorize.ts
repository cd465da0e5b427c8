/**
 * Activities of the bulkCategorize workflow. The validated rule set lives in the task's
 * row (`task_status.params.rules`), not in workflow history. Before the first chunk, the
 * session's existing categories are recorded in one snapshot (only the non-empty ones: a
 * fresh session costs one scan), in the same pass that finds the range of rows to run
 * over; chunks then apply the compiled rules set-based (each in slices at once) and commit
 * one by one, and a failed or cancelled task puts every row back to what was recorded (or
 * to no category).
 */
import type { Knex } from 'knex';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import { compileRuleSet, validateRuleSet, type CompiledRuleSet } from '../domain/rules';
import { applyRulesToRangeInParts, countByCategory, recordCategoryUndo, settleCategoryUndo } from '../db/categories';
import { findReadySessionOfUser } from '../db/sessions';
import { taskParams } from '../db/tasks';
import { taskActivity } from './task-activity';

/**
 * Statements a chunk runs at once, each over its own slice of the chunk's rows: two of the
 * database server's cores per categorization. On 2 cores, 1,000,000 rows × 100 rules took
 * about half as long with two as with one whenever the second core was free (see
 * bench/RESULTS.md).
 */
export const PARTS_PER_CHUNK = 2;

export interface CategorizeDeps {
  db: Knex;
  maxRules: number;
  statementTimeoutMs: number;
}

export interface CategorizeResult {
  status: 'success';
  session_id: string;
  categorized_count: number;
  uncategorized_count: number;
  by_category: Record<string, number>;
  rows_changed: number;
}

export function createBulkCategorizeActivities(deps: CategorizeDeps) {
  const { db } = deps;
  const compiledByTask = new Map<string, CompiledRuleSet>();

  async function compiledRules(taskId: string): Promise<CompiledRuleSet> {
    const cached = compiledByTask.get(taskId);
    if (cached) return cached;
    const params = await taskParams(db, taskId);
    if (!params) throw new TaskInputError(TaskErrorCodes.INVALID_RULES, 'The task has no rule set');
    // The row's params also name the session; the rule set is the rules and the flag.
    const { rules, only_uncategorized } = params as { rules?: unknown; only_uncategorized?: unknown };
    const ruleInput = only_uncategorized === undefined ? { rules } : { rules, only_uncategorized };
    const compiled = compileRuleSet(validateRuleSet(ruleInput, { maxRules: deps.maxRules }));
    if (compiledByTask.size > 100) compiledByTask.clear();
    compiledByTask.set(taskId, compiled);
    return compiled;
  }

  return {
    prepareCategorization: taskActivity(db, async (input: { taskId: string; userId: string; sessionId: string }) => {
      if (!(await findReadySessionOfUser(db, input.userId, input.sessionId))) {
        throw new TaskInputError(TaskErrorCodes.SESSION_NOT_FOUND, 'The session does not exist or is not ready');
      }
      await compiledRules(input.taskId); // validates again: the row could have been written by an older API
      return recordCategoryUndo(db, input.taskId, input.sessionId);
    }),

    categorizeChunk: taskActivity(
      db,
      async (input: { taskId: string; sessionId: string; seqFrom: number; seqTo: number }) => {
        const compiled = await compiledRules(input.taskId);
        const { sessionId, seqFrom, seqTo } = input;
        return applyRulesToRangeInParts(db, { sessionId, seqFrom, seqTo, compiled, statementTimeoutMs: deps.statementTimeoutMs }, PARTS_PER_CHUNK);
      },
    ),

    summarizeCategories: taskActivity(
      db,
      async (input: { taskId: string; sessionId: string; rowsChanged: number }): Promise<CategorizeResult> => {
        const c = await countByCategory(db, input.sessionId);
        return {
          status: 'success',
          session_id: input.sessionId,
          categorized_count: c.categorized,
          uncategorized_count: c.uncategorized,
          by_category: c.byCategory,
          rows_changed: input.rowsChanged,
        };
      },
    ),

    /** After success: forget the undo rows. After failure or cancel: restore, then forget. */
    settleCategorization: async (input: { taskId: string; sessionId: string; restore: boolean }): Promise<void> => {
      await settleCategoryUndo(db, input.taskId, input.sessionId, input.restore);
      compiledByTask.delete(input.taskId);
    },
  };
}
