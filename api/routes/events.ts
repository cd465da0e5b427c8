/**
 * GET /tasks/:id/events — the task's progress as Server-Sent Events — and
 * POST /tasks/:id/stream_token, the short-lived token an EventSource (which cannot send
 * headers) puts in the query string instead of the user's JWT.
 *
 * Frames: `id: <seq>` numbers every event (gapless per task), so a client reconnecting
 * with Last-Event-ID (or ?last_event_id=, for a new EventSource) gets exactly the events
 * after it. `event: progress` while the task runs, `event: done` for the terminal status
 * (with result or error); the server then ends the stream. A client that reconnects after
 * the end gets 204, which tells EventSource to stop. `: heartbeat` comments keep proxies
 * from closing an idle stream. Events come from the process's TaskEventsHub: streams never
 * query the database themselves.
 */
import { createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import jwt from 'jsonwebtoken';
import type { Config } from '../../platform/config';
import { BadRequestError, ServiceUnavailableError, TooManyRequestsError, UnauthorizedError } from '../../contract/errors';
import { isTerminal } from '../../contract/tasks';
import { reconcileTask } from '../../platform/task-reconcile';
import type { TaskEvent, TaskEventsHub } from '../events/hub';
import { findTask, type OpenTaskRow } from '../../db/tasks';
import { findOwnTask, type TaskViewDeps } from '../task-view';

const EVENTS_PATH = /^\/tasks\/([^/]+)\/events$/;
const STREAM_AUDIENCE = 'statementflow:task-events';

/**
 * Stream tokens are signed with a key derived from JWT_SECRET, not with it: the normal
 * bearer check (koa-jwt, JWT_SECRET) therefore refuses them everywhere, and a user JWT
 * is refused here. A leaked stream URL opens one task's progress for minutes, nothing else.
 */
export const streamKey = (secret: string) => createHmac('sha256', secret).update('statementflow task-events stream token v1').digest('hex');

export function signStreamToken(config: Config, userId: string, taskId: string): string {
  return jwt.sign({ sub: userId, tid: taskId }, streamKey(config.jwtSecret), {
    algorithm: 'HS256',
    audience: STREAM_AUDIENCE,
    expiresIn: config.events.streamTokenTtlSeconds,
  });
}

/**
 * The query-token check requireUser() runs before the bearer check. Returns the claims
 * when `access_token` is present and valid for this very request; undefined when absent.
 * The token is only ever read from ctx.query: request logs record ctx.path, never it.
 */
export function streamTokenAuth(config: Config) {
  const key = streamKey(config.jwtSecret);
  return (ctx: Context): { sub: string; exp: number } | undefined => {
    const raw = ctx.query.access_token;
    if (raw === undefined) return undefined;
    const m = EVENTS_PATH.exec(ctx.path);
    if (!m || ctx.method !== 'GET') {
      throw new UnauthorizedError('access_token is accepted only by GET /tasks/{task_id}/events; send an Authorization header');
    }
    if (typeof raw !== 'string' || raw === '') throw new UnauthorizedError('access_token must be one stream token');
    if (ctx.get('Authorization')) throw new BadRequestError('Send either an Authorization header or access_token, not both');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(raw, key, { algorithms: ['HS256'], audience: STREAM_AUDIENCE }) as jwt.JwtPayload;
    } catch {
      throw new UnauthorizedError('The stream token is invalid or expired; get a new one from POST /tasks/{task_id}/stream_token');
    }
    // Belt and braces: even a token signed with our key must be short-lived.
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > config.events.streamTokenTtlSeconds) {
      throw new UnauthorizedError('The stream token lives too long');
    }
    if (typeof claims.tid !== 'string' || claims.tid.toLowerCase() !== m[1].toLowerCase()) {
      throw new UnauthorizedError('The stream token is for another task');
    }
    return { sub: String(claims.sub ?? ''), exp: claims.exp };
  };
}

/** Last-Event-ID (what EventSource sends on reconnect), else ?last_event_id=, else 0. */
function lastEventId(ctx: Context): number {
  const raw = ctx.get('Last-Event-ID') || (typeof ctx.query.last_event_id === 'string' ? ctx.query.last_event_id : '');
  if (raw === '') return 0;
  if (!/^\d{1,9}$/.test(raw.trim())) throw new BadRequestError('Last-Event-ID must be an event id from this stream', 'BAD_LAST_EVENT_ID');
  return Number(raw.trim());
}

export function frame(e: TaskEvent): string {
  return `id: ${e.seq}\nevent: ${isTerminal(e.status) ? 'done' : 'progress'}\ndata: ${JSON.stringify(e)}\n\n`;
}

export interface EventRouteDeps extends TaskViewDeps {
  config: Config;
  hub: TaskEventsHub;
}

export function eventRoutes(deps: EventRouteDeps): Router {
  const router = new Router();
  const { heartbeatSeconds, retryMs, maxStreams, maxStreamsPerUser, reconcileSeconds, streamTokenTtlSeconds } = deps.config.events;
  const streamsByUser = new Map<string, number>();
  // A quiet, open task may belong to a workflow that closed without mirroring its end
  // (terminated, timed out, cancelled before its first step): reconciling writes the final
  // row, and the trigger turns that into the final event for every stream on it.
  const reconcile = async (row: OpenTaskRow) => {
    if (!isTerminal(row.status)) await reconcileTask(deps.temporal, deps.db, row, deps.resultTtlSeconds);
  };
  deps.hub.reconcileQuietTasks(async (taskId) => {
    const row = await findTask(deps.db, taskId);
    if (row) await reconcile(row);
  }, reconcileSeconds * 1000);

  router.post('/tasks/:id/stream_token', async (ctx) => {
    const row = await findOwnTask(deps.db, ctx.state.userId, ctx.params.id);
    const token = signStreamToken(deps.config, ctx.state.userId, row.task_id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      access_token: token,
      token_type: 'stream',
      expires_in: streamTokenTtlSeconds,
      events_url: `/tasks/${row.task_id}/events?access_token=${encodeURIComponent(token)}`,
    };
  });

  router.get('/tasks/:id/events', async (ctx) => {
    // Same authorization as /status: another user's task is answered like a missing one.
    const after = lastEventId(ctx);
    let row = await findOwnTask(deps.db, ctx.state.userId, ctx.params.id);
    // Open but quiet for a while: its workflow may have closed without mirroring the end.
    // Reconciling now writes the final row (and event). Active tasks skip this entirely.
    if (!isTerminal(row.status) && Date.now() - new Date(row.updated_at).getTime() > reconcileSeconds * 1000) {
      await reconcile(row).catch((err) => deps.logger.warn('reconcile failed', { task_id: row.task_id, error: (err as Error).message }));
      row = await findOwnTask(deps.db, ctx.state.userId, ctx.params.id);
    }
    const lastSeq = Number((row as { event_seq?: number }).event_seq ?? 0);
    if (isTerminal(row.status) && after >= lastSeq) {
      ctx.status = 204; // the client saw the end already: EventSource stops reconnecting
      return;
    }
    const userId = ctx.state.userId;
    // Each user's share first: one user's streams must not use up everyone's.
    if ((streamsByUser.get(userId) ?? 0) >= maxStreamsPerUser) {
      ctx.set('Retry-After', String(Math.ceil(retryMs / 1000)));
      throw new TooManyRequestsError(
        `You have ${maxStreamsPerUser} event streams open, the most one user may have; close one or poll GET /tasks/{task_id}/status`,
        'TOO_MANY_STREAMS',
      );
    }
    if (deps.hub.streamCount >= maxStreams) {
      ctx.set('Retry-After', String(Math.ceil(retryMs / 1000)));
      throw new ServiceUnavailableError('Too many open event streams; poll GET /tasks/{task_id}/status instead', 'TOO_MANY_STREAMS');
    }
    streamsByUser.set(userId, (streamsByUser.get(userId) ?? 0) + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const left = (streamsByUser.get(userId) ?? 1) - 1;
      if (left > 0) streamsByUser.set(userId, left);
      else streamsByUser.delete(userId);
    };

    const out = new PassThrough();
    out.write(`retry: ${retryMs}\n\n`); // first: how long a client waits before reconnecting
    let heartbeat: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe?.();
      unsubscribe = undefined;
      uncount();
    };
    const write = (events: TaskEvent[]) => {
      if (out.writableEnded) return;
      for (const e of events) {
        out.write(frame(e));
        if (isTerminal(e.status)) {
          stop();
          out.end();
          return;
        }
      }
    };
    try {
      unsubscribe = await deps.hub.subscribe(row.task_id, after, write, () => {
        stop();
        out.end();
      });
    } catch (err) {
      uncount();
      deps.logger.error('task events unavailable', { task_id: row.task_id, error: (err as Error).message });
      throw new ServiceUnavailableError('Live progress is unavailable; poll GET /tasks/{task_id}/status instead', 'EVENTS_UNAVAILABLE');
    }
    if (out.writableEnded) stop(); // the replay already ended it

    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.req.socket.setKeepAlive(true);
    ctx.status = 200;
    ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
    ctx.set('Cache-Control', 'no-store, no-transform');
    ctx.set('Connection', 'keep-alive');
    ctx.set('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    heartbeat = setInterval(() => out.writableEnded || out.write(': heartbeat\n\n'), heartbeatSeconds * 1000);
    ctx.req.on('close', () => {
      stop();
      out.end();
    });
    ctx.body = out;
  });

  return router;
}
