/** GET /openapi.json: the OpenAPI 3.1 document of this API (public; rendered at /docs). */
import Router from '@koa/router';
import type { Config } from '../../platform/config';
import { buildOpenApiDocument } from '../openapi/document';
import { devTokenEndpointOn } from './web';

export function openapiRoutes(deps: { config: Config }): Router {
  const router = new Router();
  // Built once: it depends only on whether this process serves the development endpoints.
  const body = JSON.stringify(buildOpenApiDocument({ includeDev: devTokenEndpointOn(deps.config) }));
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
