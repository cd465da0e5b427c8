/**
 * What this API adds to Koa's context, typed once: the authenticated user (middleware/
 * auth.ts), the parsed JSON body (middleware/json-body.ts, or multer's text fields on an
 * upload), and the route pattern @koa/router matched (for logs and metrics).
 */
import 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The `sub` of the verified token; set before any handler that needs a user runs. */
    userId: string;
    /** The verified token's claims (koa-jwt). */
    user?: { sub?: unknown; exp?: unknown };
  }
  interface Request {
    /** JSON bodies and multipart text fields; unknown until a route validates it. */
    body?: unknown;
  }
  interface DefaultContext {
    /** The route pattern matched by @koa/router (`/tasks/:id/status`), absent when none matched. */
    _matchedRoute?: string | RegExp;
    params?: Record<string, string>;
  }
}
