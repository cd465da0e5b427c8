/**
 * The first middleware: turns every error into `{error: {code, message}}` with the right
 * status. Typed AppErrors expose their message; anything else is logged with its stack and
 * answered with a generic 500, so a client never sees internals.
 */
import type { Middleware } from 'koa';
import { AppError } from '../../contract/errors';
import type { Logger } from '../../platform/logger';

const KNOWN_STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'NOT_FOUND', message: `No route for ${ctx.method} ${ctx.path}` } };
      }
    } catch (err) {
      const e = err as Error & { status?: number; statusCode?: number; expose?: boolean; code?: string };
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
        return;
      }
      const status = e.status ?? e.statusCode;
      if (status && status >= 400 && status < 500 && KNOWN_STATUS_CODES[status]) {
        // Errors thrown by koa-jwt, koa itself or multer: safe, short, and client-caused.
        ctx.status = status;
        const message = status === 401 ? 'A valid Bearer token is required' : e.expose !== false ? e.message : 'Bad request';
        ctx.body = { error: { code: KNOWN_STATUS_CODES[status], message } };
        return;
      }
      logger.error('unhandled error', { method: ctx.method, path: ctx.path, error: e.message, stack: e.stack });
      ctx.status = 500;
      ctx.body = { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; the error was logged' } };
    }
  };
}
