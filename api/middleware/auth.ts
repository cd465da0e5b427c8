/**
 * Bearer JWT (HS256, JWT_SECRET) on every route but the public ones; the user id is the
 * token's `sub`. Every handler reads it from `ctx.state.userId`.
 */
import jwt from 'koa-jwt';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../../core/errors';

export function requireUser(secret: string, publicPaths: RegExp[]): Middleware {
  const verify = jwt({ secret, algorithms: ['HS256'] }).unless({ path: publicPaths });
  const identify: Middleware = async (ctx, next) => {
    if (publicPaths.some((p) => p.test(ctx.path))) return next();
    const sub = (ctx.state.user as { sub?: unknown } | undefined)?.sub;
    if (typeof sub !== 'string' && typeof sub !== 'number') throw new UnauthorizedError('The token has no subject (sub)');
    const userId = String(sub);
    if (userId.length === 0 || userId.length > 128) throw new UnauthorizedError('The token subject is not a valid user id');
    ctx.state.userId = userId;
    return next();
  };
  return (ctx, next) => verify(ctx, () => identify(ctx, next));
}
