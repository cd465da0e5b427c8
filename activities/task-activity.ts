/**
 * What every task activity shares: the attempt number shows in the task's status, a
 * retryable failure names itself in the progress message, and an input error becomes a
 * non-retryable ApplicationFailure whose type is its stable code (the workflow reads the
 * code from there and puts it in `task_status.error`).
 */
import { ApplicationFailure, activityInfo, CancelledFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { TaskInputError } from '../core/errors';
import { recordAttempt } from './task-mirror';

export function taskActivity<I extends { taskId: string }, O>(
  db: Knex,
  fn: (input: I) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    const info = activityInfo();
    if (info.attempt > 1) {
      await recordAttempt(db, input.taskId, info.attempt).catch(() => undefined);
    }
    try {
      return await fn(input);
    } catch (err) {
      if (err instanceof TaskInputError) {
        throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true });
      }
      if (err instanceof CancelledFailure || err instanceof ApplicationFailure) throw err;
      const max = info.retryPolicy?.maximumAttempts ?? 0;
      const message = err instanceof Error ? err.message : String(err);
      const next = max === 0 || info.attempt < max ? ' — retrying' : '';
      await recordAttempt(
        db,
        input.taskId,
        info.attempt,
        `Attempt ${info.attempt}${max ? ` of ${max}` : ''} failed: ${message.slice(0, 300)}${next}`,
      ).catch(() => undefined);
      throw err;
    }
  };
}
