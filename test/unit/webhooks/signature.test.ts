/** The delivery signature (Stripe's scheme), event ids, bodies and what each attempt's outcome means. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { attemptVerdict, batchEventBody, signatureHeader, taskEventBody, verifySignature, webhookEventId } from '../../../domain/webhooks';

describe('webhook signature', () => {
  const body = JSON.stringify({ event: 'task.succeeded', task_id: 'x' });

  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const header = signatureHeader('whsec_test_secret_0123', 1700000000, body);
    const expected = createHmac('sha256', 'whsec_test_secret_0123').update(`1700000000.${body}`).digest('hex');
    assert.equal(header, `t=1700000000,v1=${expected}`);
  });

  it('verifies with the right secret and body within the tolerance, and only then', () => {
    const header = signatureHeader('s3cret-s3cret-s3cret', 1000, body);
    assert.equal(verifySignature(header, body, 's3cret-s3cret-s3cret', { nowSeconds: 1100 }), true);
    assert.equal(verifySignature(header, body, 'another-secret-value', { nowSeconds: 1100 }), false);
    assert.equal(verifySignature(header, body + ' ', 's3cret-s3cret-s3cret', { nowSeconds: 1100 }), false);
    assert.equal(verifySignature(header, body, 's3cret-s3cret-s3cret', { nowSeconds: 1000 + 301 }), false);
    assert.equal(verifySignature(header.replace('t=1000', 't=1001'), body, 's3cret-s3cret-s3cret', { nowSeconds: 1001 }), false);
    assert.equal(verifySignature(undefined, body, 's3cret-s3cret-s3cret', { nowSeconds: 1000 }), false);
    assert.equal(verifySignature('t=1000,v1=zz', body, 's3cret-s3cret-s3cret', { nowSeconds: 1000 }), false);
  });
});

describe('webhook events', () => {
  it('has an id stable per subject and kind, different across them', () => {
    assert.equal(webhookEventId('t1', 'task.succeeded'), webhookEventId('t1', 'task.succeeded'));
    assert.notEqual(webhookEventId('t1', 'task.succeeded'), webhookEventId('t1', 'task.failed'));
    assert.notEqual(webhookEventId('t1', 'task.succeeded'), webhookEventId('t2', 'task.succeeded'));
    assert.match(webhookEventId('t1', 'task.succeeded'), /^evt_[0-9a-f]{32}$/);
  });

  it('carries the result on success and the error otherwise', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const ok = taskEventBody('task.succeeded', { taskId: 't1', taskName: 'generate_report_async', status: 'SUCCESS', result: { a: 1 }, error: null, completedAt: at });
    assert.deepEqual(ok, {
      event: 'task.succeeded', event_id: webhookEventId('t1', 'task.succeeded'), task_id: 't1', task_name: 'generate_report_async',
      status: 'SUCCESS', result: { a: 1 }, occurred_at: '2026-12-01T10:00:00.000Z',
    });
    const failed = taskEventBody('task.failed', { taskId: 't1', taskName: 'x', status: 'FAILED', result: null, error: { code: 'E', message: 'm' }, completedAt: at });
    assert.deepEqual(failed.error, { code: 'E', message: 'm' });
    assert.equal('result' in failed, false);
    const batch = batchEventBody({ batchId: 'b1', summary: { total: 2, succeeded: 1, failed: 1, cancelled: 0 }, taskIds: ['t1', 't2'], completedAt: at });
    assert.equal(batch.event_id, webhookEventId('b1', 'batch.completed'));
    assert.deepEqual(batch.task_ids, ['t1', 't2']);
  });

  it('retries 5xx, 408, 429 and lost connections; 4xx, redirects and refused addresses are final', () => {
    assert.equal(attemptVerdict({ statusCode: 200 }), 'delivered');
    assert.equal(attemptVerdict({ statusCode: 204 }), 'delivered');
    for (const s of [500, 502, 503, 504, 408, 429]) assert.equal(attemptVerdict({ statusCode: s }), 'retry', String(s));
    for (const s of [400, 401, 404, 410, 301, 302]) assert.equal(attemptVerdict({ statusCode: s }), 'final', String(s));
    for (const e of ['timeout', 'connection_refused', 'connection_reset', 'dns_failure', 'tls_error', 'network_error'] as const) {
      assert.equal(attemptVerdict({ error: e }), 'retry', e);
    }
    assert.equal(attemptVerdict({ error: 'private_address' }), 'final');
  });
});
