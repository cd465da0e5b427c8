/**
 * The task_events table: one row per change of a task row, numbered per task, written by
 * the triggers of the task_events migration, which also NOTIFY on TASK_EVENTS_CHANNEL.
 */
import type { Knex } from 'knex';
import { isTerminal } from '../contract/tasks';

export const TASK_EVENTS_CHANNEL = 'task_events';

export interface TaskEvent {
  task_id: string;
  seq: number;
  status: string;
  progress_percent: number;
  progress_message: string;
  /** Seconds left at the task's average rate so far; null when it cannot be estimated. */
  eta_seconds: number | null;
  created_at: string;
  /** Terminal events only: the result (SUCCESS, while it is kept) or the error. */
  result?: unknown;
  error?: { code: string; message: string } | null;
}

/**
 * Events of one task after `afterSeq`, in order. Each carries an estimate of the time
 * left from the task's average rate since its first PROCESSING event; terminal events
 * carry the result or error from the task row.
 */
export async function loadTaskEvents(db: Knex, taskId: string, afterSeq: number): Promise<TaskEvent[]> {
  const { rows } = (await db.raw(
    `select e.seq, e.status, e.percent, e.message, e.error, e.created_at,
            a.created_at as anchor_at, a.percent as anchor_percent,
            case when e.status = 'SUCCESS' and t.result_cleared_at is null
                  and (t.expires_at is null or t.expires_at > now()) then t.result end as result
       from task_events e
       join task_status t on t.task_id = e.task_id
       left join lateral (
         select f.created_at, f.percent from task_events f
          where f.task_id = e.task_id and f.status = 'PROCESSING' order by f.seq limit 1
       ) a on true
      where e.task_id = ? and e.seq > ?
      order by e.seq`,
    [taskId, afterSeq],
  )) as { rows: EventRow[] };
  return rows.map((r) => toEvent(taskId, r));
}

interface EventRow {
  seq: number;
  status: string;
  percent: number;
  message: string;
  error: { code: string; message: string } | null;
  created_at: Date;
  anchor_at: Date | null;
  anchor_percent: number | null;
  result: unknown;
}

function toEvent(taskId: string, r: EventRow): TaskEvent {
  const event: TaskEvent = {
    task_id: taskId,
    seq: Number(r.seq),
    status: r.status,
    progress_percent: Number(r.percent),
    progress_message: r.message,
    eta_seconds: estimateEtaSeconds(r),
    created_at: new Date(r.created_at).toISOString(),
  };
  if (isTerminal(r.status)) {
    event.result = r.result ?? null;
    event.error = r.error ?? null;
  }
  return event;
}

/**
 * (100 − p) × elapsed / progress made, from the first PROCESSING event to this one. Only
 * while PROCESSING, after at least half a second and one percent of progress: earlier
 * estimates are noise.
 */
export function estimateEtaSeconds(r: Pick<EventRow, 'status' | 'percent' | 'created_at' | 'anchor_at' | 'anchor_percent'>): number | null {
  if (r.status !== 'PROCESSING' || !r.anchor_at || r.anchor_percent === null) return null;
  const elapsedS = (new Date(r.created_at).getTime() - new Date(r.anchor_at).getTime()) / 1000;
  const done = Number(r.percent) - Number(r.anchor_percent);
  if (elapsedS < 0.5 || done < 1 || Number(r.percent) >= 100) return null;
  return Math.max(0, Math.round(((100 - Number(r.percent)) * elapsedS) / done));
}
