/**
 * The OpenAPI entries of the webhook routes (api/routes/webhooks.ts), merged into
 * document.ts. The small helpers mirror document.ts's and schemas.ts's; errors refer to
 * the document's shared responses.
 */
import { WEBHOOK_EVENTS } from '../../contract/tasks';

type Obj = Record<string, unknown>;

const ERROR_RESPONSES: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 409: 'Conflict' };
const errorRefs = (codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/${ERROR_RESPONSES[c]}` }]));
const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: string, description: string) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const closed = (required: string[], properties: Record<string, Obj>): Obj => ({ type: 'object', required, properties, additionalProperties: false });
const nullable = (s: Obj): Obj => ({ anyOf: [s, { type: 'null' }] });
const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
const str = (description: string, extra: Obj = {}): Obj => ({ type: 'string', description, ...extra });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: uuid });
const TAGS = ['Webhooks'];

const webhookId = pathParam('webhook_id', 'The webhook id from POST /webhooks');
const taskId = pathParam('task_id', 'The task id (a UUID) from the 202 answer');
const events = { type: 'array', items: { enum: [...WEBHOOK_EVENTS] }, minItems: 1, uniqueItems: true };

export const WEBHOOK_PATHS: Record<string, unknown> = {
  '/webhooks': {
    post: {
      tags: TAGS, operationId: 'createWebhook', summary: 'Register a webhook: the caller’s task events are POSTed to it',
      description: [
        'The URL must be https (plain http only to localhost, and only where WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on) and must',
        'not point at a private address. Each delivery is signed with the secret (header Statementflow-Signature, see',
        'docs/webhooks.md). Without a secret one is generated and returned in this answer only. At most',
        'WEBHOOKS_MAX_PER_USER webhooks per user (409 TOO_MANY_WEBHOOKS).',
      ].join(' '),
      requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookRequest') } } },
      responses: { 201: json('WebhookCreated', 'Registered'), ...errorRefs([400, 401, 409]) },
    },
    get: {
      tags: TAGS, operationId: 'listWebhooks', summary: 'The caller’s webhooks (without their secrets)',
      responses: { 200: json('WebhookList', 'The webhooks, oldest first'), ...errorRefs([401]) },
    },
  },
  '/webhooks/{webhook_id}': {
    get: {
      tags: TAGS, operationId: 'getWebhook', summary: 'One webhook of the caller', parameters: [webhookId],
      responses: { 200: json('Webhook', 'The webhook'), ...errorRefs([401, 404]) },
    },
    delete: {
      tags: TAGS, operationId: 'deleteWebhook', summary: 'Delete a webhook; deliveries not yet made to it are dropped', parameters: [webhookId],
      responses: { 200: json('Message', '"Webhook deleted"'), ...errorRefs([401, 404]) },
    },
  },
  '/tasks/{task_id}/deliveries': {
    get: {
      tags: TAGS, operationId: 'taskDeliveries', summary: 'Every webhook delivery of a task’s events, with each attempt',
      parameters: [taskId],
      responses: { 200: json('DeliveryList', 'The deliveries, oldest first'), ...errorRefs([401, 404]) },
    },
  },
};

const webhookProperties = {
  id: uuid,
  url: str('Where events are POSTed'),
  events,
  created_at: dateTime,
};

export const WEBHOOK_SCHEMAS: Record<string, unknown> = {
  WebhookRequest: closed(['url'], {
    url: str('An https URL', { maxLength: 2048 }),
    secret: str('16–200 printable ASCII characters; generated when absent', { minLength: 16, maxLength: 200 }),
    events: { ...events, description: `Default: all of ${WEBHOOK_EVENTS.join(', ')}` },
  }),
  Webhook: closed(['id', 'url', 'events', 'created_at'], webhookProperties),
  WebhookCreated: closed(['id', 'url', 'events', 'created_at'], {
    ...webhookProperties,
    secret: str('The generated signing secret: shown only here, when none was given'),
  }),
  WebhookList: closed(['webhooks'], { webhooks: { type: 'array', items: ref('Webhook') } }),
  DeliveryAttempt: closed(['attempt', 'status_code', 'error_kind', 'duration_ms', 'response_snippet', 'outcome', 'attempted_at'], {
    attempt: { type: 'integer', minimum: 1 },
    status_code: nullable({ type: 'integer', description: 'The receiver’s HTTP status; null when there was no answer' }),
    error_kind: nullable({
      enum: ['timeout', 'connection_refused', 'connection_reset', 'dns_failure', 'tls_error', 'private_address', 'bad_url', 'network_error'],
      description: 'Why there was no answer',
    }),
    duration_ms: { type: 'integer', minimum: 0 },
    response_snippet: nullable(str('The start of the receiver’s answer (at most WEBHOOK_MAX_RESPONSE_BYTES)')),
    outcome: { enum: ['delivered', 'retrying', 'failed'] },
    attempted_at: dateTime,
  }),
  Delivery: closed(
    ['delivery_id', 'event', 'event_id', 'target', 'webhook_id', 'url', 'status', 'attempt_count', 'created_at', 'completed_at', 'attempts'],
    {
      delivery_id: uuid,
      event: { enum: [...WEBHOOK_EVENTS] },
      event_id: str('The event’s id: also its Idempotency-Key and Statementflow-Event-Id headers'),
      target: { enum: ['callback', 'webhook'], description: 'The task’s callback_url, or a registered webhook' },
      webhook_id: nullable({ ...uuid, description: 'The registered webhook (null for the callback, or once the webhook is deleted)' }),
      url: str('Where it was sent'),
      status: { enum: ['pending', 'delivered', 'failed'] },
      attempt_count: { type: 'integer', minimum: 0 },
      created_at: dateTime,
      completed_at: nullable(dateTime),
      attempts: { type: 'array', items: ref('DeliveryAttempt') },
    },
  ),
  DeliveryList: closed(['task_id', 'deliveries'], { task_id: uuid, deliveries: { type: 'array', items: ref('Delivery') } }),
};
