/**
 * The web page and the API reference, served by the API itself (no build step, no CDN):
 * `/` (index.html), `/docs` (docs.html) and `/static/<file>` from api/public/, plus
 * `POST /dev/token`, which signs a development JWT — registered only when DEV_TOKEN_ENDPOINT
 * is on (npm start turns it on), never in production: otherwise the path does not exist.
 *
 * Only files that are in api/public/ when the app is built can be served: a request names
 * a key of that listing, never a path, so nothing outside the folder is reachable.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../../platform/config';
import { BadRequestError, NotFoundError } from '../../contract/errors';
import { SYSTEM_USER_ID } from '../../contract/tasks';
import { signUserToken } from '../middleware/auth';

export const PUBLIC_DIR = path.resolve(__dirname, '..', 'public');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Public paths of this router, for PUBLIC_PATHS in api/app.ts (exact, anchored). */
export const WEB_PUBLIC_PATHS = [/^\/$/, /^\/docs$/, /^\/static\/[\w-]+\.(?:js|css|svg)$/];
export const DEV_PUBLIC_PATHS = [/^\/dev\/token$/];

/** Scripts and styles from this origin only; the API is same-origin; blobs for downloads. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const USER_ID = /^[\w.@-]{1,128}$/;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

async function sendFile(ctx: Context, name: string): Promise<void> {
  const data = await readFile(path.join(PUBLIC_DIR, name));
  ctx.set('ETag', `"${createHash('sha1').update(data).digest('base64url')}"`);
  ctx.set('Cache-Control', 'no-cache'); // revalidate: cheap with the ETag, never stale after a deploy
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', CSP);
  ctx.type = TYPES[path.extname(name)];
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = data;
}

/** POST /dev/token exists only when DEV_TOKEN_ENDPOINT is on (npm start), and never in production. */
export const devTokenEndpointOn = (config: Pick<Config, 'devTokenEndpoint' | 'isProduction'>): boolean => config.devTokenEndpoint && !config.isProduction;

export function webRoutes(deps: { config: Config }): Router {
  const router = new Router();
  const files = new Set(readdirSync(PUBLIC_DIR).filter((f) => TYPES[path.extname(f)] && /^[\w-]+\.\w+$/.test(f)));

  router.get('/', (ctx) => sendFile(ctx, 'index.html'));
  router.get('/docs', (ctx) => sendFile(ctx, 'docs.html'));
  router.get('/static/:name', async (ctx) => {
    const name = ctx.params.name;
    if (!files.has(name) || name.endsWith('.html')) throw new NotFoundError('File not found');
    await sendFile(ctx, name);
  });

  if (devTokenEndpointOn(deps.config)) {
    router.post('/dev/token', (ctx) => {
      // A development convenience for the person at this machine, not for the network the
      // API may be bound to; and never for the account the service's own tasks run as.
      if (!LOOPBACK.has(ctx.req.socket.remoteAddress ?? '')) throw new NotFoundError('Not found');
      const body = (ctx.request.body ?? {}) as { user_id?: unknown };
      const userId = body.user_id ?? 'demo-user';
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        throw new BadRequestError('user_id must be 1–128 letters, digits, dots, @, dashes or underscores', 'BAD_USER_ID');
      }
      if (userId === SYSTEM_USER_ID) throw new BadRequestError(`"${SYSTEM_USER_ID}" is reserved for the service's own tasks`, 'BAD_USER_ID');
      const ttl = deps.config.jwtTtlSeconds;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        access_token: signUserToken(deps.config, userId, ttl),
        token_type: 'Bearer',
        expires_in: ttl,
        user_id: userId,
      };
    });
  }
  return router;
}
