/**
 * Activity of the previewCategorize workflow: the rule preview of a session too large to be
 * answered within a request (PREVIEW_MAX_ROWS). The rule set lives in the task's row, as a
 * categorization's does; the preview itself is one read-only statement (db/categories.ts).
 */
import type { Knex } from 'knex';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import { compileRuleMatch, previewResult, validateRuleSet, type PreviewResult } from '../domain/rules';
import { previewRules } from '../db/categories';
import { findReadySessionOfUser } from '../db/sessions';
import { taskParams } from '../db/tasks';
import { taskActivity } from './task-activity';

export interface PreviewDeps {
  db: Knex;
  maxRules: number;
  statementTimeoutMs: number;
}

export function createPreviewCategorizeActivities(deps: PreviewDeps) {
  const { db } = deps;
  return {
    previewCategorization: taskActivity(db, async (input: { taskId: string; userId: string; sessionId: string; samplePerRule: number }): Promise<PreviewResult> => {
      const session = await findReadySessionOfUser(db, input.userId, input.sessionId);
      if (!session) throw new TaskInputError(TaskErrorCodes.SESSION_NOT_FOUND, 'The session does not exist or is not ready');
      const params = (await taskParams(db, input.taskId)) as { rules?: unknown; only_uncategorized?: unknown } | undefined;
      if (!params) throw new TaskInputError(TaskErrorCodes.INVALID_RULES, 'The task has no rule set');
      const ruleInput = params.only_uncategorized === undefined ? { rules: params.rules } : { rules: params.rules, only_uncategorized: params.only_uncategorized };
      const ruleSet = validateRuleSet(ruleInput, { maxRules: deps.maxRules });
      const rows = await previewRules(db, { sessionId: session.id, match: compileRuleMatch(ruleSet), samplePerRule: input.samplePerRule, statementTimeoutMs: deps.statementTimeoutMs });
      return previewResult(session.id, ruleSet, rows);
    }),
  };
}
