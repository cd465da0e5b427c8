/**
 * Brings a task row in line with its workflow when the workflow closed without mirroring
 * itself: timed out (hard limit), terminated from the Web UI, or lost before it started.
 * Used by status reads in the API, by the periodic cleanup, and by the pending sweep below,
 * which settles the rows whose start nobody confirmed (an API that died between writing the
 * row and starting the workflow, or a start whose answer never came back).
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { closeLostTask, closeTask, confirmTaskStart, unconfirmedPendingTasks, type OpenTaskRow, type TaskClosing } from '../db/tasks';
import type { TaskErrorBody, TaskName } from '../contract/tasks';
import { announceTaskEnd } from './task-announce';
import type { Logger } from './logger';

/**
 * How long a row may exist without its workflow before it is called lost. A start normally
 * reaches the server within milliseconds of the row; the client's own retries of an
 * unreachable server give up after about 20 s. With the sweep's interval (20 s by default)
 * a lost task is settled within a minute of its submission.
 */
export const LOST_AFTER_MS = 40 * 1000;

const LOST: TaskErrorBody = { code: 'SUBMISSION_LOST', message: 'The task was accepted but never started' };

export type Reconciled = { status: TaskClosing['status']; error?: TaskErrorBody; result?: unknown } | null;

/** What the server says of a row's workflow: whether it exists, and what its close means for the row. */
async function workflowOutcome(client: Client, row: OpenTaskRow, now: number): Promise<{ exists: boolean; outcome: Reconciled }> {
  const handle = client.workflow.getHandle(row.task_id);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // Young rows get the benefit of the doubt: their start may still be on its way.
      const lost = now - new Date(row.created_at).getTime() >= LOST_AFTER_MS;
      return { exists: false, outcome: lost ? { status: 'FAILED', error: LOST } : null };
    }
    throw err;
  }
  const closed = (outcome: Reconciled) => ({ exists: true, outcome });
  switch (description.status.name) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      return closed(null);
    case 'TIMED_OUT':
      return closed({ status: 'FAILED', error: { code: 'HARD_TIME_LIMIT', message: 'The task exceeded its hard time limit and was stopped' } });
    case 'TERMINATED':
      return closed({ status: 'FAILED', error: { code: 'TERMINATED', message: 'The task was terminated by an operator' } });
    case 'CANCELLED':
      return closed({ status: 'CANCELLED', error: { code: 'CANCELLED', message: 'The task was cancelled' } });
    case 'COMPLETED':
      return closed({ status: 'SUCCESS', result: await handle.result() });
    case 'FAILED': {
      try {
        await handle.result();
      } catch (err) {
        const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
        const type = (cause as { type?: string } | undefined)?.type;
        return closed({
          status: 'FAILED',
          error: { code: type && /^[A-Z][A-Z0-9_]+$/.test(type) ? type : 'TASK_FAILED', message: cause?.message ?? 'The task failed' },
        });
      }
      return closed({ status: 'FAILED', error: { code: 'TASK_FAILED', message: 'The task failed' } });
    }
    default:
      return closed(null);
  }
}

/** Works out what a closed workflow means for its row; null while it is still running. */
export async function closedOutcome(client: Client, row: OpenTaskRow, now = Date.now()): Promise<Reconciled> {
  return (await workflowOutcome(client, row, now)).outcome;
}

/** Applies an outcome to a row that is still open; returns whether it changed. */
export function applyOutcome(db: Knex, taskId: string, outcome: NonNullable<Reconciled>, resultTtlSeconds: number) {
  if (outcome.error?.code === LOST.code) {
    // A start that got through between the look-up and this write has confirmed the row: it wins.
    return closeLostTask(db, { taskId, message: LOST.message, error: LOST, resultTtlSeconds, lostAfterSeconds: LOST_AFTER_MS / 1000 });
  }
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
  if (!outcome) return false;
  const changed = await applyOutcome(db, row.task_id, outcome, resultTtlSeconds);
  // A workflow that closed without writing its end did not announce it either. A lost task
  // (never started) ran nothing and has nothing to announce.
  if (changed && outcome.error?.code !== LOST.code) {
    await announceTaskEnd(client, db, { taskId: row.task_id, userId: row.user_id, taskName: row.task_name as TaskName, status: outcome.status }).catch(() => undefined);
  }
  return changed;
}

// ---- the pending sweep -----------------------------------------------------------------

export interface SweepDeps {
  db: Knex;
  temporal: Client;
  resultTtlSeconds: number;
  /** Rows looked at in one batch. */
  batchSize?: number;
  /** The time the sweep runs at (tests move it past LOST_AFTER_MS instead of waiting). */
  now?: number;
}

export interface SweepOutcome {
  /** Unconfirmed PENDING rows older than LOST_AFTER_MS that were looked at. */
  scanned: number;
  /** Of those, rows whose workflow exists: left to it, and not looked at again. */
  confirmed: number;
  /** Rows closed: lost (no workflow), or their workflow closed without saying so. */
  closed: number;
}

export const SWEEP_BATCH_SIZE = 100;

/**
 * One bounded batch of the pending sweep: PENDING rows older than LOST_AFTER_MS whose
 * workflow nobody has seen exist. A row whose workflow exists is marked confirmed (its
 * worker will move it on); one whose workflow is missing is closed FAILED SUBMISSION_LOST;
 * one whose workflow already closed gets that outcome.
 */
export async function sweepPendingTasks(deps: SweepDeps): Promise<SweepOutcome> {
  const now = deps.now ?? Date.now();
  const rows = await unconfirmedPendingTasks(deps.db, new Date(now - LOST_AFTER_MS), deps.batchSize ?? SWEEP_BATCH_SIZE);
  const out: SweepOutcome = { scanned: rows.length, confirmed: 0, closed: 0 };
  for (const row of rows) {
    const { exists, outcome } = await workflowOutcome(deps.temporal, row, now);
    if (outcome) {
      if (await applyOutcome(deps.db, row.task_id, outcome, deps.resultTtlSeconds)) out.closed += 1;
    } else if (exists) {
      await confirmTaskStart(deps.db, row.task_id);
      out.confirmed += 1;
    }
  }
  return out;
}

/**
 * Runs the sweep now and then every `intervalMs` (after the previous run ended, so runs never
 * overlap), each run taking batches until one comes back short. Several processes may run
 * it at once: every write it makes applies only to a row that is still open and unconfirmed.
 * `stop()` waits for a run in progress to finish.
 */
export function startPendingSweep(deps: SweepDeps & { intervalMs: number; logger: Logger; maxBatches?: number }): { stop: () => Promise<void> } {
  const batchSize = deps.batchSize ?? SWEEP_BATCH_SIZE;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const runOnce = async () => {
    try {
      for (let batch = 0; batch < (deps.maxBatches ?? 10) && !stopped; batch++) {
        const out = await sweepPendingTasks({ ...deps, batchSize, now: undefined });
        if (out.closed) deps.logger.info('pending sweep settled tasks', { ...out });
        // A short batch was the last; a full one that changed nothing would only repeat itself.
        if (out.scanned < batchSize || out.closed + out.confirmed === 0) break;
      }
    } catch (err) {
      deps.logger.warn('pending sweep failed; it runs again at its next interval', { error: (err as Error).message });
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().then(schedule);
    }, deps.intervalMs);
    timer.unref(); // never what keeps a process alive
  };
  running = runOnce().then(schedule);

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
