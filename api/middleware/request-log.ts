/**
 * One structured line per request, with the user and the task where known: the task from
 * a `/tasks/:id…` route, or the task_id a submission answered with. Query strings are not
 * logged (they may carry tokens).
 */
import type { Context, Middleware } from 'koa';
import type { Logger } from '../../platform/logger';

export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info('request', {
        method: ctx.method,
        path: ctx.path,
        route: typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : null,
        status: ctx.status,
        duration_ms: Math.round(ms * 10) / 10,
        ...(ctx.state.userId ? { user_id: ctx.state.userId } : {}),
        ...taskIdOf(ctx),
      });
    }
  };
}

function taskIdOf(ctx: Context): { task_id?: string } {
  const route = ctx._matchedRoute;
  const param = ctx.params?.id;
  if (typeof route === 'string' && route.startsWith('/tasks/:id') && param) return { task_id: param };
  const body = ctx.body as { task_id?: unknown } | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.task_id === 'string') return { task_id: body.task_id };
  return {};
}
