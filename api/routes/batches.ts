/** Batch uploads: GET /batches/:id (being written). */
import Router from '@koa/router';
import type { AppDeps } from '../app';

export function batchRoutes(_deps: AppDeps): Router {
  return new Router();
}
