/**
 * Bearer JWT (HS256, JWT_SECRET) on every route but the public ones; the user id is the
 * token's `sub`. Every handler reads it from `ctx.state.userId`. Tokens must expire, and
 * carry JWT_ISSUER / JWT_AUDIENCE when those are set.
 */
import jsonwebtoken from 'jsonwebtoken';
import jwt from 'koa-jwt';
import type { Context, Middleware } from 'koa';
import { UnauthorizedError } from '../../contract/errors';

/**
 * Optional check of a token sent in the query string (only the SSE route accepts one, see
 * api/routes/events.ts): returns its claims, undefined when there is none, throws 401.
 */
export type QueryTokenCheck = (ctx: Context) => { sub: string; exp: number } | undefined;

/** Who issues and who may accept the service's tokens (JWT_ISSUER, JWT_AUDIENCE); empty: not checked. */
export interface TokenScope {
  issuer: string;
  audience: string;
}

export const scopeOf = (config: { jwtIssuer: string; jwtAudience: string }): TokenScope => ({ issuer: config.jwtIssuer, audience: config.jwtAudience });

/** A user's bearer token, as the service mints it (npm run token, POST /dev/token). */
export function signUserToken(config: { jwtSecret: string; jwtIssuer: string; jwtAudience: string }, userId: string, ttlSeconds: number): string {
  const { issuer, audience } = scopeOf(config);
  return jsonwebtoken.sign({ sub: userId }, config.jwtSecret, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
  });
}

export function requireUser(secret: string, publicPaths: RegExp[], queryToken?: QueryTokenCheck, scope: TokenScope = { issuer: '', audience: '' }): Middleware {
  const verify = jwt({
    secret,
    algorithms: ['HS256'],
    ...(scope.issuer ? { issuer: scope.issuer } : {}),
    ...(scope.audience ? { audience: scope.audience } : {}),
  }).unless({ path: publicPaths });
  const identify: Middleware = async (ctx, next) => {
    if (publicPaths.some((p) => p.test(ctx.path))) return next();
    const claims = ctx.state.user;
    const sub = claims?.sub;
    if (typeof sub !== 'string' && typeof sub !== 'number') throw new UnauthorizedError('The token has no subject (sub)');
    // A token that never expires cannot be taken back short of changing the secret for everyone.
    if (typeof claims?.exp !== 'number') throw new UnauthorizedError('The token has no expiry (exp)');
    const userId = String(sub);
    if (userId.length === 0 || userId.length > 128) throw new UnauthorizedError('The token subject is not a valid user id');
    ctx.state.userId = userId;
    return next();
  };
  return (ctx, next) => {
    const claims = queryToken && !publicPaths.some((p) => p.test(ctx.path)) ? queryToken(ctx) : undefined;
    if (claims) {
      ctx.state.user = claims;
      return identify(ctx, next);
    }
    return verify(ctx, () => identify(ctx, next));
  };
}
