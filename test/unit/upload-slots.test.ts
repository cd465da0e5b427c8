/**
 * Upload slots with weights: a batch upload holds one slot per file's worth of body, so
 * the slots still bound the memory the uploads being received may hold.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Context } from 'koa';
import { limitConcurrentUploads } from '../../api/middleware/upload-slots';

/** A request through the limiter that holds its slots until `finish()`; `entered` resolves once it has them. */
function request(limiter: ReturnType<typeof limitConcurrentUploads>, user: string, weight: number) {
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const ctx = { state: { userId: user, weight }, req: new EventEmitter(), set: () => undefined } as unknown as Context;
  let isIn = false;
  const done = limiter(ctx, async () => {
    isIn = true;
    entered();
    await held;
  });
  return { finish, inside, done, get isIn() { return isIn; } };
}

describe('upload slots with weights', () => {
  const limiter = () =>
    limitConcurrentUploads({ max: 4, perUser: 3, waitMs: 60_000, weight: (ctx) => (ctx.state as unknown as { weight: number }).weight });

  it('lets a batch hold several slots, and the uploads behind it in once they are given back', async () => {
    const slots = limiter();
    const batch = request(slots, 'alice', 3);
    await batch.inside;
    const other = request(slots, 'bob', 1); // the fourth slot
    await other.inside;
    const waiting = request(slots, 'bob', 2); // needs two: waits for the batch
    await new Promise((r) => setImmediate(r));
    assert.equal(waiting.isIn, false);
    batch.finish();
    await batch.done;
    await waiting.inside;
    other.finish();
    waiting.finish();
    await Promise.all([other.done, waiting.done]);
  });

  it('holds a user to their share counted in slots: a batch within it waits for their own uploads', async () => {
    const slots = limiter();
    const first = request(slots, 'alice', 2);
    await first.inside;
    const second = request(slots, 'alice', 2); // 2 + 2 > 3: waits, though a slot is free
    const bob = request(slots, 'bob', 1);
    await bob.inside;
    assert.equal(second.isIn, false);
    first.finish();
    await second.inside;
    second.finish();
    bob.finish();
    await Promise.all([first.done, second.done, bob.done]);
  });

  it('never asks more slots than one request may hold, so a large batch is not stuck', async () => {
    const slots = limiter();
    const huge = request(slots, 'alice', 50); // capped at min(max, perUser) = 3
    await huge.inside;
    huge.finish();
    await huge.done;
  });
});
