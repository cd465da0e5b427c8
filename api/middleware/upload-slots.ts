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
 */
import type { Middleware } from 'koa';
import { ServiceUnavailableError, TooManyRequestsError } from '../../contract/errors';

export interface UploadSlots {
  max: number;
  perUser: number;
  waitMs: number;
}

interface Waiter {
  user: string;
  give: () => void;
}

export function limitConcurrentUploads({ max, perUser, waitMs }: UploadSlots): Middleware {
  let inFlight = 0;
  const held = new Map<string, number>();
  const waiting: Waiter[] = [];
  const holding = (user: string) => held.get(user) ?? 0;
  const canTake = (user: string) => inFlight < max && holding(user) < perUser;
  const take = (user: string) => {
    inFlight += 1;
    held.set(user, holding(user) + 1);
  };
  const release = (user: string) => {
    inFlight -= 1;
    const left = holding(user) - 1;
    if (left > 0) held.set(user, left);
    else held.delete(user);
    const i = waiting.findIndex((w) => canTake(w.user));
    if (i >= 0) {
      const [next] = waiting.splice(i, 1);
      take(next.user);
      next.give();
    }
  };

  const acquire = (req: NodeJS.EventEmitter, user: string): Promise<boolean> => {
    if (canTake(user)) {
      take(user);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        user,
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
    if (!(await acquire(ctx.req, user))) {
      ctx.set('Retry-After', '5');
      if (holding(user) >= perUser) {
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
      release(user);
    }
  };
}
