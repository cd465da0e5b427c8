/**
 * What every task activity shares: the attempt number shows in the task's status, and a
 * failure becomes an ApplicationFailure whose type is a stable code (the workflow reads
 * the code from there and puts it in `task_status.error`): an input error non-retryable
 * with its own message; data the database refuses non-retryable as DATA_REJECTED; any
 * other error retryable as INTERNAL_ERROR. The last two show clients a generic message
 * with a reference that finds the details in the worker's log.
 *
 * Log lines go through the activity `log` (the worker's JSON logger; the SDK adds the
 * workflow id, named task_id there) with task_id and user_id, so every line of a task can
 * be found by either.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, activityInfo, CancelledFailure, heartbeat, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { AppError, TaskErrorCodes, TaskInputError } from '../contract/errors';
import { recordAttempt, taskOwner } from '../db/tasks';

/**
 * Every task activity heartbeats while it runs (the SDK throttles the sends), so a dead
 * worker is noticed within the heartbeat timeout and a cancel reaches the activity.
 */
const HEARTBEAT_EVERY_MS = 1000;

export function taskActivity<I extends { taskId: string }, O>(
  db: Knex,
  fn: (input: I) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    const info = activityInfo();
    const fields = { task_id: input.taskId, ...(await userField(db, input)), attempt: info.attempt };
    const started = Date.now();
    log.debug('activity started', fields);
    if (info.attempt > 1) {
      await recordAttempt(db, input.taskId, info.attempt).catch(() => undefined);
    }
    const beat = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      const out = await fn(input);
      log.debug('activity completed', { ...fields, duration_ms: Date.now() - started });
      return out;
    } catch (err) {
      // Input errors (and API-side validation errors re-run by an activity) can only fail again.
      if (err instanceof TaskInputError || err instanceof AppError) {
        log.warn('activity refused its input', { ...fields, error_code: err.code, error: err.message });
        throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true });
      }
      if (err instanceof CancelledFailure) {
        log.info('activity cancelled', { ...fields, reason: err.message });
        throw err;
      }
      if (err instanceof ApplicationFailure) {
        log.warn('activity failed', { ...fields, error_code: err.type ?? null, error: err.message });
        throw err;
      }
      // Anything else is ours, not the client's: its text (a database error carries the SQL)
      // goes to the log under a reference the client is given instead.
      const reference = randomUUID().slice(0, 8);
      const rejected = isDataRejected(err);
      const max = info.retryPolicy?.maximumAttempts ?? 0;
      const next = !rejected && (max === 0 || info.attempt < max) ? ' — retrying' : '';
      log.warn('activity attempt failed', {
        ...fields,
        reference,
        max_attempts: max || null,
        retrying: next !== '',
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      const message = rejected
        ? `The data could not be saved: the database refused it (reference ${reference})`
        : `An internal error occurred (reference ${reference})`;
      await recordAttempt(db, input.taskId, info.attempt, `Attempt ${info.attempt}${max ? ` of ${max}` : ''} failed: ${message}${next}`).catch(
        () => undefined,
      );
      throw ApplicationFailure.create({ message, type: rejected ? TaskErrorCodes.DATA_REJECTED : TaskErrorCodes.INTERNAL_ERROR, nonRetryable: rejected });
    } finally {
      clearInterval(beat);
    }
  };
}

/**
 * Postgres refused the data itself (SQLSTATE class 22, data exception, e.g. a numeric
 * overflow; class 23, integrity constraint): the same data fails the same way every time,
 * so retrying only delays the failure.
 */
function isDataRejected(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

// Task id → user id, for log lines of activities whose input has no userId. One indexed
// read per task per worker process; bounded so a long-lived worker does not grow.
const USERS = new Map<string, string | null>();
const USERS_MAX = 2000;

async function userField(db: Knex, input: { taskId: string; userId?: unknown }): Promise<{ user_id?: string }> {
  if (typeof input.userId === 'string') return { user_id: input.userId };
  let user = USERS.get(input.taskId);
  if (user === undefined) {
    try {
      user = await taskOwner(db, input.taskId);
    } catch {
      return {}; // a log field is not worth failing the activity; not cached, so the next line retries
    }
    if (USERS.size >= USERS_MAX) USERS.delete(USERS.keys().next().value as string);
    USERS.set(input.taskId, user);
  }
  return user ? { user_id: user } : {};
}
