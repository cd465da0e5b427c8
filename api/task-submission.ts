/**
 * The one submission path for every operation: write the PENDING row, then start the
 * workflow with the same id. If the start fails the row ends FAILED with a reason and the
 * client gets 503, so there is never a row without a workflow that anyone waits on.
 * An Idempotency-Key makes a repeated submission by the same user return the same task.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import { BadRequestError, ServiceUnavailableError } from '../contract/errors';
import type { Logger } from '../platform/logger';
import { closeTask, insertPendingTask, isUniqueViolation, taskIdByIdempotencyKey } from '../db/tasks';
import type { ApiMetrics } from '../platform/metrics';
import { TASK_TYPES, type TaskEnvelope, type TaskInputs, type UserTaskName } from '../contract/tasks';
import { taskSettingsFrom } from '../platform/task-settings';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/search-attributes';

export interface SubmitDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** Counts accepted submissions (platform/metrics.ts); optional so scripts and tests can omit it. */
  metrics?: Pick<ApiMetrics, 'tasksSubmitted'>;
}

export interface Submission<N extends UserTaskName> {
  userId: string;
  taskName: N;
  /** Stored with the row (e.g. the rule set), read by activities: never sent through history. */
  params?: Record<string, unknown>;
  idempotencyKey?: string;
  memo?: Record<string, unknown>;
  clientId?: string | null;
  /** The task's own part of its workflow input; the envelope (ids, settings) is added here. */
  input: Omit<TaskInputs[N], keyof TaskEnvelope>;
  /** Undo side effects made before submitting (e.g. a stored upload) when the task is not created. */
  onAbandoned?: () => Promise<void>;
  /** A task id chosen by the caller (uploads key their file by it). */
  taskId?: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function readIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestError('Idempotency-Key must be 1–200 printable ASCII characters', 'BAD_IDEMPOTENCY_KEY');
  }
  return header;
}

export async function findByIdempotencyKey(db: Knex, userId: string, key: string | undefined): Promise<string | null> {
  return key ? taskIdByIdempotencyKey(db, userId, key) : null;
}

export async function submitTask<N extends UserTaskName>(deps: SubmitDeps, s: Submission<N>): Promise<{ taskId: string; existing: boolean }> {
  const { db, temporal, config } = deps;
  const existing = await findByIdempotencyKey(db, s.userId, s.idempotencyKey);
  if (existing) {
    await s.onAbandoned?.();
    return { taskId: existing, existing: true };
  }
  const taskId = s.taskId ?? randomUUID();
  const { workflowType, queue } = TASK_TYPES[s.taskName];
  try {
    await insertPendingTask(db, {
      taskId,
      userId: s.userId,
      taskName: s.taskName,
      queue,
      params: s.params ?? {},
      idempotencyKey: s.idempotencyKey ?? null,
    });
  } catch (err) {
    // Two identical submissions raced: the unique index let one through; answer with it.
    if (isUniqueViolation(err) && s.idempotencyKey) {
      const winner = await findByIdempotencyKey(db, s.userId, s.idempotencyKey);
      if (winner) {
        await s.onAbandoned?.();
        return { taskId: winner, existing: true };
      }
    }
    throw err;
  }

  try {
    await temporal.workflow.start(workflowType, {
      taskQueue: queue,
      workflowId: taskId,
      args: [{ ...s.input, taskId, userId: s.userId, taskName: s.taskName, settings: taskSettingsFrom(config) } as TaskInputs[N]],
      workflowExecutionTimeout: config.hardTimeLimitSeconds * 1000,
      // The Celery service's queue weights as Temporal's priority key (TASK_PRIORITIES, see
      // docs/operations.md "Queue priority"); activities inherit it from the workflow.
      // The fairness key is the user: where the server dispatches fairly, one user's burst
      // of tasks waits its turn behind other users' instead of ahead of them.
      priority: { priorityKey: config.queuePriorityKeys[queue], fairnessKey: s.userId },
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.TaskName, value: s.taskName },
        { key: SEARCH_ATTRIBUTE_KEYS.UserId, value: s.userId },
        ...(s.clientId ? [{ key: SEARCH_ATTRIBUTE_KEYS.ClientId, value: s.clientId }] : []),
      ],
      memo: { task_name: s.taskName, user_id: s.userId, ...(s.memo ?? {}) },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      deps.logger.error('workflow start failed', { task_id: taskId, user_id: s.userId, error: (err as Error).message });
      await closeTask(db, {
        taskId,
        status: 'FAILED',
        message: 'Could not be started',
        error: { code: 'SUBMISSION_FAILED', message: 'The task engine did not accept the task; nothing was run' },
        resultTtlSeconds: config.resultTtlSeconds,
      }).catch(() => undefined);
      await s.onAbandoned?.().catch(() => undefined);
      throw new ServiceUnavailableError('The task engine is unavailable; try again shortly', 'TEMPORAL_UNAVAILABLE');
    }
  }
  deps.metrics?.tasksSubmitted.inc({ task_name: s.taskName });
  deps.logger.info('task submitted', { task_id: taskId, user_id: s.userId, task_name: s.taskName });
  return { taskId, existing: false };
}
