/**
 * The one terminal write of a task row: SUCCESS, FAILED or CANCELLED, with its result or
 * error and the time its result expires. It applies only to a row that is still open, so
 * whoever closes a task first — the workflow itself, a reconciliation after a timeout or
 * terminate, or the API when a start is refused — wins, and nothing overwrites that.
 */
import type { Knex } from 'knex';
import type { TaskErrorBody, TaskStatus } from '../contract/tasks';

export interface TaskClosing {
  taskId: string;
  status: Extract<TaskStatus, 'SUCCESS' | 'FAILED' | 'CANCELLED'>;
  message: string;
  result?: unknown;
  error?: TaskErrorBody;
  resultTtlSeconds: number;
  /** A file the task produced (reports): deleted with the task's result. */
  fileKey?: string | null;
  /** The workflow's progress sequence number, when the workflow itself closes the row. */
  seq?: number;
}

export async function closeTask(db: Knex, c: TaskClosing): Promise<boolean> {
  const n = await db('task_status')
    .where({ task_id: c.taskId })
    .whereIn('status', ['PENDING', 'PROCESSING'])
    .update({
      status: c.status,
      progress_percent: c.status === 'SUCCESS' ? 100 : db.raw('progress_percent'),
      progress_message: c.message,
      // Only the workflow closing its own row proves it ran: then it carries its sequence number.
      ...(c.seq === undefined
        ? {}
        : { progress_seq: db.raw('greatest(progress_seq, ?)', [c.seq]), started_at: db.raw('coalesce(started_at, now())') }),
      result: c.result === undefined ? null : JSON.stringify(c.result),
      error: c.error ? JSON.stringify(c.error) : null,
      ...(c.fileKey === undefined ? {} : { file_key: c.fileKey }),
      updated_at: db.fn.now(),
      completed_at: db.fn.now(),
      expires_at: db.raw('now() + make_interval(secs => ?)', [c.resultTtlSeconds]),
    });
  return n > 0;
}
