/**
 * GET /batches/:id: a batch upload's tasks with their statuses and a summary. Only its
 * owner sees it; another user's batch answers 404 exactly like a missing one.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../contract/errors';
import { batchView } from '../../db/batches';
import type { AppDeps } from '../app';
import { isUuid } from '../params';

export function batchRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/batches/:id', async (ctx) => {
    const id = ctx.params.id;
    const view = isUuid(id) ? await batchView(deps.db, ctx.state.userId, id.toLowerCase()) : null;
    if (!view) throw new NotFoundError('Batch not found', 'BATCH_NOT_FOUND');
    const { summary } = view;
    ctx.body = { ...view, status: summary.running === 0 ? 'completed' : 'running' };
  });
  return router;
}
