/**
 * Webhooks: POST/GET/DELETE /webhooks (a user's registered receivers) and
 * GET /tasks/:id/deliveries (every delivery attempt of a task's events). Owner only: a
 * webhook or task of someone else answers 404, like one that does not exist.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { AppDeps } from '../app';
import { BadRequestError, ConflictError, NotFoundError } from '../../contract/errors';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../contract/tasks';
import { checkWebhookUrl } from '../../domain/webhooks';
import {
  deleteWebhookOfUser,
  deliveriesOfTask,
  findWebhookOfUser,
  insertWebhook,
  listWebhooks,
  TooManyWebhooksError,
  type WebhookRow,
} from '../../db/webhooks';
import { createSecretBox } from '../../platform/secret-box';
import { SECRET_PATTERN } from '../callback-fields';
import { isUuid } from '../params';
import { findOwnTask } from '../task-view';

const BODY_KEYS = ['url', 'secret', 'events'];
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const webhookBody = (w: WebhookRow) => ({ id: w.id, url: w.url, events: w.events, created_at: iso(w.created_at) });

function readEvents(v: unknown): WebhookEvent[] {
  if (v === undefined) return [...WEBHOOK_EVENTS];
  if (!Array.isArray(v) || v.length === 0 || !v.every((e) => (WEBHOOK_EVENTS as readonly unknown[]).includes(e))) {
    throw new BadRequestError(`events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`, 'BAD_WEBHOOK_EVENTS');
  }
  return [...new Set(v as WebhookEvent[])];
}

export function webhookRoutes(deps: AppDeps): Router {
  const router = new Router();
  const box = createSecretBox(deps.config.fileSecretKey);
  const own = async (userId: string, id: string): Promise<WebhookRow> => {
    const row = isUuid(id) ? await findWebhookOfUser(deps.db, userId, id.toLowerCase()) : undefined;
    if (!row) throw new NotFoundError('Webhook not found', 'WEBHOOK_NOT_FOUND');
    return row;
  };

  router.post('/webhooks', async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestError('The body must be a JSON object {url, secret?, events?}', 'BAD_WEBHOOK');
    }
    const unknown = Object.keys(body).filter((k) => !BODY_KEYS.includes(k));
    if (unknown.length > 0) throw new BadRequestError(`Unknown field ${JSON.stringify(unknown[0].slice(0, 40))}`, 'BAD_WEBHOOK');
    const checked = checkWebhookUrl(body.url, { allowPrivateAddresses: deps.config.webhooks.allowPrivateAddresses });
    if ('problem' in checked) throw new BadRequestError(`url ${checked.problem}`, 'BAD_WEBHOOK_URL');
    if (body.secret !== undefined && (typeof body.secret !== 'string' || !SECRET_PATTERN.test(body.secret))) {
      throw new BadRequestError('secret must be 16–200 printable ASCII characters', 'BAD_WEBHOOK_SECRET');
    }
    const events = readEvents(body.events);
    const generated = body.secret === undefined ? `whsec_${randomBytes(24).toString('base64url')}` : undefined;
    const secret = (body.secret as string | undefined) ?? (generated as string);
    const id = randomUUID();
    try {
      const row = await insertWebhook(
        deps.db,
        { id, userId: ctx.state.userId, url: checked.url.toString(), secretSealed: box.seal('webhook-secret', id, secret), events },
        deps.config.webhooks.maxPerUser,
      );
      ctx.status = 201;
      // A generated secret is shown this once; a given one is never echoed.
      ctx.body = { ...webhookBody(row), ...(generated ? { secret: generated } : {}) };
    } catch (err) {
      if (err instanceof TooManyWebhooksError) {
        throw new ConflictError(`At most ${err.max} webhooks per user; delete one first`, 'TOO_MANY_WEBHOOKS');
      }
      throw err;
    }
  });

  router.get('/webhooks', async (ctx) => {
    ctx.body = { webhooks: (await listWebhooks(deps.db, ctx.state.userId)).map(webhookBody) };
  });

  router.get('/webhooks/:id', async (ctx) => {
    ctx.body = webhookBody(await own(ctx.state.userId, ctx.params.id));
  });

  router.delete('/webhooks/:id', async (ctx) => {
    const row = await own(ctx.state.userId, ctx.params.id);
    if (!(await deleteWebhookOfUser(deps.db, ctx.state.userId, row.id))) throw new NotFoundError('Webhook not found', 'WEBHOOK_NOT_FOUND');
    ctx.body = { message: 'Webhook deleted' };
  });

  router.get('/tasks/:id/deliveries', async (ctx) => {
    const task = await findOwnTask(deps.db, ctx.state.userId, ctx.params.id);
    const deliveries = await deliveriesOfTask(deps.db, task.task_id);
    ctx.body = {
      task_id: task.task_id,
      deliveries: deliveries.map((d) => ({
        delivery_id: d.id,
        event: d.event,
        event_id: d.event_id,
        target: d.target_key === 'callback' ? 'callback' : 'webhook',
        webhook_id: d.webhook_id,
        url: d.url,
        status: d.status,
        attempt_count: d.attempts,
        created_at: iso(d.created_at),
        completed_at: iso(d.completed_at),
        attempts: d.attempt_rows.map((a) => ({
          attempt: a.attempt,
          status_code: a.status_code,
          error_kind: a.error_kind,
          duration_ms: a.duration_ms,
          response_snippet: a.response_snippet,
          outcome: a.outcome,
          attempted_at: iso(a.attempted_at),
        })),
      })),
    };
  });

  return router;
}
