/**
 * Headers every answer carries. Transactions and balances are financial data: no cache on
 * the way (a shared proxy, the browser's disk) may keep them, so nothing but the page's
 * static assets (which say so themselves) may be stored. And no answer is to be sniffed into another type (a CSV
 * of attacker-chosen descriptions rendered as HTML).
 */
import type Koa from 'koa';

export function securityHeaders(): Koa.Middleware {
  return async (ctx, next) => {
    // Before the route: a stream sends its headers before the route returns.
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      await next();
    } finally {
      // A route that says how it may be cached (the page's assets, the event stream) is left to say so.
      if (!ctx.response.get('Cache-Control') && !ctx.headerSent) ctx.set('Cache-Control', 'no-store');
    }
  };
}
