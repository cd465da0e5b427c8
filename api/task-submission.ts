/**
 * The one submission path for every operation: write the PENDING row, then start the
 * workflow with the same id.
 *
 * A start can end three ways. Acknowledged: the row is marked confirmed and the workers take
 * it from there. Refused for certain (the server answered no, or the request never left this
 * process): the row ends FAILED, the upload is deleted, the client gets 503. Anything else (a
 * timeout, a dropped connection after the request was written) may have started the
 * workflow: the row stays PENDING, the upload stays, and the client gets 503 saying the
 * task may have started; the pending sweep (platform/task-reconcile.ts) settles the row
 * within a minute, finding either the workflow or that it is lost.
 *
 * An Idempotency-Key makes a repeated submission by the same user return the same task. The
 * key is bound to a hash of the request it was first used for (method, path, parameters):
 * another request with the same key is refused with 422.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isGrpcServiceError, ServiceError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import { AppError, BadRequestError, ServiceUnavailableError, ValidationError } from '../contract/errors';
import type { Logger } from '../platform/logger';
import {
  closeTask,
  confirmTaskStart,
  insertPendingTask,
  SESSION_BUSY_INDEX,
  taskByIdempotencyKey,
  uniqueViolationOn,
} from '../db/tasks';
import type { ApiMetrics } from '../platform/metrics';
import { TASK_TYPES, type TaskEnvelope, type TaskInputs, type UserTaskName } from '../contract/tasks';
import { taskSettingsFrom } from '../platform/task-settings';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/search-attributes';
import { insertTaskCallback } from '../db/webhooks';
import { createSecretBox } from '../platform/secret-box';
import { announceTaskEnd } from '../platform/task-announce';
import type { TaskCallback } from './callback-fields';

export interface SubmitDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** Counts accepted submissions (platform/metrics.ts); optional so scripts and tests can omit it. */
  metrics?: Pick<ApiMetrics, 'tasksSubmitted'>;
}

/** The request as the client sent it: what an Idempotency-Key is bound to. */
export interface SubmittedRequest {
  method: string;
  /** The route's path, without the query string. */
  path: string;
  /** Everything that decides the task: query parameters, the body (or the upload's sha256 and form fields). */
  params: Record<string, unknown>;
}

export interface Submission<N extends UserTaskName> {
  userId: string;
  taskName: N;
  /** Stored with the row (e.g. the rule set), read by activities: never sent through history. */
  params?: Record<string, unknown>;
  idempotencyKey?: string;
  /** Default: the task name and `params`, for callers that are not an HTTP route. */
  request?: SubmittedRequest;
  memo?: Record<string, unknown>;
  clientId?: string | null;
  /** The task's own part of its workflow input; the envelope (ids, settings) is added here. */
  input: Omit<TaskInputs[N], keyof TaskEnvelope>;
  /** Undo side effects made before submitting (e.g. a stored upload) when the task is not created. */
  onAbandoned?: () => Promise<void>;
  /** A task id chosen by the caller (uploads key their file by it). */
  taskId?: string;
  /**
   * Where the task's end is delivered (api/callback-fields.ts). Stored beside the row with
   * its secret sealed; the workflow input only says that there is one.
   */
  callback?: TaskCallback;
  /**
   * Work already done (a statement uploaded again, parsed before): the task is recorded and
   * ends SUCCESS at once with this result, and no workflow runs. Its row, status, result and
   * events read like any task's; no callback is delivered (nothing ran to announce).
   */
  answeredAtOnce?: { result: unknown; message: string };
}

/**
 * The database refused the task because an open task already holds what it needs: a
 * session has one categorization at a time. The route knows how to say so (409 with the
 * running task); nothing was created or started.
 */
export class TaskBusyError extends Error {
  constructor(readonly index: string) {
    super(`an open task holds ${index}`);
    this.name = 'TaskBusyError';
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function readIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestError('Idempotency-Key must be 1–200 printable ASCII characters', 'BAD_IDEMPOTENCY_KEY');
  }
  return header;
}

/** JSON with object keys sorted at every level, so the same parameters always hash the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(r: SubmittedRequest): string {
  return createHash('sha256').update(`${r.method.toUpperCase()} ${r.path}\n${canonicalJson(r.params)}`).digest('hex');
}

/**
 * The task an earlier request with this key created, if any. The key answers only the
 * request it was first used for; rows written before keys were bound carry no hash and
 * match on the task name alone.
 */
async function replayed(db: Knex, s: Submission<UserTaskName>, hash: string): Promise<{ taskId: string; existing: true } | null> {
  if (!s.idempotencyKey) return null;
  const row = await taskByIdempotencyKey(db, s.userId, s.idempotencyKey);
  if (!row) return null;
  await s.onAbandoned?.();
  const same = row.idempotency_hash === null ? row.task_name === s.taskName : row.idempotency_hash === hash;
  if (!same) {
    throw new ValidationError(
      'This Idempotency-Key was already used for a different request; send a new key for a new request',
      'IDEMPOTENCY_KEY_REUSED',
    );
  }
  return { taskId: row.task_id, existing: true };
}

/** gRPC status codes (grpc.status) with which the server refuses a start it did not perform. */
const REFUSED_STATUS = new Set([
  3, // INVALID_ARGUMENT
  5, // NOT_FOUND
  7, // PERMISSION_DENIED
  9, // FAILED_PRECONDITION
  12, // UNIMPLEMENTED
  16, // UNAUTHENTICATED
]);
const UNAVAILABLE = 14;

/**
 * Whether a failed start certainly did not start the workflow. The client retries a
 * request the same way (same request id, which the server deduplicates), so the status of
 * the last attempt is the one that counts:
 *  - the server answered with a refusal code, or a refusal the SDK names (namespace not found);
 *  - the SDK failed before making the call at all (e.g. converting the input): not a
 *    ServiceError and no gRPC status;
 *  - gRPC found no connection to send it on ("No connection established": never written).
 * Anything else (DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE after the request was written,
 * RESOURCE_EXHAUSTED, UNKNOWN, INTERNAL) may have reached the server and started the workflow.
 */
export function isDefiniteRefusal(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return !isGrpcServiceError(err);
  const cause = err.cause;
  if (!isGrpcServiceError(cause)) return false;
  if (REFUSED_STATUS.has(cause.code)) return true;
  return cause.code === UNAVAILABLE && /No connection established/.test(cause.details);
}

export async function submitTask<N extends UserTaskName>(deps: SubmitDeps, s: Submission<N>): Promise<{ taskId: string; existing: boolean }> {
  const { db, temporal, config } = deps;
  const hash = s.idempotencyKey ? requestHash(s.request ?? { method: 'SUBMIT', path: s.taskName, params: s.params ?? {} }) : '';
  const earlier = await replayed(db, s, hash);
  if (earlier) return earlier;
  const taskId = s.taskId ?? randomUUID();
  const { workflowType, queue } = TASK_TYPES[s.taskName];
  const pending = {
    taskId,
    userId: s.userId,
    taskName: s.taskName,
    queue,
    params: s.params ?? {},
    idempotencyKey: s.idempotencyKey ?? null,
    idempotencyHash: s.idempotencyKey ? hash : null,
  };
  const callback = s.callback;
  try {
    if (callback) {
      // The row and its callback together: a task never runs without the callback it was given.
      const secretSealed = callback.secret ? createSecretBox(config.fileSecretKey).seal('webhook-secret', taskId, callback.secret) : null;
      await db.transaction(async (trx) => {
        await insertPendingTask(trx, pending);
        await insertTaskCallback(trx, { taskId, url: callback.url, secretSealed });
      });
    } else {
      await insertPendingTask(db, pending);
    }
  } catch (err) {
    const index = uniqueViolationOn(err);
    // Two submissions with the same key raced: the index let one through; answer with it.
    // Checked first, so a replay is never mistaken for a busy session.
    if (index !== null) {
      const winner = await replayed(db, s, hash);
      if (winner) return winner;
    }
    await s.onAbandoned?.().catch(() => undefined);
    if (index === SESSION_BUSY_INDEX) throw new TaskBusyError(index);
    throw err;
  }

  if (s.answeredAtOnce) {
    await closeTask(db, { taskId, status: 'SUCCESS', message: s.answeredAtOnce.message, result: s.answeredAtOnce.result, resultTtlSeconds: config.resultTtlSeconds });
    // No workflow of its own will say it ended: its callback, webhooks and batch are told here.
    await announceTaskEnd(temporal, db, { taskId, userId: s.userId, taskName: s.taskName, status: 'SUCCESS' }).catch((err: Error) =>
      deps.logger.warn('the end of a task answered at once was not announced', { task_id: taskId, error: err.message }),
    );
    deps.metrics?.tasksSubmitted.inc({ task_name: s.taskName });
    deps.logger.info('task answered at once', { task_id: taskId, user_id: s.userId, task_name: s.taskName });
    return { taskId, existing: false };
  }

  try {
    await temporal.workflow.start(workflowType, {
      taskQueue: queue,
      workflowId: taskId,
      args: [
        {
          ...s.input,
          taskId,
          userId: s.userId,
          taskName: s.taskName,
          settings: taskSettingsFrom(config),
          ...(callback ? { hasCallback: true } : {}),
        } as TaskInputs[N],
      ],
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
    // Already started: a workflow with this id exists, which is all a submission needs.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      if (!isDefiniteRefusal(err)) {
        // Closing the row or deleting the upload now could strand a workflow that is running.
        deps.logger.warn('workflow start unconfirmed; the pending sweep settles it', { task_id: taskId, user_id: s.userId, error: (err as Error).message });
        throw new AppError(
          503,
          'TASK_START_UNCONFIRMED',
          `The task engine did not confirm the start: the task may have started. Follow it at GET /tasks/${taskId}/status, where it settles within a minute`,
          { task_id: taskId },
        );
      }
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

  // A failed write here only leaves the confirmation to the sweep, which will find the workflow.
  const row = await confirmTaskStart(db, taskId).catch(() => undefined);
  if (row?.status === 'FAILED' && row.error?.code === 'SUBMISSION_LOST') {
    // The start took so long that the sweep called the task lost first; the row says FAILED,
    // so the workflow must not run unobserved.
    deps.logger.error('workflow started after its task was called lost; terminating it', { task_id: taskId, user_id: s.userId });
    const stopped = await temporal.workflow
      .getHandle(taskId)
      .terminate('its task was already reported as never started')
      .then(() => true, () => false);
    if (stopped) await s.onAbandoned?.().catch(() => undefined);
    throw new ServiceUnavailableError('The task engine is unavailable; try again shortly', 'TEMPORAL_UNAVAILABLE');
  }
  deps.metrics?.tasksSubmitted.inc({ task_name: s.taskName });
  deps.logger.info('task submitted', { task_id: taskId, user_id: s.userId, task_name: s.taskName });
  return { taskId, existing: false };
}
