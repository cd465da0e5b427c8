/**
 * Mirror of workflow state into the task row. Workflows call these (progress as local
 * activities, the terminal write as a regular one); the rules of which write wins are in
 * db/tasks.ts.
 */
import type { Knex } from 'knex';
import { closeTask, insertSystemTask, writeProgress, type ProgressWrite, type TaskClosing } from '../db/tasks';
import { deleteUploadPassword } from '../db/upload-secrets';

export type { ProgressWrite };

/** The workflow's own terminal write: it carries the workflow's sequence number. */
export type TerminalWrite = TaskClosing & { seq: number };

export function createTaskMirrorActivities(db: Knex) {
  return {
    mirrorProgress: (w: ProgressWrite): Promise<boolean> => writeProgress(db, w),
    /**
     * The terminal write, and the end of the upload's password (if the task had one): no
     * attempt of the task can need it after this, however the task ended. The cleanup
     * schedule removes any a task never got to delete (a workflow terminated from outside).
     */
    finishTask: async (w: TerminalWrite): Promise<boolean> => {
      const applied = await closeTask(db, w);
      await deleteUploadPassword(db, w.taskId);
      return applied;
    },
  };
}

/** Rows for tasks the system starts itself (the cleanup schedule), owned by user "system". */
export function createSystemTaskActivities(db: Knex) {
  return {
    recordSystemTask: (input: { taskId: string; taskName: string; queue: string; params: Record<string, unknown> }) =>
      insertSystemTask(db, input),
  };
}
