/**
 * POST /bulk_categorize_async?session_id=: validate the rules up front, then start
 * bulkCategorize. The body is the rule set, plus an optional callback_url and
 * callback_secret (also accepted in the query string).
 */
import Router from '@koa/router';
import { SUBMITTED_MESSAGES } from '../../contract/tasks';
import { validateRuleSet } from '../../domain/rules';
import { openTaskOnSession } from '../../db/tasks';
import { uuidParam } from '../params';
import { findReadySession } from '../sessions';
import { readIdempotencyKey, submitTask, TaskBusyError, type SubmitDeps } from '../task-submission';
import { ConflictError } from '../../contract/errors';
import { readCallbackFields, splitCallbackFields, withoutCallbackSecret } from '../callback-fields';

const PATH = '/bulk_categorize_async';
/** Tries when the task holding the session closes between our insert and our look-up of it. */
const BUSY_TRIES = 3;

export function bulkCategorizeRoutes(deps: SubmitDeps): Router {
  const router = new Router();
  router.post(PATH, async (ctx) => {
    const sessionId = uuidParam(ctx.query.session_id, 'session_id');
    const userId: string = ctx.state.userId;
    const { fields, rest } = splitCallbackFields(ctx.request.body);
    const callback = readCallbackFields({ ...ctx.query, ...fields }, deps.config);
    const ruleSet = validateRuleSet(rest, { maxRules: deps.config.rules.maxRules });
    await findReadySession(deps.db, userId, sessionId);
    const idempotencyKey = readIdempotencyKey(ctx.get('Idempotency-Key') || undefined);
    // Two rule runs on one session would interleave chunks and undo each other's cleanup. The
    // database allows one open categorization per session (a unique index), so of two
    // simultaneous requests exactly one inserts its task; the other is answered 409 here.
    for (let attempt = 1; ; attempt++) {
      try {
        const { taskId } = await submitTask(deps, {
          userId,
          taskName: 'bulk_categorize_async',
          idempotencyKey,
          request: { method: ctx.method, path: ctx.path, params: withoutCallbackSecret({ query: ctx.query, body: ctx.request.body }) },
          callback,
          params: { session_id: sessionId, rules: ruleSet.rules, only_uncategorized: ruleSet.onlyUncategorized },
          memo: { session_id: sessionId, rule_count: ruleSet.rules.length },
          input: { sessionId, chunkRows: deps.config.rules.chunkRows },
        });
        ctx.status = 202;
        ctx.body = { task_id: taskId, status: 'submitted', message: SUBMITTED_MESSAGES.bulk_categorize_async };
        return;
      } catch (err) {
        if (!(err instanceof TaskBusyError)) throw err;
        const running = await openTaskOnSession(deps.db, userId, 'bulk_categorize_async', sessionId);
        if (running || attempt >= BUSY_TRIES) {
          throw new ConflictError('Categorization is already running on this session', 'SESSION_BUSY', running ? { task_id: running } : undefined);
        }
        // The running task closed just now: the session is free, so submit again.
      }
    }
  });
  return router;
}
