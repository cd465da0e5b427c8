/**
 * Mirror of workflow state into the task row. Workflows call these (progress as local
 * activities, the terminal write as a regular one); the rules of which write wins are in
 * db/tasks.ts.
 */
import type { Knex } from 'knex';
import { closeTask, insertSystemTask, writeProgress, type ProgressWrite, type TaskClosing } from '../db/tasks';

export type { ProgressWrite };

/** The workflow's own terminal write: it carries the workflow's sequence number. */
export type TerminalWrite = TaskClosing & { seq: number };

export function createTaskMirrorActivities(db: Knex) {
  return {
    mirrorProgress: (w: ProgressWrite): Promise<boolean> => writeProgress(db, w),
    finishTask: (w: TerminalWrite): Promise<boolean> => closeTask(db, w),
  };
}

/** Rows for tasks the system starts itself (the cleanup schedule), owned by user "system". */
export function createSystemTaskActivities(db: Knex) {
  return {
    recordSystemTask: (input: { taskId: string; taskName: string; queue: string; params: Record<string, unknown> }) =>
      insertSystemTask(db, input),
  };
}
