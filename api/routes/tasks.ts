/** GET /tasks, GET /tasks/:id/status, GET /tasks/:id/result, DELETE /tasks/:id */
import Router from '@koa/router';
import { WorkflowNotFoundError } from '@temporalio/client';
import { BadRequestError, GoneError, ConflictError } from '../../contract/errors';
import type { FileStore } from '../../db/files';
import { isTerminal, TASK_NAMES, TASK_STATUSES, type TaskName, type TaskStatus } from '../../contract/tasks';
import { clearTaskResult, listTasksOfUser } from '../../db/tasks';
import { findOwnTask, freshTask, statusBody, type TaskViewDeps } from '../task-view';
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
    const { rows, total } = await listTasksOfUser(deps.db, ctx.state.userId, {
      status: status as TaskStatus | undefined,
      taskName: taskName as TaskName | undefined,
      limit,
      offset,
    });
    ctx.body = { tasks: rows.map((r) => statusBody(r)), total, limit, offset };
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
    await clearTaskResult(deps.db, row.task_id);
    ctx.body = { message: 'Task result deleted' };
  });

  return router;
}
