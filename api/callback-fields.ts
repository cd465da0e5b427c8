/**
 * The optional `callback_url` and `callback_secret` of any submission, from a query
 * string, a JSON body or multipart form fields (a repeated field arrives as an array).
 * The URL is checked as every webhook URL is (domain/webhooks/url.ts); the secret signs
 * the deliveries (docs/webhooks.md) and is never stored in the clear or echoed.
 */
import { BadRequestError } from '../contract/errors';
import { checkWebhookUrl } from '../domain/webhooks';
import type { Config } from '../platform/config';

export interface TaskCallback {
  url: string;
  /** Signs each delivery; without it deliveries are sent unsigned. */
  secret?: string;
}

export const CALLBACK_FIELDS = ['callback_url', 'callback_secret'] as const;

/** A webhook or callback secret: 16–200 printable ASCII characters. */
export const SECRET_PATTERN = /^[\x21-\x7e]{16,200}$/;

function single(fields: Record<string, unknown>, name: string): string | undefined {
  let v = fields[name];
  if (Array.isArray(v)) {
    if (v.length > 1) throw new BadRequestError(`${name} was given more than once`, name === 'callback_url' ? 'BAD_CALLBACK_URL' : 'BAD_CALLBACK_SECRET');
    v = v[0];
  }
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') {
    throw new BadRequestError(`${name} must be a string`, name === 'callback_url' ? 'BAD_CALLBACK_URL' : 'BAD_CALLBACK_SECRET');
  }
  return v;
}

export function readCallbackFields(fields: Record<string, unknown>, config: Config): TaskCallback | undefined {
  const url = single(fields, 'callback_url');
  const secret = single(fields, 'callback_secret');
  if (url === undefined) {
    if (secret !== undefined) throw new BadRequestError('callback_secret needs a callback_url', 'BAD_CALLBACK_SECRET');
    return undefined;
  }
  const checked = checkWebhookUrl(url, { allowPrivateAddresses: config.webhooks.allowPrivateAddresses });
  if ('problem' in checked) throw new BadRequestError(`callback_url ${checked.problem}`, 'BAD_CALLBACK_URL');
  if (secret !== undefined && !SECRET_PATTERN.test(secret)) {
    throw new BadRequestError('callback_secret must be 16–200 printable ASCII characters', 'BAD_CALLBACK_SECRET');
  }
  return { url: checked.url.toString(), ...(secret !== undefined ? { secret } : {}) };
}

/**
 * A JSON body split into the callback fields and the rest (what the operation itself
 * reads). Anything that is not an object is left to the operation to refuse.
 */
export function splitCallbackFields(body: unknown): { fields: Record<string, unknown>; rest: unknown } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { fields: {}, rest: body };
  const { callback_url, callback_secret, ...rest } = body as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries({ callback_url, callback_secret }).filter(([, v]) => v !== undefined));
  return { fields, rest };
}

/** Parameters as an Idempotency-Key is bound to them: the callback secret is not kept, even hashed. */
export function withoutCallbackSecret<T>(params: T): T {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (k !== 'callback_secret') out[k] = withoutCallbackSecret(v);
  }
  return out as T;
}
