/**
 * Mirror of workflow state into `task_status`. Workflows call these (progress as local
 * activities, the terminal write as a regular one). Writes can arrive out of order
 * (retries, replays of local activities), so each carries the workflow's sequence number
 * and applies only if it is newer than what the row holds; percent never goes backwards.
 */
import type { Knex } from 'knex';
import { closeTask, type TaskClosing } from '../db/tasks';
import { SYSTEM_USER_ID, type TaskStatus } from '../contract/tasks';

export interface ProgressWrite {
  taskId: string;
  seq: number;
  status: TaskStatus;
  percent: number;
  message: string;
}

/** The workflow's own terminal write: carries its sequence number (see core/close-task). */
export type TerminalWrite = TaskClosing & { seq: number };

const OPEN = ['PENDING', 'PROCESSING'];

export function createTaskMirrorActivities(db: Knex) {
  return {
    async mirrorProgress(w: ProgressWrite): Promise<boolean> {
      const n = await db('task_status')
        .where({ task_id: w.taskId })
        .whereIn('status', OPEN)
        .where('progress_seq', '<', w.seq)
        .update({
          status: w.status,
          progress_percent: db.raw('greatest(progress_percent, ?)', [clampPercent(w.percent)]),
          progress_message: w.message,
          progress_seq: w.seq,
          updated_at: db.fn.now(),
          started_at: db.raw('coalesce(started_at, now())'),
        });
      return n > 0;
    },

    finishTask: (w: TerminalWrite): Promise<boolean> => closeTask(db, w),
  };
}

/** Used by long activities to move the mirrored percent between workflow steps. */
export async function refineProgress(db: Knex, taskId: string, percent: number, message: string): Promise<void> {
  await db('task_status')
    .where({ task_id: taskId, status: 'PROCESSING' })
    .where('progress_percent', '<', clampPercent(percent))
    .update({ progress_percent: clampPercent(percent), progress_message: message, updated_at: db.fn.now() });
}

/** Records the attempt number of a running activity, and why the previous one failed. */
export async function recordAttempt(db: Knex, taskId: string, attempt: number, message?: string): Promise<void> {
  const patch: Record<string, unknown> = { attempt: db.raw('greatest(attempt, ?)', [attempt]), updated_at: db.fn.now() };
  if (message) patch.progress_message = message;
  await db('task_status').where({ task_id: taskId }).whereIn('status', OPEN).update(patch);
}

function clampPercent(p: number): number {
  return Math.max(0, Math.min(100, Math.round(p)));
}

/** Rows for tasks the system starts itself (the cleanup schedule), owned by user "system". */
export function createSystemTaskActivities(db: Knex) {
  return {
    async recordSystemTask(input: { taskId: string; taskName: string; queue: string; params: Record<string, unknown> }) {
      await db('task_status')
        .insert({
          task_id: input.taskId,
          user_id: SYSTEM_USER_ID,
          task_name: input.taskName,
          queue: input.queue,
          status: 'PENDING',
          params: JSON.stringify(input.params),
        })
        .onConflict('task_id')
        .ignore();
    },
  };
}
