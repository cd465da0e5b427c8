/**
 * GET /metrics: Prometheus exposition, for operators only. Metrics name task types, queues
 * and volumes, so they are not public: the scraper sends `Authorization: Bearer
 * <METRICS_TOKEN>` (a token of its own, not a user JWT). Without METRICS_TOKEN the
 * endpoint does not exist (404). Mounted before the JWT check, which it replaces here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { NotFoundError, UnauthorizedError } from '../../contract/errors';
import type { ApiMetrics } from '../../platform/metrics';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRoutes(deps: { metrics: ApiMetrics; token: string }): Router {
  const router = new Router();
  const expected = deps.token ? digest(deps.token) : null;
  router.get('/metrics', async (ctx) => {
    if (!expected) throw new NotFoundError('Not found');
    const m = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
    // Compare digests: equal length, constant time, whatever the client sent.
    if (!m || !timingSafeEqual(digest(m[1]), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedError('A valid metrics token is required', 'UNAUTHORIZED');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
