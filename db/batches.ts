/**
 * Batches of uploads (migrations/20261201000450_batches.ts): one row per batch upload,
 * its tasks linked in upload order. A batch is done when every task has ended;
 * completeBatchIfDone marks that once, for whoever reacts to it (webhooks).
 */
import type { Knex } from 'knex';
import { TASK_END_EVENTS, TERMINAL_STATUSES, type TaskStatus } from '../contract/tasks';

/** A file of a batch upload that was refused before any task was made for it. */
export interface RejectedFile {
  file_name: string;
  error: { code: string; message: string };
}

export interface BatchTaskView {
  task_id: string;
  file_name: string | null;
  status: TaskStatus;
  error: { code: string; message: string } | null;
}

/**
 * How a batch stands. `done`: SUCCESS; `failed`: FAILED or CANCELLED; `running`: PENDING
 * or PROCESSING; `total` is their sum, the batch's tasks (refused files are not tasks).
 */
export interface BatchSummary {
  total: number;
  done: number;
  failed: number;
  running: number;
}

export interface BatchView {
  batch_id: string;
  created_at: string;
  completed_at: string | null;
  tasks: BatchTaskView[];
  rejected: RejectedFile[];
  summary: BatchSummary;
}

const TERMINAL = TERMINAL_STATUSES as readonly string[];

/** A task status that ends it. */
type EndedStatus = keyof typeof TASK_END_EVENTS;

/** The batch and its tasks' links, in one transaction, before any of the tasks is submitted. */
export async function createBatch(db: Knex, b: { batchId: string; userId: string; taskIds: string[]; rejected: RejectedFile[] }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('batches').insert({ id: b.batchId, user_id: b.userId, rejected: JSON.stringify(b.rejected) });
    if (b.taskIds.length) await trx('batch_tasks').insert(b.taskIds.map((taskId, position) => ({ task_id: taskId, batch_id: b.batchId, position })));
  });
}

/** A task that was not created after all (its submission was abandoned) leaves its batch. */
export async function removeFromBatch(db: Knex, taskId: string): Promise<void> {
  await db('batch_tasks').where({ task_id: taskId }).delete();
}

export async function deleteBatch(db: Knex, batchId: string): Promise<void> {
  await db('batches').where({ id: batchId }).delete();
}

/** The batch a task belongs to, if any. */
export async function batchOfTask(db: Knex, taskId: string): Promise<string | null> {
  const row = await db('batch_tasks').where({ task_id: taskId }).first<{ batch_id: string } | undefined>('batch_id');
  return row?.batch_id ?? null;
}

/**
 * The user's batch with every task's status, or null when there is none of theirs by that
 * id. Tasks whose rows retention has since deleted are no longer listed.
 */
export async function batchView(db: Knex, userId: string, batchId: string): Promise<BatchView | null> {
  const batch = await db('batches').where({ id: batchId, user_id: userId }).first<{ id: string; rejected: RejectedFile[]; created_at: Date; completed_at: Date | null } | undefined>();
  if (!batch) return null;
  const rows = await db('batch_tasks as b')
    .join('task_status as t', 't.task_id', 'b.task_id')
    .where('b.batch_id', batchId)
    .andWhere('t.user_id', userId)
    .orderBy('b.position')
    .select<{ task_id: string; file_name: string | null; status: TaskStatus; error: { code: string; message: string } | null }[]>(
      'b.task_id',
      db.raw(`t.params->>'file_name' as file_name`),
      't.status',
      't.error',
    );
  const tasks = rows.map((r) => ({
    task_id: r.task_id,
    file_name: r.file_name,
    status: r.status,
    error: r.error ? { code: String(r.error.code), message: String(r.error.message) } : null,
  }));
  const count = (statuses: string[]) => tasks.filter((t) => statuses.includes(t.status)).length;
  return {
    batch_id: batch.id,
    created_at: batch.created_at.toISOString(),
    completed_at: batch.completed_at ? batch.completed_at.toISOString() : null,
    tasks,
    rejected: batch.rejected,
    summary: { total: tasks.length, done: count(['SUCCESS']), failed: count(['FAILED', 'CANCELLED']), running: count(['PENDING', 'PROCESSING']) },
  };
}

/**
 * The batch's last task (by position), when the batch is not marked complete although every
 * task it still links has ended: what a file's submission leaves when it is abandoned after
 * the batch's other tasks have all ended (they found it open; none ends after it). Null
 * otherwise: the batch is marked, a task is still open, or it links none.
 */
export async function unmarkedEndedBatch(db: Knex, batchId: string): Promise<{ taskId: string; userId: string; status: EndedStatus } | null> {
  const rows = await db('batches as b')
    .join('batch_tasks as bt', 'bt.batch_id', 'b.id')
    .leftJoin('task_status as t', 't.task_id', 'bt.task_id')
    .where('b.id', batchId)
    .whereNull('b.completed_at')
    .orderBy('bt.position')
    .select<{ task_id: string; user_id: string | null; status: TaskStatus | null }[]>('bt.task_id', 't.user_id', 't.status');
  if (rows.length === 0 || rows.some((r) => r.status === null || !TERMINAL.includes(r.status))) return null;
  const last = rows[rows.length - 1];
  return { taskId: last.task_id, userId: last.user_id!, status: last.status as EndedStatus };
}

/**
 * Called when a task ends: when it belongs to a batch whose every task has now ended, marks
 * the batch completed and returns its outcome; null when the task has no batch, the batch
 * still has a task running (or not yet created), or it was already marked. One statement:
 * the UPDATE takes the batch's row lock, so of two tasks ending at the same moment the
 * second finds completed_at set and gets null — a batch completes once. A task counts as
 * ended once its row is terminal; call this after that write has committed.
 */
export async function completeBatchIfDone(
  db: Knex,
  taskId: string,
): Promise<{ batchId: string; userId: string; summary: { total: number; succeeded: number; failed: number; cancelled: number }; taskIds: string[] } | null> {
  const { rows } = await db.raw<{ rows: { batch_id: string; user_id: string; task_id: string; status: string }[] }>(
    `with done as (
       update batches b set completed_at = now()
        where b.id = (select batch_id from batch_tasks where task_id = ?)
          and b.completed_at is null
          and not exists (
            select 1 from batch_tasks bt left join task_status t on t.task_id = bt.task_id
             where bt.batch_id = b.id and (t.status is null or not (t.status = any(?::text[]))))
       returning b.id, b.user_id)
     select done.id as batch_id, done.user_id, bt.task_id, t.status
       from done join batch_tasks bt on bt.batch_id = done.id join task_status t on t.task_id = bt.task_id
      order by bt.position`,
    // The statuses as one array literal: knex would spread a JS array into several parameters.
    [taskId, `{${TERMINAL.join(',')}}`],
  );
  if (rows.length === 0) return null;
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return {
    batchId: rows[0].batch_id,
    userId: rows[0].user_id,
    summary: { total: rows.length, succeeded: count('SUCCESS'), failed: count('FAILED'), cancelled: count('CANCELLED') },
    taskIds: rows.map((r) => r.task_id),
  };
}
