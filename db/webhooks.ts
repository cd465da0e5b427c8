/**
 * Webhooks and their deliveries: registered webhooks (per user), a task's callback, the
 * deliveries of each event and the attempts of each delivery. Secrets are stored sealed;
 * sealing and opening is the caller's (platform/secret-box.ts).
 */
import type { Knex } from 'knex';
import type { WebhookEvent } from '../contract/tasks';
import { batchOfTask } from './batches';

export interface WebhookRow {
  id: string;
  user_id: string;
  url: string;
  events: WebhookEvent[];
  created_at: Date;
}

const WEBHOOK_COLUMNS = ['id', 'user_id', 'url', 'events', 'created_at'] as const;

/** The webhook was not added: the user already has `max`. */
export class TooManyWebhooksError extends Error {
  constructor(readonly max: number) {
    super(`at most ${max} webhooks per user`);
    this.name = 'TooManyWebhooksError';
  }
}

/**
 * Adds a webhook unless the user already has `max`. The count and the insert run under a
 * per-user transaction lock, so simultaneous requests cannot pass the limit together.
 */
export async function insertWebhook(
  db: Knex,
  w: { id: string; userId: string; url: string; secretSealed: Buffer; events: WebhookEvent[] },
  max: number,
): Promise<WebhookRow> {
  return db.transaction(async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(hashtextextended('webhooks:' || ?, 0))`, [w.userId]);
    const [{ n }] = await trx('webhooks').where({ user_id: w.userId }).count({ n: '*' });
    if (Number(n) >= max) throw new TooManyWebhooksError(max);
    const [row] = await trx('webhooks')
      .insert({ id: w.id, user_id: w.userId, url: w.url, secret_sealed: w.secretSealed, events: w.events })
      .returning([...WEBHOOK_COLUMNS]);
    return row as WebhookRow;
  });
}

export async function listWebhooks(db: Knex, userId: string): Promise<WebhookRow[]> {
  return db('webhooks').where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'id' }]).select([...WEBHOOK_COLUMNS]);
}

export async function findWebhookOfUser(db: Knex, userId: string, id: string): Promise<WebhookRow | undefined> {
  return db('webhooks').where({ user_id: userId, id }).first([...WEBHOOK_COLUMNS]);
}

export async function deleteWebhookOfUser(db: Knex, userId: string, id: string): Promise<boolean> {
  return (await db('webhooks').where({ user_id: userId, id }).delete()) > 0;
}

/** Whether any of the user's webhooks listens for `event`: the cheap question asked at every task's end. */
/**
 * Whether a task's end has anyone to be delivered to: a callback given with the task, a
 * webhook of its user for the event, or (for a parse) a batch that this end may complete.
 */
export async function someoneAwaitsTaskEnd(db: Knex, t: { taskId: string; userId: string; taskName: string; event: WebhookEvent }): Promise<boolean> {
  if (await db('task_callbacks').where({ task_id: t.taskId }).first(db.raw('1 as one'))) return true;
  if (await userListensFor(db, t.userId, t.event)) return true;
  return t.taskName === 'parse_pdf_async' && (await batchOfTask(db, t.taskId)) !== null;
}

export async function userListensFor(db: Knex, userId: string, event: WebhookEvent): Promise<boolean> {
  const row = await db('webhooks').where({ user_id: userId }).whereRaw('? = any(events)', [event]).first(db.raw('1 as one'));
  return row !== undefined;
}

export async function webhooksListeningFor(db: Knex, userId: string, event: WebhookEvent): Promise<{ id: string; url: string }[]> {
  return db('webhooks').where({ user_id: userId }).whereRaw('? = any(events)', [event]).orderBy('created_at').select('id', 'url');
}

export async function webhookSecret(db: Knex, id: string): Promise<Buffer | null> {
  const row = await db('webhooks').where({ id }).first('secret_sealed');
  return row?.secret_sealed ?? null;
}

// ---- a task's callback -----------------------------------------------------------------

export async function insertTaskCallback(db: Knex, c: { taskId: string; url: string; secretSealed: Buffer | null }): Promise<void> {
  await db('task_callbacks').insert({ task_id: c.taskId, url: c.url, secret_sealed: c.secretSealed });
}

export async function taskCallback(db: Knex, taskId: string): Promise<{ url: string; secret_sealed: Buffer | null } | undefined> {
  return db('task_callbacks').where({ task_id: taskId }).first('url', 'secret_sealed');
}

// ---- deliveries ------------------------------------------------------------------------

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export type AttemptOutcome = 'delivered' | 'retrying' | 'failed';

export interface NewDelivery {
  id: string;
  taskId: string;
  userId: string;
  event: WebhookEvent;
  eventId: string;
  /** 'callback' or the webhook's id. */
  targetKey: string;
  webhookId: string | null;
  url: string;
  payload: string;
}

export interface DeliveryRow {
  id: string;
  task_id: string;
  user_id: string;
  event: WebhookEvent;
  event_id: string;
  target_key: string;
  webhook_id: string | null;
  url: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

/** Records the deliveries of one event; prepared again after a retry, the ones already there are kept as they are. */
export async function insertDeliveries(db: Knex, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db('webhook_deliveries')
    .insert(
      rows.map((r) => ({
        id: r.id,
        task_id: r.taskId,
        user_id: r.userId,
        event: r.event,
        event_id: r.eventId,
        target_key: r.targetKey,
        webhook_id: r.webhookId,
        url: r.url,
        payload: r.payload,
      })),
    )
    .onConflict(['event_id', 'target_key'])
    .ignore();
}

/** The ids of a task's deliveries not yet delivered or given up, oldest first. */
export async function pendingDeliveriesOfTask(db: Knex, taskId: string): Promise<string[]> {
  const found: { id: string }[] = await db('webhook_deliveries')
    .where({ task_id: taskId, status: 'pending' })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('id');
  return found.map((r) => r.id);
}

export async function findDelivery(db: Knex, id: string): Promise<DeliveryRow | undefined> {
  return db('webhook_deliveries').where({ id }).first();
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  statusCode: number | null;
  errorKind: string | null;
  durationMs: number;
  snippet: string | null;
  outcome: AttemptOutcome;
}

/** One attempt, and the delivery's state after it (delivered and failed are final). */
export async function recordDeliveryAttempt(db: Knex, a: AttemptRecord): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('webhook_delivery_attempts')
      .insert({
        delivery_id: a.deliveryId,
        attempt: a.attempt,
        status_code: a.statusCode,
        error_kind: a.errorKind,
        duration_ms: a.durationMs,
        response_snippet: a.snippet,
        outcome: a.outcome,
      })
      .onConflict(['delivery_id', 'attempt'])
      .merge();
    await trx('webhook_deliveries')
      .where({ id: a.deliveryId })
      .update({
        attempts: trx.raw('greatest(attempts, ?)', [a.attempt]),
        ...(a.outcome === 'retrying' ? {} : { status: a.outcome, completed_at: trx.fn.now() }),
      });
  });
}

/**
 * Makes `sender` (a delivery workflow's id) the one that sends this delivery, unless another
 * already is; whether it is this one. Claimed once, by the first attempt: later attempts of
 * the same workflow find their own claim.
 */
export async function claimDelivery(db: Knex, id: string, sender: string): Promise<boolean> {
  const claimed = await db('webhook_deliveries')
    .where({ id })
    .andWhere((q) => q.whereNull('sender').orWhere({ sender }))
    .update({ sender });
  return claimed === 1;
}

/** The retries ran out: a delivery still pending is failed for good. */
export async function giveUpDelivery(db: Knex, id: string): Promise<void> {
  await db('webhook_deliveries').where({ id, status: 'pending' }).update({ status: 'failed', completed_at: db.fn.now() });
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error_kind: string | null;
  duration_ms: number;
  response_snippet: string | null;
  outcome: AttemptOutcome;
  attempted_at: Date;
}

/** A task's deliveries, oldest first, each with its attempts in order. */
export async function deliveriesOfTask(db: Knex, taskId: string): Promise<Array<DeliveryRow & { attempt_rows: AttemptRow[] }>> {
  const deliveries: DeliveryRow[] = await db('webhook_deliveries').where({ task_id: taskId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (deliveries.length === 0) return [];
  const attempts: AttemptRow[] = await db('webhook_delivery_attempts')
    .whereIn('delivery_id', deliveries.map((d) => d.id))
    .orderBy([{ column: 'delivery_id' }, { column: 'attempt' }]);
  return deliveries.map((d) => ({ ...d, attempt_rows: attempts.filter((a) => a.delivery_id === d.id) }));
}
