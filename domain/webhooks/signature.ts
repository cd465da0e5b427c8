/**
 * The signature of a delivery, in Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
 * of `t + "." + body` under the receiver's secret. The timestamp is signed too, so a
 * receiver can refuse old requests replayed at it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Statementflow-Signature';

export function signatureDigest(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureDigest(secret, timestamp, body)}`;
}

/**
 * What a receiver does: true when the header carries a v1 signature of this body under
 * `secret` whose timestamp is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  opts: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(opts.nowSeconds - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureDigest(secret, t, body), 'hex');
  return parts
    .filter(([k, v]) => k === 'v1' && typeof v === 'string' && /^[0-9a-f]{64}$/.test(v))
    .some(([, v]) => timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
