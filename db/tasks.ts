/**
 * The task_status table: every read and write of a task row. The API, the activities, the
 * cleanup and the metrics all go through here, so the row's shape, its open and terminal
 * statuses and the rules of who may overwrite what live in one place.
 */
import type { Knex } from 'knex';
import { OPEN_STATUSES, SYSTEM_USER_ID, TERMINAL_STATUSES, type TaskErrorBody, type TaskName, type TaskStatus } from '../contract/tasks';

export interface TaskRow {
  task_id: string;
  user_id: string;
  task_name: string;
  queue: string;
  status: string;
  progress_percent: number;
  progress_message: string;
  attempt: number;
  progress_seq: number;
  idempotency_key: string | null;
  params: Record<string, unknown>;
  result: unknown;
  error: TaskErrorBody | null;
  file_key: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  expires_at: Date | null;
  result_cleared_at: Date | null;
}

/** The columns a status check needs: the row and its age. */
/** What settling an open row needs: its workflow's id, its age, and whose task it is (to announce its end). */
export type OpenTaskRow = Pick<TaskRow, 'task_id' | 'status' | 'created_at' | 'user_id' | 'task_name'>;

const tasks = (db: Knex) => db<TaskRow>('task_status');
const OPEN = OPEN_STATUSES as TaskStatus[];
const TERMINAL = TERMINAL_STATUSES as TaskStatus[];

/** Postgres' unique_violation: two inserts raced for the same unique key. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

// ---- submission ------------------------------------------------------------------------

/**
 * The unique index that allows one open bulk_categorize_async per session
 * (migrations/20261201000100_submission_guards.ts). The other one a submission can run
 * into is task_status_idempotency_idx: the user's Idempotency-Key is taken.
 */
export const SESSION_BUSY_INDEX = 'task_status_session_busy_idx';

/** The unique index an insert ran into (pg names it in `constraint`), or null for any other error. */
export function uniqueViolationOn(err: unknown): string | null {
  return isUniqueViolation(err) ? ((err as { constraint?: string }).constraint ?? '') : null;
}

export interface NewTask {
  taskId: string;
  userId: string;
  taskName: TaskName;
  queue: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  /** What the key was first used for (a hash of the request), so it answers only that request. */
  idempotencyHash?: string | null;
}

/**
 * The PENDING row a submission starts with. A repeated idempotency key, or a second open
 * categorization of a session, fails as a unique violation (see uniqueViolationOn).
 */
export async function insertPendingTask(db: Knex, t: NewTask): Promise<void> {
  await db('task_status').insert({
    task_id: t.taskId,
    user_id: t.userId,
    task_name: t.taskName,
    queue: t.queue,
    status: 'PENDING',
    progress_message: 'Waiting for a worker',
    params: JSON.stringify(t.params),
    idempotency_key: t.idempotencyKey,
    idempotency_hash: t.idempotencyHash ?? null,
  });
}

/** The task a user's Idempotency-Key was first used for, with the hash of that request (null on older rows). */
export async function taskByIdempotencyKey(
  db: Knex,
  userId: string,
  key: string,
): Promise<{ task_id: string; task_name: string; idempotency_hash: string | null } | null> {
  const row = await db('task_status').where({ user_id: userId, idempotency_key: key }).first('task_id', 'task_name', 'idempotency_hash');
  return row ?? null;
}

/**
 * Records that the task's workflow exists (its start was acknowledged, or the sweep found
 * it), so the pending sweep no longer looks at it. Returns the row's status and error as
 * they are now: a row already closed as SUBMISSION_LOST means the sweep gave up on it first.
 */
export async function confirmTaskStart(db: Knex, taskId: string): Promise<{ status: string; error: TaskErrorBody | null } | undefined> {
  const rows: { status: string; error: TaskErrorBody | null }[] = await db('task_status')
    .where({ task_id: taskId })
    .update({ start_confirmed_at: db.raw('coalesce(start_confirmed_at, now())') }, ['status', 'error']);
  return rows[0];
}

/** PENDING rows created before `before` whose workflow nobody has seen yet: oldest first, at most `limit`. */
export async function unconfirmedPendingTasks(db: Knex, before: Date, limit: number): Promise<OpenTaskRow[]> {
  return db('task_status')
    .where({ status: 'PENDING' })
    .whereNull('start_confirmed_at')
    .andWhere('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .select('task_id', 'status', 'created_at', 'user_id', 'task_name');
}

/**
 * Closes an open task whose workflow was not found, FAILED with `error`. A start confirmed
 * in the meantime wins (the row is left alone), unless that confirmation is itself older
 * than `lostAfterSeconds`: then the workflow existed once and is gone.
 */
export async function closeLostTask(
  db: Knex,
  c: { taskId: string; message: string; error: TaskErrorBody; resultTtlSeconds: number; lostAfterSeconds: number },
): Promise<boolean> {
  const n = await db('task_status')
    .where({ task_id: c.taskId })
    .whereIn('status', OPEN)
    .andWhere((q) =>
      q.whereNull('start_confirmed_at').orWhere('start_confirmed_at', '<', db.raw('now() - make_interval(secs => ?)', [c.lostAfterSeconds])),
    )
    .update({
      status: 'FAILED',
      progress_message: c.message,
      result: null,
      error: JSON.stringify(c.error),
      updated_at: db.fn.now(),
      completed_at: db.fn.now(),
      expires_at: db.raw('now() + make_interval(secs => ?)', [c.resultTtlSeconds]),
    });
  return n > 0;
}

/** Rows for tasks the system starts itself (the cleanup schedule), owned by user "system". */
export async function insertSystemTask(db: Knex, t: { taskId: string; taskName: string; queue: string; params: Record<string, unknown> }) {
  await db('task_status')
    .insert({ task_id: t.taskId, user_id: SYSTEM_USER_ID, task_name: t.taskName, queue: t.queue, status: 'PENDING', params: JSON.stringify(t.params) })
    .onConflict('task_id')
    .ignore();
}

// ---- reads -----------------------------------------------------------------------------

export async function findTask(db: Knex, taskId: string): Promise<TaskRow | undefined> {
  return tasks(db).where({ task_id: taskId }).first();
}

/** The row only if `userId` owns it: anyone else's task reads exactly like a missing one. */
export async function findTaskOfUser(db: Knex, userId: string, taskId: string): Promise<TaskRow | undefined> {
  return tasks(db).where({ task_id: taskId, user_id: userId }).first();
}

export interface TaskFilter {
  status?: TaskStatus;
  taskName?: TaskName;
  limit: number;
  offset: number;
}

/** A user's tasks, newest first, and how many match in all. */
export async function listTasksOfUser(db: Knex, userId: string, f: TaskFilter): Promise<{ rows: TaskRow[]; total: number }> {
  const base = tasks(db).where({ user_id: userId });
  if (f.status) base.andWhere({ status: f.status });
  if (f.taskName) base.andWhere({ task_name: f.taskName });
  const [{ count }] = await base.clone().count<{ count: string }[]>({ count: '*' });
  const rows = await base
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'task_id', order: 'desc' }])
    .limit(f.limit)
    .offset(f.offset);
  return { rows, total: Number(count) };
}

/** An open task of `taskName` of the user's on `sessionId` (the session id is in its params). */
export async function openTaskOnSession(db: Knex, userId: string, taskName: TaskName, sessionId: string): Promise<string | null> {
  const row = await tasks(db)
    .where({ user_id: userId, task_name: taskName })
    .whereIn('status', OPEN)
    .whereRaw(`params->>'session_id' = ?`, [sessionId])
    .first('task_id');
  return row?.task_id ?? null;
}

export async function taskParams(db: Knex, taskId: string): Promise<Record<string, unknown> | null> {
  const row = await tasks(db).where({ task_id: taskId }).first('params');
  return row?.params ?? null;
}

export async function taskOwner(db: Knex, taskId: string): Promise<string | null> {
  const row = await tasks(db).where({ task_id: taskId }).first('user_id');
  return row?.user_id ?? null;
}

// ---- progress --------------------------------------------------------------------------

export interface ProgressWrite {
  taskId: string;
  seq: number;
  status: TaskStatus;
  percent: number;
  message: string;
}

const clampPercent = (p: number): number => Math.max(0, Math.min(100, Math.round(p)));

/**
 * The workflow's progress. Writes can arrive out of order (retries, replays of local
 * activities), so each carries the workflow's sequence number and applies only if it is
 * newer than what the row holds; percent never goes backwards.
 */
export async function writeProgress(db: Knex, w: ProgressWrite): Promise<boolean> {
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
}

/** Moves the percent of a running task forward between workflow steps (long activities). */
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

// ---- the end of a task ---------------------------------------------------------------

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

/**
 * The one terminal write of a task row: SUCCESS, FAILED or CANCELLED, with its result or
 * error and the time its result expires. It applies only to a row that is still open, so
 * whoever closes a task first — the workflow itself, a reconciliation after a timeout or
 * terminate, or the API when a start is refused — wins, and nothing overwrites that.
 */
export async function closeTask(db: Knex, c: TaskClosing): Promise<boolean> {
  const n = await db('task_status')
    .where({ task_id: c.taskId })
    .whereIn('status', OPEN)
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

/** The owner deleted a finished task's result: the row stays, saying so. */
export async function clearTaskResult(db: Knex, taskId: string): Promise<void> {
  await db('task_status').where({ task_id: taskId }).update({ result: null, result_cleared_at: db.fn.now(), updated_at: db.fn.now() });
}

// ---- cleanup ---------------------------------------------------------------------------

export interface Batch {
  limit: number;
  offset: number;
}

/** Drops the results (not the rows) of tasks whose result expired before `now`; returns how many. */
export async function clearExpiredResults(db: Knex, now: Date, b: Batch, dryRun: boolean): Promise<number> {
  const ids = (
    await tasks(db).whereNotNull('result').andWhere('expires_at', '<', now).orderBy('task_id').limit(b.limit).offset(b.offset).select('task_id')
  ).map((r) => r.task_id);
  if (!dryRun && ids.length) await db('task_status').whereIn('task_id', ids).update({ result: null });
  return ids.length;
}

/** Deletes finished tasks created before `cutoff`; returns how many. */
export async function deleteFinishedTasks(db: Knex, cutoff: Date, b: Batch, dryRun: boolean): Promise<number> {
  const ids = (
    await tasks(db).whereIn('status', TERMINAL).andWhere('created_at', '<', cutoff).orderBy('task_id').limit(b.limit).offset(b.offset).select('task_id')
  ).map((r) => r.task_id);
  if (!dryRun && ids.length) await db('task_status').whereIn('task_id', ids).delete();
  return ids.length;
}

/** Open rows nobody has written since `before`: their workflow may have closed without saying so. */
export async function quietOpenTasks(db: Knex, before: Date, b: Batch): Promise<OpenTaskRow[]> {
  return tasks(db)
    .whereIn('status', OPEN)
    .andWhere('updated_at', '<', before)
    .orderBy('task_id')
    .limit(b.limit)
    .offset(b.offset)
    .select('task_id', 'status', 'created_at', 'user_id', 'task_name');
}

// ---- metrics ---------------------------------------------------------------------------

/** Database time `seconds` ago: the upper bound of a count that late commits cannot move. */
export async function dbTimeAgo(db: Knex, seconds: number): Promise<Date> {
  const { rows } = await db.raw<{ rows: { upto: Date }[] }>(`select now() - make_interval(secs => ?) as upto`, [seconds]);
  return rows[0].upto;
}

/** Tasks that finished in (after, upto], by task name and status. */
export async function countFinished(db: Knex, after: Date, upto: Date): Promise<{ task_name: string; status: string; n: number }[]> {
  const rows: { task_name: string; status: string; n: number }[] = await db('task_status')
    .whereIn('status', TERMINAL)
    .where('completed_at', '>', after)
    .where('completed_at', '<=', upto)
    .groupBy('task_name', 'status')
    .select('task_name', 'status', db.raw('count(*)::int as n'));
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Open tasks now by task name, queue and status, with the age in seconds of the oldest. */
export async function countOpen(db: Knex): Promise<{ task_name: string; queue: string; status: string; n: number; age: number }[]> {
  const rows: { task_name: string; queue: string; status: string; n: number; age: number }[] = await db('task_status')
    .whereIn('status', OPEN)
    .groupBy('task_name', 'queue', 'status')
    .select('task_name', 'queue', 'status', db.raw('count(*)::int as n'), db.raw('extract(epoch from now() - min(created_at))::float8 as age'));
  return rows.map((r) => ({ ...r, n: Number(r.n), age: Number(r.age) }));
}
