/** GET /tasks, GET /tasks/:id/status, GET /tasks/:id/result, DELETE /tasks/:id */
import Router from '@koa/router';
import { WorkflowNotFoundError } from '@temporalio/client';
import { BadRequestError, GoneError, ConflictError } from '../../contract/errors';
import type { FileStore } from '../../db/files';
import { isTerminal, TASK_NAMES, TASK_STATUSES } from '../../contract/tasks';
import { findOwnTask, freshTask, statusBody, type TaskRow, type TaskViewDeps } from '../task-view';
import { intParam } from '../params';

export function taskRoutes(deps: TaskViewDeps & { files: FileStore }): Router {
  const router = new Router();

  router.get('/tasks', async (ctx) => {
    const status = ctx.query.status;
    const taskName = ctx.query.task_name;
    if (status !== undefined && !(TASK_STATUSES as readonly unknown[]).includes(status)) {
      throw new BadRequestError(`status must be one of ${TASK_STATUSES.join(', ')}`);
    }
    if (taskName !== undefined && !(TASK_NAMES as readonly unknown[]).includes(taskName)) {
      throw new BadRequestError(`task_name must be one of ${TASK_NAMES.join(', ')}`);
    }
    const limit = intParam(ctx.query.limit, 'limit', { min: 1, max: 200, fallback: 50 });
    const offset = intParam(ctx.query.offset, 'offset', { min: 0, max: 1_000_000, fallback: 0 });
    const base = deps.db<TaskRow>('task_status').where({ user_id: ctx.state.userId });
    if (status) base.andWhere({ status: status as string });
    if (taskName) base.andWhere({ task_name: taskName as string });
    const [{ count }] = await base.clone().count<{ count: string }[]>({ count: '*' });
    const rows = await base.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'task_id', order: 'desc' }]).limit(limit).offset(offset);
    ctx.body = { tasks: rows.map((r) => statusBody(r)), total: Number(count), limit, offset };
  });

  router.get('/tasks/:id/status', async (ctx) => {
    const { row, live } = await freshTask(deps, ctx.state.userId, ctx.params.id);
    ctx.body = statusBody(row, live);
  });

  router.get('/tasks/:id/result', async (ctx) => {
    const { row } = await freshTask(deps, ctx.state.userId, ctx.params.id);
    if (!isTerminal(row.status)) {
      throw new ConflictError('The task has not finished yet; check GET /tasks/{task_id}/status', 'TASK_NOT_FINISHED', {
        status: row.status,
        progress_percent: row.progress_percent,
      });
    }
    if (row.result_cleared_at) throw new GoneError('The task result was deleted', 'RESULT_DELETED');
    if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) {
      throw new GoneError('The task result has expired', 'RESULT_EXPIRED');
    }
    if (row.status === 'SUCCESS') ctx.body = { task_id: row.task_id, status: row.status, result: row.result };
    else ctx.body = { task_id: row.task_id, status: row.status, result: null, error: row.error };
  });

  router.delete('/tasks/:id', async (ctx) => {
    const row = await findOwnTask(deps.db, ctx.state.userId, ctx.params.id);
    if (!isTerminal(row.status)) {
      try {
        await deps.temporal.workflow.getHandle(row.task_id).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      ctx.body = { message: 'Task cancelled' };
      return;
    }
    if (row.file_key) await deps.files.delete(row.file_key);
    await deps.db('task_status')
      .where({ task_id: row.task_id })
      .update({ result: null, result_cleared_at: deps.db.fn.now(), updated_at: deps.db.fn.now() });
    ctx.body = { message: 'Task result deleted' };
  });

  return router;
}
