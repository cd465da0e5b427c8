/** Webhooks: POST/GET/DELETE /webhooks and GET /tasks/:id/deliveries (being written). */
import Router from '@koa/router';
import type { AppDeps } from '../app';

export function webhookRoutes(_deps: AppDeps): Router {
  return new Router();
}
