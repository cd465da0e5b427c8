/** One structured line per request, with the user where known. Query strings are not logged (they may carry tokens). */
import type { Middleware } from 'koa';
import type { Logger } from '../../core/logger';

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
        route: (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? null,
        status: ctx.status,
        duration_ms: Math.round(ms * 10) / 10,
        ...(ctx.state.userId ? { user_id: ctx.state.userId } : {}),
      });
    }
  };
}
