/**
 * The bodies of webhook events and their ids. An event id is derived from what the event
 * is about and its kind, so every retry, and a delivery prepared twice, carries the same
 * id: receivers deduplicate on it (it is also the Idempotency-Key header).
 */
import { createHash } from 'node:crypto';
import type { TaskErrorBody, TaskWebhookEvent } from '../../contract/tasks';

export function webhookEventId(subjectId: string, kind: string): string {
  return `evt_${createHash('sha256').update(`${kind}:${subjectId}`).digest('hex').slice(0, 32)}`;
}

export interface EndedTask {
  taskId: string;
  taskName: string;
  status: string;
  result: unknown;
  error: TaskErrorBody | null;
  completedAt: Date;
}

export function taskEventBody(event: TaskWebhookEvent, t: EndedTask): Record<string, unknown> {
  return {
    event,
    event_id: webhookEventId(t.taskId, event),
    task_id: t.taskId,
    task_name: t.taskName,
    status: t.status,
    ...(t.status === 'SUCCESS' ? { result: t.result ?? null } : { error: t.error ?? { code: 'TASK_FAILED', message: 'The task failed' } }),
    occurred_at: t.completedAt.toISOString(),
  };
}

export interface CompletedBatch {
  batchId: string;
  summary: { total: number; succeeded: number; failed: number; cancelled: number };
  taskIds: string[];
  completedAt: Date;
}

export function batchEventBody(b: CompletedBatch): Record<string, unknown> {
  return {
    event: 'batch.completed',
    event_id: webhookEventId(b.batchId, 'batch.completed'),
    batch_id: b.batchId,
    summary: b.summary,
    task_ids: b.taskIds,
    occurred_at: b.completedAt.toISOString(),
  };
}
