/**
 * Brings a task row in line with its workflow when the workflow closed without mirroring
 * itself: timed out (hard limit), terminated from the Web UI, or lost before it started.
 * Used by status reads in the API and by the periodic cleanup sweep.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { closeTask, type OpenTaskRow, type TaskClosing } from '../db/tasks';
import type { TaskErrorBody } from '../contract/tasks';


/** How long a PENDING row may exist without its workflow before it is called lost. */
const LOST_AFTER_MS = 2 * 60 * 1000;

export type Reconciled = { status: TaskClosing['status']; error?: TaskErrorBody; result?: unknown } | null;

/** Works out what a closed workflow means for its row; null while it is still running. */
export async function closedOutcome(client: Client, row: OpenTaskRow, now = Date.now()): Promise<Reconciled> {
  const handle = client.workflow.getHandle(row.task_id);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      if (now - new Date(row.created_at).getTime() < LOST_AFTER_MS) return null;
      return { status: 'FAILED', error: { code: 'SUBMISSION_LOST', message: 'The task was accepted but never started' } };
    }
    throw err;
  }
  switch (description.status.name) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      return null;
    case 'TIMED_OUT':
      return { status: 'FAILED', error: { code: 'HARD_TIME_LIMIT', message: 'The task exceeded its hard time limit and was stopped' } };
    case 'TERMINATED':
      return { status: 'FAILED', error: { code: 'TERMINATED', message: 'The task was terminated by an operator' } };
    case 'CANCELLED':
      return { status: 'CANCELLED', error: { code: 'CANCELLED', message: 'The task was cancelled' } };
    case 'COMPLETED':
      return { status: 'SUCCESS', result: await handle.result() };
    case 'FAILED': {
      try {
        await handle.result();
      } catch (err) {
        const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
        const type = (cause as { type?: string } | undefined)?.type;
        return {
          status: 'FAILED',
          error: { code: type && /^[A-Z][A-Z0-9_]+$/.test(type) ? type : 'TASK_FAILED', message: cause?.message ?? 'The task failed' },
        };
      }
      return { status: 'FAILED', error: { code: 'TASK_FAILED', message: 'The task failed' } };
    }
    default:
      return null;
  }
}

/** Applies an outcome to a row that is still open; returns whether it changed. */
export function applyOutcome(db: Knex, taskId: string, outcome: NonNullable<Reconciled>, resultTtlSeconds: number) {
  return closeTask(db, {
    taskId,
    status: outcome.status,
    message: outcome.status === 'SUCCESS' ? 'Completed' : outcome.error?.message ?? outcome.status,
    result: outcome.result,
    error: outcome.error,
    resultTtlSeconds,
  });
}

export async function reconcileTask(client: Client, db: Knex, row: OpenTaskRow, resultTtlSeconds: number): Promise<boolean> {
  const outcome = await closedOutcome(client, row);
  return outcome ? applyOutcome(db, row.task_id, outcome, resultTtlSeconds) : false;
}
