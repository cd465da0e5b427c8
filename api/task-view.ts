/**
 * Reading a task for its owner: the row (scoped by user), the live progress from the
 * workflow while it runs, and reconciliation when the workflow closed without mirroring.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { NotFoundError } from '../contract/errors';
import type { Logger } from '../platform/logger';
import { isTerminal, progressQuery, type ProgressState } from '../contract/tasks';
import { reconcileTask } from '../platform/task-reconcile';
import { findTaskOfUser, type TaskRow } from '../db/tasks';
import { isUuid } from './params';

export type { TaskRow };

const QUERY_DEADLINE_MS = 1500;

export async function findOwnTask(db: Knex, userId: string, taskId: string): Promise<TaskRow> {
  // Not a UUID, absent, or someone else's: the same answer, so ids can't be probed.
  if (!isUuid(taskId)) throw new NotFoundError('Task not found', 'TASK_NOT_FOUND');
  const row = await findTaskOfUser(db, userId, taskId);
  if (!row) throw new NotFoundError('Task not found', 'TASK_NOT_FOUND');
  return row;
}

export interface TaskViewDeps {
  db: Knex;
  temporal: Client;
  logger: Logger;
  resultTtlSeconds: number;
}

/** The row, brought up to date with the workflow where it is still open. */
export async function freshTask(deps: TaskViewDeps, userId: string, taskId: string): Promise<{ row: TaskRow; live?: ProgressState }> {
  const row = await findOwnTask(deps.db, userId, taskId);
  if (isTerminal(row.status)) return { row };
  if (row.status === 'PROCESSING') {
    try {
      const live = await deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        deps.temporal.workflow.getHandle(taskId).query(progressQuery),
      );
      if (!isTerminal(live.status)) return { row, live };
    } catch {
      // No worker answered in time, or the workflow closed: fall through to reconciliation.
    }
  }
  try {
    if (await reconcileTask(deps.temporal, deps.db, row, deps.resultTtlSeconds)) {
      return { row: await findOwnTask(deps.db, userId, taskId) };
    }
  } catch (err) {
    deps.logger.warn('reconcile failed', { task_id: taskId, error: (err as Error).message });
  }
  return { row };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The status JSON clients of the Celery service know, plus attempt and error where they apply. */
export function statusBody(row: TaskRow, live?: ProgressState) {
  // The activity may refine the mirrored percent between workflow steps: take the larger.
  const useLive = live && live.percent >= row.progress_percent;
  return {
    task_id: row.task_id,
    task_name: row.task_name,
    status: useLive ? live.status : row.status,
    progress_percent: useLive ? live.percent : row.progress_percent,
    // Only the row knows of a retry (the activity records why the last attempt failed), so
    // once a task has retried, the row's message wins; mirrors keep it current.
    progress_message: useLive && row.attempt <= 1 ? live.message : row.progress_message,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    ...(row.started_at ? { started_at: iso(row.started_at) } : {}),
    ...(row.completed_at ? { completed_at: iso(row.completed_at) } : {}),
    ...(row.attempt > 1 ? { attempt: row.attempt } : {}),
    ...(row.error ? { error: row.error } : {}),
    // A parse that succeeded without proving its statement says so where clients look first.
    ...(reviewFlag(row) !== undefined ? { review_required: reviewFlag(row) } : {}),
  };
}

/** For a finished parse: whether its statement needs a person's review (its result says); undefined otherwise. */
function reviewFlag(row: TaskRow): boolean | undefined {
  if (row.task_name !== 'parse_pdf_async' || row.status !== 'SUCCESS') return undefined;
  const flag = (row.result as { review_required?: unknown } | null)?.review_required;
  return typeof flag === 'boolean' ? flag : undefined;
}
