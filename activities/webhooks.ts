/**
 * Webhook delivery: whether a task's end has listeners (a local activity, asked at every
 * task's end), preparing the deliveries of an ended task (the event body fixed once, so
 * every attempt sends the same bytes), one attempt of one delivery, and giving up.
 *
 * A delivery attempt throws a retryable failure when the receiver may recover (5xx, 408,
 * 429, timeouts, refused connections) and a non-retryable WEBHOOK_REJECTED when it will
 * not; the workflow's retry policy (from `webhookRetry`, returned by prepare) does the
 * backoff. URLs' paths and secrets are never logged.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import { createSecretBox, SecretUnreadableError, type SecretBox } from '../platform/secret-box';
import type { TaskWebhookEvent, TaskWebhooksInput, WebhookEvent } from '../contract/tasks';
import { findTask } from '../db/tasks';
import { completeBatchIfDone } from '../db/batches';
import {
  claimDelivery,
  findDelivery,
  giveUpDelivery,
  insertDeliveries,
  pendingDeliveriesOfTask,
  recordDeliveryAttempt,
  taskCallback,
  someoneAwaitsTaskEnd,
  webhookSecret,
  webhooksListeningFor,
  type NewDelivery,
} from '../db/webhooks';
import { attemptVerdict, batchEventBody, signatureHeader, SIGNATURE_HEADER, taskEventBody } from '../domain/webhooks';
import { sendWebhook, type Resolver } from './webhook-http';

/** How a delivery is retried: carried to the workflow by prepareTaskWebhooks's result. */
export interface WebhookRetry {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** All attempts of one delivery together (WEBHOOK_RETRY_HOURS). */
  totalMs: number;
  /** One attempt, as the activity's start-to-close timeout: the request's own deadline plus slack. */
  attemptTimeoutMs: number;
}

export interface WebhookActivityDeps {
  db: Knex;
  config: Config;
  /** Tests shorten the backoff. */
  retry?: Partial<WebhookRetry>;
  /** Tests map made-up host names to addresses of their choosing. */
  resolve?: Resolver;
  secrets?: SecretBox;
}

export const WEBHOOK_REJECTED = 'WEBHOOK_REJECTED';
const WEBHOOK_RETRY = 'WEBHOOK_RETRY';
const CALLBACK_TARGET = 'callback';

export function webhookRetryFrom(config: Config, override: Partial<WebhookRetry> = {}): WebhookRetry {
  return {
    initialIntervalMs: 10_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 3_600_000,
    totalMs: Math.round(config.webhooks.retryHours * 3_600_000),
    attemptTimeoutMs: config.webhooks.timeoutMs + 10_000,
    ...override,
  };
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
};

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { db, config } = deps;
  const box = deps.secrets ?? createSecretBox(config.fileSecretKey);
  const retry = webhookRetryFrom(config, deps.retry);

  async function deliveriesOfTaskEvent(input: TaskWebhooksInput): Promise<NewDelivery[]> {
    const task = await findTask(db, input.taskId);
    if (!task) return []; // deleted since it ended
    const body = JSON.stringify(
      taskEventBody(input.event, {
        taskId: task.task_id,
        taskName: task.task_name,
        status: task.status,
        result: task.result,
        error: task.error,
        completedAt: task.completed_at ?? new Date(),
      }),
    );
    return targets(input.taskId, input.userId, input.event, JSON.parse(body).event_id as string, body);
  }

  async function targets(taskId: string, userId: string, event: WebhookEvent, eventId: string, payload: string, q: Knex = db): Promise<NewDelivery[]> {
    const [callback, hooks] = await Promise.all([taskCallback(q, taskId), webhooksListeningFor(q, userId, event)]);
    const base = { taskId, userId, event, eventId, payload };
    return [
      ...(callback ? [{ ...base, id: randomUUID(), targetKey: CALLBACK_TARGET, webhookId: null, url: callback.url }] : []),
      ...hooks.map((h) => ({ ...base, id: randomUUID(), targetKey: h.id, webhookId: h.id, url: h.url })),
    ];
  }

  /** The signing secret of a delivery's receiver; null when it has none (a callback without callback_secret). */
  async function secretOf(d: { task_id: string; target_key: string; webhook_id: string | null }): Promise<string | null | 'gone'> {
    if (d.target_key === CALLBACK_TARGET) {
      const cb = await taskCallback(db, d.task_id);
      if (!cb) return 'gone';
      return cb.secret_sealed ? box.open('webhook-secret', d.task_id, cb.secret_sealed) : null;
    }
    if (!d.webhook_id) return 'gone';
    const sealed = await webhookSecret(db, d.webhook_id);
    return sealed ? box.open('webhook-secret', d.webhook_id, sealed) : 'gone';
  }

  return {
    /**
     * Asked after every user task's terminal write: an indexed look-up or two. A parse of a
     * batch always says yes: its end may complete the batch, which is marked by prepare.
     */
    async taskEndHasListeners(input: { taskId: string; userId: string; taskName: string; event: TaskWebhookEvent }): Promise<boolean> {
      return someoneAwaitsTaskEnd(db, input);
    },

    /**
     * The deliveries of the task's end event and, when that end completed the task's batch,
     * of batch.completed (marked and booked in one transaction, so a retry of this activity
     * neither loses nor repeats it). Returns every delivery of the task still to be made.
     */
    async prepareTaskWebhooks(input: TaskWebhooksInput): Promise<{ deliveryIds: string[]; retry: WebhookRetry }> {
      await insertDeliveries(db, await deliveriesOfTaskEvent(input));
      if (input.taskName === 'parse_pdf_async') {
        await db.transaction(async (trx) => {
          const batch = await completeBatchIfDone(trx, input.taskId);
          if (!batch) return;
          const body = batchEventBody({ batchId: batch.batchId, summary: batch.summary, taskIds: batch.taskIds, completedAt: new Date() });
          const rows = await targets(input.taskId, batch.userId, 'batch.completed', body.event_id as string, JSON.stringify(body), trx);
          await insertDeliveries(trx, rows);
        });
      }
      return { deliveryIds: await pendingDeliveriesOfTask(db, input.taskId), retry };
    },

    /** One attempt; `skipped` when another delivery workflow sends this delivery. */
    async deliverWebhook(input: { deliveryId: string }): Promise<{ delivered: boolean; skipped?: true }> {
      const d = await findDelivery(db, input.deliveryId);
      if (!d) return { delivered: false }; // deleted with its task
      if (d.status !== 'pending') return { delivered: d.status === 'delivered' }; // settled by an attempt whose completion was lost
      const { attempt, workflowExecution, activityId } = activityInfo();
      const sender = workflowExecution?.workflowId ?? `activity:${activityId}`;
      const fields = { task_id: d.task_id, delivery_id: d.id, event: d.event, host: hostOf(d.url), attempt };
      // Another delivery workflow was handed it too, and sends it (claimDelivery).
      if (!(await claimDelivery(db, d.id, sender))) {
        log.info('webhook delivery sent by another workflow', fields);
        return { delivered: false, skipped: true };
      }
      const secret = await secretOf(d).catch((err: unknown) => {
        // Sealed under another FILE_SECRET_KEY: no retry can open it.
        if (err instanceof SecretUnreadableError) log.error('webhook secret unreadable; delivery dropped', fields);
        else throw err;
        return 'gone' as const;
      });
      if (secret === 'gone') {
        await giveUpDelivery(db, d.id);
        log.info('webhook receiver removed; delivery dropped', fields);
        return { delivered: false };
      }
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        'Idempotency-Key': d.event_id,
        'Statementflow-Event-Id': d.event_id,
        'Statementflow-Event': d.event,
        ...(secret !== null ? { [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, d.payload) } : {}),
      };
      const sent = await sendWebhook(d.url, headers, d.payload, {
        timeoutMs: config.webhooks.timeoutMs,
        maxResponseBytes: config.webhooks.maxResponseBytes,
        allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
        resolve: deps.resolve,
      });
      const statusCode = 'statusCode' in sent ? sent.statusCode : null;
      const verdict = attemptVerdict('statusCode' in sent ? { statusCode: sent.statusCode } : { error: sent.error });
      await recordDeliveryAttempt(db, {
        deliveryId: d.id,
        attempt,
        statusCode,
        errorKind: 'error' in sent ? sent.error : null,
        durationMs: sent.durationMs,
        snippet: 'snippet' in sent ? sent.snippet : null,
        outcome: verdict === 'delivered' ? 'delivered' : verdict === 'retry' ? 'retrying' : 'failed',
      });
      const what = 'statusCode' in sent ? `HTTP ${sent.statusCode}` : sent.error;
      if (verdict === 'delivered' && statusCode !== null) {
        log.info('webhook delivered', { ...fields, status_code: statusCode, duration_ms: sent.durationMs });
        return { delivered: true };
      }
      log.warn('webhook attempt failed', { ...fields, outcome: what, final: verdict === 'final' });
      if (verdict === 'final') throw ApplicationFailure.nonRetryable(`the receiver refused the delivery (${what})`, WEBHOOK_REJECTED);
      throw ApplicationFailure.retryable(`the receiver did not take the delivery (${what})`, WEBHOOK_RETRY);
    },

    async giveUpWebhook(input: { deliveryId: string }): Promise<void> {
      await giveUpDelivery(db, input.deliveryId);
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
