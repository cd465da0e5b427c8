/**
 * Upload slots: at most `max` uploads received and stored at once by this process. Each
 * is held in memory until the file store has it, so this bounds that memory (max ×
 * MAX_UPLOAD_BYTES). One more waits for a free slot — its body unread, so it costs a
 * socket, not memory — for up to `waitMs`: a burst of uploads is slowed down, not turned
 * away.
 *
 * Each user holds at most `perUser` slots at once, so one user's slow uploads cannot take
 * every slot: a freed slot goes to the longest-waiting upload whose user is under their
 * share. An upload still waiting after `waitMs` is refused with Retry-After: 429
 * TOO_MANY_UPLOADS when its user held their whole share (their own uploads were in the
 * way), 503 UPLOADS_BUSY when other users' uploads filled the server.
 *
 * A request with several files (a batch) may hold more than one slot: `weight` says how
 * many, one per MAX_UPLOAD_BYTES its body may carry, so the memory bound stays max ×
 * MAX_UPLOAD_BYTES whatever the requests hold. A weight is at most min(max, perUser), or
 * it could never be given.
 */
import type { Context, Middleware } from 'koa';
import { ServiceUnavailableError, TooManyRequestsError } from '../../contract/errors';

export interface UploadSlots {
  max: number;
  perUser: number;
  waitMs: number;
  /** Slots the request needs (default 1); the route decides it from the body's declared length. */
  weight?: (ctx: Context) => number;
}

interface Waiter {
  user: string;
  weight: number;
  give: () => void;
}

export function limitConcurrentUploads({ max, perUser, waitMs, weight }: UploadSlots): Middleware {
  let inFlight = 0;
  const held = new Map<string, number>();
  const waiting: Waiter[] = [];
  const holding = (user: string) => held.get(user) ?? 0;
  const canTake = (user: string, n: number) => inFlight + n <= max && holding(user) + n <= perUser;
  const take = (user: string, n: number) => {
    inFlight += n;
    held.set(user, holding(user) + n);
  };
  const release = (user: string, n: number) => {
    inFlight -= n;
    const left = holding(user) - n;
    if (left > 0) held.set(user, left);
    else held.delete(user);
    // Freed slots may let several waiting uploads in (a batch gave back more than one).
    for (let i = waiting.findIndex((w) => canTake(w.user, w.weight)); i >= 0; i = waiting.findIndex((w) => canTake(w.user, w.weight))) {
      const [next] = waiting.splice(i, 1);
      take(next.user, next.weight);
      next.give();
    }
  };

  const acquire = (req: NodeJS.EventEmitter, user: string, n: number): Promise<boolean> => {
    if (canTake(user, n)) {
      take(user, n);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        user,
        weight: n,
        give: () => {
          clearTimeout(timer);
          req.off('close', gone);
          resolve(true); // the slot was taken for this upload by release()
        },
      };
      const drop = () => {
        const i = waiting.indexOf(waiter);
        if (i >= 0) waiting.splice(i, 1);
        req.off('close', gone);
        resolve(false);
      };
      const timer = setTimeout(drop, waitMs);
      const gone = () => {
        clearTimeout(timer);
        drop(); // the client hung up while waiting
      };
      req.once('close', gone);
      waiting.push(waiter);
    });
  };

  return async (ctx, next) => {
    const user = ctx.state.userId;
    const n = Math.max(1, Math.min(max, perUser, weight?.(ctx) ?? 1));
    if (!(await acquire(ctx.req, user, n))) {
      ctx.set('Retry-After', '5');
      if (holding(user) + n > perUser) {
        throw new TooManyRequestsError(
          `You already have ${perUser} uploads in progress, the most one user may have at once; try again when one finishes`,
          'TOO_MANY_UPLOADS',
        );
      }
      throw new ServiceUnavailableError(`The server is busy receiving ${max} other uploads; try again in a few seconds`, 'UPLOADS_BUSY');
    }
    try {
      await next();
    } finally {
      release(user, n);
    }
  };
}
