/**
 * GET /healthz: public; 200 when Postgres and Temporal both answer, 503 otherwise, JSON
 * either way. It says which dependency is down, never why: the error text of a failed
 * connection names addresses and users, and this endpoint answers anyone. The reason
 * goes to the log.
 */
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger';

const CHECK_TIMEOUT_MS = 2000;

async function check(name: string, fn: () => Promise<unknown>, logger: Logger): Promise<{ ok: boolean; latency_ms: number }> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latency_ms: Date.now() - start };
  } catch (err) {
    logger.warn('health check failed', { dependency: name, error: (err as Error).message.split('\n')[0].slice(0, 300) });
    return { ok: false, latency_ms: Date.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: { db: Knex; temporal: Client; logger: Logger }): Router {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    const [postgres, temporal] = await Promise.all([
      check('postgres', () => deps.db.raw('select 1'), deps.logger),
      check('temporal', () =>
        deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        ),
        deps.logger,
      ),
    ]);
    const ok = postgres.ok && temporal.ok;
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'degraded', checks: { postgres, temporal } };
  });
  return router;
}
