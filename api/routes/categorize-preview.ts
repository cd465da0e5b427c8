/**
 * POST /sessions/:id/categorize/preview: what a rule set (the body of
 * POST /bulk_categorize_async) would do to the session, without writing — per rule, how
 * many rows it would be the first to match and how many of those it would change, with a
 * sample of the changed rows. Sessions of up to PREVIEW_MAX_ROWS are answered at once;
 * larger ones get a task (202, preview_categorize_async) whose result is the same body,
 * since a preview over a million rows would hold the request open for seconds.
 */
import Router from '@koa/router';
import { TaskInputError, ValidationError } from '../../contract/errors';
import { SUBMITTED_MESSAGES } from '../../contract/tasks';
import { previewRules } from '../../db/categories';
import { compileRuleMatch, previewResult, validateRuleSet } from '../../domain/rules';
import { intParam } from '../params';
import { findReadySession } from '../sessions';
import { readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';

const SAMPLE_DEFAULT = 5;
const SAMPLE_MAX = 50;

export function categorizePreviewRoutes(deps: SubmitDeps): Router {
  const router = new Router();
  router.post('/sessions/:id/categorize/preview', async (ctx) => {
    const userId: string = ctx.state.userId;
    const session = await findReadySession(deps.db, userId, ctx.params.id);
    const ruleSet = validateRuleSet(ctx.request.body, { maxRules: deps.config.rules.maxRules });
    const samplePerRule = intParam(ctx.query.sample, 'sample', { min: 0, max: SAMPLE_MAX, fallback: SAMPLE_DEFAULT });

    if (session.transaction_count > deps.config.rules.previewMaxRows) {
      const { taskId } = await submitTask(deps, {
        userId,
        taskName: 'preview_categorize_async',
        idempotencyKey: readIdempotencyKey(ctx.get('Idempotency-Key') || undefined),
        request: { method: ctx.method, path: ctx.path, params: { session_id: session.id, query: ctx.query, body: ctx.request.body } },
        params: { session_id: session.id, rules: ruleSet.rules, only_uncategorized: ruleSet.onlyUncategorized, sample: samplePerRule },
        memo: { session_id: session.id, rule_count: ruleSet.rules.length },
        input: { sessionId: session.id, samplePerRule },
      });
      ctx.status = 202;
      ctx.body = { task_id: taskId, status: 'submitted', message: SUBMITTED_MESSAGES.preview_categorize_async };
      return;
    }

    try {
      const rows = await previewRules(deps.db, { sessionId: session.id, match: compileRuleMatch(ruleSet), samplePerRule, statementTimeoutMs: deps.config.rules.statementTimeoutMs });
      ctx.body = previewResult(session.id, ruleSet, rows);
    } catch (err) {
      // The same refusals a run would end with, answered as the request's own error.
      if (err instanceof TaskInputError) throw new ValidationError(err.message, err.code);
      throw err;
    }
  });
  return router;
}
