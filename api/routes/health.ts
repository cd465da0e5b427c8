/** GET /healthz: public; 200 when Postgres and Temporal both answer, 503 otherwise, JSON either way. */
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';

const CHECK_TIMEOUT_MS = 2000;

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; latency_ms: number; error?: string }> {
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
    return { ok: false, latency_ms: Date.now() - start, error: (err as Error).message.split('\n')[0].slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: { db: Knex; temporal: Client }): Router {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    const [postgres, temporal] = await Promise.all([
      check(() => deps.db.raw('select 1')),
      check(() =>
        deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        ),
      ),
    ]);
    const ok = postgres.ok && temporal.ok;
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'degraded', checks: { postgres, temporal } };
  });
  return router;
}
