/**
 * The lifecycle every task workflow shares: PROCESSING as soon as it starts, a `progress`
 * query, throttled mirroring to `task_status`, the soft time limit, cancellation with
 * cleanup, and the terminal write (SUCCESS / FAILED / CANCELLED with a reason).
 *
 * Progress mirrors go through local activities (one marker each, no task-queue round
 * trip), and only on coarse steps: a workflow never records an event per row.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createTaskMirrorActivities } from '../activities/task-mirror';
import type { WebhookActivities } from '../activities/webhooks';
import {
  progressQuery,
  SYSTEM_USER_ID,
  TASK_END_EVENTS,
  type ProgressState,
  type TaskEnvelope,
  type TaskErrorBody,
  type TaskSettings,
} from '../contract/tasks';
import { deliverTaskWebhooks } from './task-webhooks';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/search-attributes';
import { NON_RETRYABLE_ERROR_TYPES } from '../contract/errors/task-errors';

type MirrorActivities = ReturnType<typeof createTaskMirrorActivities>;

/** Marks the workflows that announce their end to webhooks: recorded histories replay without it. */
const TASK_WEBHOOKS_PATCH = 'task-webhooks';

/**
 * Fields for every workflow log line: the SDK adds the workflow id (the worker's JSON
 * logger names it task_id); the user comes from the UserId search attribute set at start.
 */
function logFields(taskId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const sa = workflowInfo().typedSearchAttributes;
  const userId = sa.get(SEARCH_ATTRIBUTE_KEYS.UserId);
  const taskName = sa.get(SEARCH_ATTRIBUTE_KEYS.TaskName);
  return { task_id: taskId, ...(userId ? { user_id: userId } : {}), ...(taskName ? { task_name: taskName } : {}), ...extra };
}

/** Options for the activities of one task, from the settings the task was started with. */
export function activityOptions(settings: TaskSettings) {
  return {
    startToCloseTimeout: settings.activityStartToCloseMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    // Cleanup must not race a still-running activity: wait until it has really stopped.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: settings.retry.maximumAttempts,
      initialInterval: settings.retry.initialIntervalMs,
      backoffCoefficient: settings.retry.backoffCoefficient,
      maximumInterval: settings.retry.maximumIntervalMs,
      nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
    },
  };
}

export class TaskRun {
  readonly state: ProgressState = { status: 'PENDING', percent: 0, message: 'Submitted', seq: 0 };
  private lastMirrorAt = -Infinity;
  private readonly mirror: MirrorActivities;
  private readonly terminal: MirrorActivities;
  private readonly terminalLocal: MirrorActivities;
  private readonly webhookCheck: WebhookActivities;

  constructor(readonly task: Pick<TaskEnvelope, 'taskId' | 'settings'> & Partial<Pick<TaskEnvelope, 'userId' | 'taskName' | 'hasCallback'>>) {
    this.mirror = proxyLocalActivities<MirrorActivities>({
      startToCloseTimeout: '10s',
      retry: { maximumAttempts: 3, initialInterval: '1s' },
    });
    // The terminal write must land: retried for a long time, independent of the task's policy.
    this.terminal = proxyActivities<MirrorActivities>({
      startToCloseTimeout: '30s',
      retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
    });
    // The same write as a local activity: no task-queue round trip and one workflow task
    // fewer at the end of every task. Past a minute of retries the SDK backs off with
    // durable timers, so it is retried as long as the remote one.
    this.terminalLocal = proxyLocalActivities<MirrorActivities>({
      startToCloseTimeout: '30s',
      retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
    });
    this.webhookCheck = proxyLocalActivities<WebhookActivities>({
      startToCloseTimeout: '10s',
      retry: { maximumAttempts: 3, initialInterval: '1s' },
    });
    setHandler(progressQuery, () => ({ ...this.state }));
  }

  /** Moves progress forward (never back) and mirrors it, throttled unless `force`. */
  async progress(percent: number, message: string, force = false): Promise<void> {
    this.state.status = 'PROCESSING';
    this.state.percent = Math.max(this.state.percent, Math.min(99, Math.round(percent)));
    this.state.message = message;
    this.state.seq += 1;
    const now = Date.now(); // workflow time: deterministic
    if (!force && now - this.lastMirrorAt < this.task.settings.progressMirrorIntervalMs) return;
    this.lastMirrorAt = now;
    try {
      await this.mirror.mirrorProgress({ taskId: this.task.taskId, ...this.state });
    } catch (err) {
      // The mirror is a view: a failed write must not fail the task. The next one catches up.
      if (isCancellation(err)) throw err;
      log.warn('progress mirror failed', logFields(this.task.taskId, { error: String(err) }));
    }
  }

  /**
   * Runs the task body under the soft time limit. `cleanup` runs (not cancellable) after a
   * failure, a cancel or the soft limit, to remove partial data. Returns the body's result.
   */
  async run<T>(
    body: () => Promise<T>,
    opts: { cleanup: () => Promise<void>; successMessage?: string; fileKey?: (r: T) => string | null },
  ): Promise<T> {
    log.info('task started', logFields(this.task.taskId, { attempt: workflowInfo().attempt }));
    const bodyScope = new CancellationScope();
    let softLimitHit = false;
    const timerScope = new CancellationScope();
    timerScope
      .run(() => sleep(this.task.settings.softTimeLimitMs))
      .then(() => {
        softLimitHit = true;
        bodyScope.cancel();
      })
      .catch(() => undefined); // cancelled when the body finishes first

    try {
      // Inside the try: a task cancelled before it started still ends CANCELLED with a reason.
      await this.progress(1, 'Started', true);
      const result = await bodyScope.run(body);
      timerScope.cancel();
      // The work is done and kept: a cancel arriving now must not turn it into a failure
      // whose cleanup would undo finished work.
      await CancellationScope.nonCancellable(() =>
        this.finish('SUCCESS', opts.successMessage ?? 'Completed', { result, fileKey: opts.fileKey?.(result) ?? null }),
      );
      return result;
    } catch (err) {
      timerScope.cancel();
      await CancellationScope.nonCancellable(async () => {
        await opts.cleanup().catch((e) => log.error('cleanup failed', logFields(this.task.taskId, { error: String(e) })));
        if (softLimitHit) {
          const seconds = Math.round(this.task.settings.softTimeLimitMs / 1000);
          await this.finish('FAILED', 'Time limit exceeded', {
            error: { code: 'SOFT_TIME_LIMIT', message: `The task ran longer than its ${seconds} s limit and was stopped` },
          });
        } else if (isCancellation(err)) {
          await this.finish('CANCELLED', 'Cancelled', { error: { code: 'CANCELLED', message: 'The task was cancelled' } });
        } else {
          await this.finish('FAILED', 'Failed', { error: errorBody(err) });
        }
      });
      if (softLimitHit) {
        throw ApplicationFailure.nonRetryable('The task exceeded its soft time limit', 'SOFT_TIME_LIMIT');
      }
      if (!isCancellation(err)) {
        const body = errorBody(err);
        throw ApplicationFailure.nonRetryable(body.message, body.code);
      }
      throw err;
    }
  }

  private async finish(
    status: 'SUCCESS' | 'FAILED' | 'CANCELLED',
    message: string,
    extra: { result?: unknown; error?: TaskErrorBody; fileKey?: string | null },
  ): Promise<void> {
    this.state.status = status;
    this.state.message = message;
    if (status === 'SUCCESS') this.state.percent = 100;
    this.state.seq += 1;
    // Workflows that recorded the remote write replay with it.
    const terminal = patched('local-terminal-write') ? this.terminalLocal : this.terminal;
    await terminal.finishTask({
      taskId: this.task.taskId,
      seq: this.state.seq,
      status,
      message,
      resultTtlSeconds: this.task.settings.resultTtlSeconds,
      ...extra,
    });
    const line = logFields(this.task.taskId, { status, ...(extra.error ? { error_code: extra.error.code, error: extra.error.message } : {}) });
    if (status === 'FAILED') log.warn('task finished', line);
    else log.info('task finished', line);
    await this.announce(status);
  }

  /**
   * After the terminal write, so the task's status never waits for a receiver: when the
   * task has a callback or its user a webhook for this event, a child workflow delivers
   * it, abandoned by this one (it retries for hours; this workflow ends now). A task with
   * neither costs one local look-up. Nothing here may fail the task.
   */
  private async announce(status: 'SUCCESS' | 'FAILED' | 'CANCELLED'): Promise<void> {
    const { taskId, userId, taskName } = this.task;
    if (!userId || !taskName || userId === SYSTEM_USER_ID) return;
    if (!patched(TASK_WEBHOOKS_PATCH)) return;
    const event = TASK_END_EVENTS[status];
    try {
      const wanted = this.task.hasCallback === true || (await this.webhookCheck.taskEndHasListeners({ taskId, userId, taskName, event }));
      if (!wanted) return;
      await startChild(deliverTaskWebhooks, {
        workflowId: `${taskId}-webhooks`,
        args: [{ taskId, userId, taskName, event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (err) {
      log.error('webhook delivery not started', logFields(taskId, { error: String(err) }));
    }
  }
}

/** The stable code and a client-safe message of a task failure. */
export function errorBody(err: unknown): TaskErrorBody {
  let cause: unknown = err;
  if (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    const code = cause.type && /^[A-Z][A-Z0-9_]+$/.test(cause.type) ? cause.type : 'TASK_FAILED';
    return { code, message: cause.message || 'The task failed' };
  }
  if (cause instanceof Error) return { code: 'TASK_FAILED', message: cause.message };
  return { code: 'TASK_FAILED', message: 'The task failed' };
}
