/** POST /bulk_categorize_async?session_id=: validate the rules up front, then start bulkCategorize. */
import Router from '@koa/router';
import { SUBMITTED_MESSAGES } from '../../contract/tasks';
import { validateRuleSet } from '../../domain/rules';
import { openTaskOnSession } from '../../db/tasks';
import { uuidParam } from '../params';
import { findReadySession } from '../sessions';
import { findByIdempotencyKey, readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';
import { ConflictError } from '../../contract/errors';

export function categorizeRoutes(deps: SubmitDeps): Router {
  const router = new Router();
  router.post('/bulk_categorize_async', async (ctx) => {
    const sessionId = uuidParam(ctx.query.session_id, 'session_id');
    const userId: string = ctx.state.userId;
    const ruleSet = validateRuleSet(ctx.request.body, { maxRules: deps.config.rules.maxRules });
    await findReadySession(deps.db, userId, sessionId);
    // Two rule runs on one session would interleave chunks and undo each other's cleanup.
    const running = await openTaskOnSession(deps.db, userId, 'bulk_categorize_async', sessionId);
    const idempotencyKey = readIdempotencyKey(ctx.get('Idempotency-Key') || undefined);
    if (running && !(await findByIdempotencyKey(deps.db, userId, idempotencyKey))) {
      throw new ConflictError('Categorization is already running on this session', 'SESSION_BUSY', { task_id: running });
    }
    const { taskId } = await submitTask(deps, {
      userId,
      taskName: 'bulk_categorize_async',
      idempotencyKey,
      params: { session_id: sessionId, rules: ruleSet.rules, only_uncategorized: ruleSet.onlyUncategorized },
      memo: { session_id: sessionId, rule_count: ruleSet.rules.length },
      input: { sessionId, chunkRows: deps.config.rules.chunkRows },
    });
    ctx.status = 202;
    ctx.body = { task_id: taskId, status: 'submitted', message: SUBMITTED_MESSAGES.bulk_categorize_async };
  });
  return router;
}
