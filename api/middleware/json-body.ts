/**
 * Reads a JSON body with a size limit: over the limit is 413, malformed JSON is 400,
 * both in the common error shape. Only for requests that declare a JSON body.
 */
import type { Middleware } from 'koa';
import { BadRequestError, PayloadTooLargeError } from '../../contract/errors';

export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method) || !ctx.is('application/json', '+json')) return next();
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw new PayloadTooLargeError(`The JSON body is larger than ${limitBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > limitBytes) throw new PayloadTooLargeError(`The JSON body is larger than ${limitBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      ctx.request.body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      throw new BadRequestError('The request body is not valid JSON', 'MALFORMED_JSON');
    }
    return next();
  };
}
