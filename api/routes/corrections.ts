/** Corrections of a statement's rows by its owner (being written). */
import Router from '@koa/router';
import type { AppDeps } from '../app';

export function correctionRoutes(_deps: AppDeps): Router {
  return new Router();
}
