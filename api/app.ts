/**
 * createApp(deps) builds the Koa app without a listening socket (tests call it directly;
 * api/main.ts listens). Order matters: errors first, then CORS (so even a 401 carries the
 * CORS headers a browser needs to read it), auth, body parsing, routes.
 */
import Koa from 'koa';
import cors from '@koa/cors';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import type { FileStore } from '../db/files';
import type { Logger } from '../platform/logger';
import { errorHandler } from './middleware/error-handler';
import { securityHeaders } from './middleware/security-headers';
import { requireUser, scopeOf } from './middleware/auth';
import { jsonBody } from './middleware/json-body';
import { requestLog } from './middleware/request-log';
import { requestMetrics } from './middleware/metrics';
import { metricsRoutes } from './routes/metrics';
import { createApiMetrics, type ApiMetrics } from '../platform/metrics';
import { healthRoutes } from './routes/health';
import { taskRoutes } from './routes/tasks';
import { parsePdfRoutes } from './routes/parse-pdf';
import { bulkCategorizeRoutes } from './routes/bulk-categorize';
import { generateReportRoutes } from './routes/generate-report';
import { downloadRoutes } from './routes/downloads';
import { sessionRoutes } from './routes/sessions';
import { categorizePreviewRoutes } from './routes/categorize-preview';
import { accountRoutes } from './routes/accounts';
import { correctionRoutes } from './routes/corrections';
import { eventRoutes, streamTokenAuth } from './routes/events';
import { openapiRoutes } from './routes/openapi';
import { webhookRoutes } from './routes/webhooks';
import { batchRoutes } from './routes/batches';
import { DEV_PUBLIC_PATHS, devTokenEndpointOn, WEB_PUBLIC_PATHS, webRoutes } from './routes/web';
import { TaskEventsHub } from './events/hub';

export interface AppDeps {
  config: Config;
  db: Knex;
  temporal: Client;
  files: FileStore;
  logger: Logger;
  /** Default: a registry of this app's own (see platform/metrics.ts). */
  metrics?: ApiMetrics;
  /** Default: a hub of this app's own (one LISTEN connection, opened by the first stream, closed when idle). */
  events?: TaskEventsHub;
}

/** Paths without a JWT (exact, anchored). /dev/token joins them only when it is on (devTokenEndpointOn). */
export const PUBLIC_PATHS = [/^\/healthz$/, /^\/openapi\.json$/, ...WEB_PUBLIC_PATHS];

export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.config.isProduction });
  app.silent = true; // errors are logged by errorHandler, never printed raw
  const metrics = deps.metrics ?? createApiMetrics(deps.db, { logger: deps.logger });
  const submit = { db: deps.db, temporal: deps.temporal, config: deps.config, logger: deps.logger, metrics };
  const view = { db: deps.db, temporal: deps.temporal, logger: deps.logger, resultTtlSeconds: deps.config.resultTtlSeconds };

  app.use(requestLog(deps.logger));
  app.use(requestMetrics(metrics)); // outside the error handler: sees the final status
  app.use(securityHeaders()); // outside the error handler: errors carry them too
  app.use(errorHandler(deps.logger));
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        return deps.config.corsOrigins.includes(origin) || deps.config.corsOrigins.includes('*') ? origin : '';
      },
      // If-Match and ETag: a session's corrections are made against the version the client read.
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'If-Match'],
      exposeHeaders: ['Content-Disposition', 'Content-Length', 'ETag'],
      maxAge: 600,
    }),
  );
  const routers = [
    healthRoutes(deps),
    taskRoutes({ ...view, files: deps.files }),
    parsePdfRoutes({ ...submit, files: deps.files }),
    bulkCategorizeRoutes(submit),
    generateReportRoutes(submit),
    downloadRoutes(deps),
    sessionRoutes(deps),
    categorizePreviewRoutes(submit),
    accountRoutes(deps),
    correctionRoutes(deps),
    eventRoutes({ ...view, config: deps.config, hub: deps.events ?? new TaskEventsHub({ db: deps.db, logger: deps.logger }) }),
    webhookRoutes(deps),
    batchRoutes(deps),
    openapiRoutes(deps),
    webRoutes(deps),
  ];
  const publicPaths = devTokenEndpointOn(deps.config) ? [...PUBLIC_PATHS, ...DEV_PUBLIC_PATHS] : PUBLIC_PATHS;
  const metricsRouter = metricsRoutes({ metrics, token: deps.config.metricsToken });
  app.use(metricsRouter.routes()); // its own bearer token, before the user JWT check
  app.use(requireUser(deps.config.jwtSecret, publicPaths, streamTokenAuth(deps.config), scopeOf(deps.config)));
  app.use(jsonBody(deps.config.maxJsonBytes));
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
