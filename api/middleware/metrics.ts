/**
 * Request latency for Prometheus, labelled by the matched route pattern
 * (`/tasks/:id/status`), never the raw path: ids in paths would make one series per task.
 * Mounted outside the error handler so the status is the one the client got.
 */
import type { Middleware } from 'koa';
import type { ApiMetrics } from '../../platform/metrics';

export function requestMetrics(metrics: Pick<ApiMetrics, 'httpDuration'>): Middleware {
  return async (ctx, next) => {
    const end = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const route = ctx._matchedRoute;
      end({ method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status: String(ctx.status) });
    }
  };
}
