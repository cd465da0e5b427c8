/**
 * Uploads and downloads over HTTP: limits and types refused with the right status, files
 * served to their owner only, and no path trick ever reaching another file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../core/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

describe('REST API: uploads and downloads', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let bob: string;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig({ MAX_UPLOAD_BYTES: '4096' });
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    bob = tokenFor(config, 'bob');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  function upload(bytes: Buffer | null, token = alice, field = 'file') {
    const form = new FormData();
    if (bytes) form.append(field, new Blob([bytes], { type: 'application/pdf' }), 'statement.pdf');
    else form.append('client_id', '7');
    return api.json('/upload_pdf_async', { method: 'POST', token, body: form });
  }

  describe('POST /upload_pdf_async', () => {
    it('answers 415 for a file that is not a PDF by its magic bytes, and stores nothing', async () => {
      const res = await upload(Buffer.from('PK\x03\x04 this is a zip, renamed'));
      assert.equal(res.status, 415);
      assert.equal(res.body.error.code, 'NOT_A_PDF');
      assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 0);
    });

    it('answers 400 for an empty file, a missing part, or a non-multipart body', async () => {
      const empty = await upload(Buffer.alloc(0));
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error.code, 'EMPTY_FILE');
      const missing = await upload(null);
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'MISSING_FILE');
      const json = await api.json('/upload_pdf_async', { method: 'POST', token: alice, headers: { 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(json.status, 400);
    });

    it('answers 413 over MAX_UPLOAD_BYTES', async () => {
      const res = await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(5000, 32)]));
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'FILE_TOO_LARGE');
    });

    it('refuses a bad client_id', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF')]), 'a.pdf');
      form.append('client_id', '../../etc');
      const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'BAD_CLIENT_ID');
    });

    it('accepts a PDF with 202, stores it with its sha256, and starts parse_pdf_async on pdf_processing', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');
      const res = await upload(pdf);
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'submitted');
      const row = await db('task_status').where({ task_id: res.body.task_id }).first();
      assert.equal(row.task_name, 'parse_pdf_async');
      assert.equal(row.queue, 'pdf_processing');
      const file = await db('stored_files').where({ kind: 'upload' }).first();
      assert.equal(file.user_id, 'alice');
      assert.equal(Number(file.size), pdf.length);
      assert.equal(file.sha256, (await import('node:crypto')).createHash('sha256').update(pdf).digest('hex'));
      const desc = await env.client.workflow.getHandle(res.body.task_id).describe();
      assert.equal(desc.taskQueue, 'pdf_processing');
      assert.equal(desc.memo?.file_name, 'statement.pdf');
      await env.client.workflow.getHandle(res.body.task_id).terminate('test done');
    });
  });

  it('receives at most MAX_CONCURRENT_UPLOADS at once: one more gets 503 UPLOADS_BUSY with Retry-After, and the slot frees', async () => {
    const capped = await startTestApi({ config: testConfig({ MAX_CONCURRENT_UPLOADS: '1' }), db, temporal: env.client });
    try {
      // A slow client: half of a multipart body sent, the rest held back.
      const boundary = 'statementflow-slow-upload';
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        pdf,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const url = new URL('/upload_pdf_async', capped.url);
      const slow = http.request(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${alice}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
      });
      const slowAnswer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        slow.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        slow.on('error', reject);
      });
      slow.write(body.subarray(0, 60));
      await new Promise((r) => setTimeout(r, 200)); // the server is now receiving it

      const form = new FormData();
      form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'second.pdf');
      const busy = await capped.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
      assert.equal(busy.status, 503);
      assert.equal(busy.body.error.code, 'UPLOADS_BUSY');
      assert.equal(busy.headers.get('retry-after'), '2');

      slow.end(body.subarray(60));
      const first = await slowAnswer;
      assert.equal(first.status, 202, first.body);
      const again = new FormData();
      again.append('file', new Blob([pdf], { type: 'application/pdf' }), 'third.pdf');
      const third = await capped.json('/upload_pdf_async', { method: 'POST', token: alice, body: again });
      assert.equal(third.status, 202, 'the slot is free again');
      for (const id of [JSON.parse(first.body).task_id, third.body.task_id]) await env.client.workflow.getHandle(id).terminate('test done');
      assert.equal(Number((await db('stored_files').where({ kind: 'upload' }).count({ n: '*' }))[0].n), 2, 'the refused upload stored nothing');
    } finally {
      await capped.close();
    }
  });

  describe('GET /download_file', () => {
    async function storeReport(owner: string, content: Buffer) {
      const key = `reports/${randomUUID()}/report_20240212_143025.xlsx`;
      await api.files.put({ fileKey: key, userId: owner, kind: 'report', filename: 'report_20240212_143025.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, content);
      return key;
    }

    it('streams the file to its owner with type, length and a file name', async () => {
      const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7); // several store chunks
      const key = await storeReport('alice', content);
      const res = await api.request(`/download_file?file_key=${encodeURIComponent(key)}`, { token: alice });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(content.length));
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="report_20240212_143025.xlsx"/);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(content));
    });

    it('answers another user exactly like a missing file', async () => {
      const key = await storeReport('alice', Buffer.from('secret'));
      const other = await api.json(`/download_file?file_key=${encodeURIComponent(key)}`, { token: bob });
      const missing = await api.json(`/download_file?file_key=${encodeURIComponent(`reports/${randomUUID()}/report.xlsx`)}`, { token: bob });
      assert.equal(other.status, 404);
      assert.deepEqual(other.body, missing.body);
    });

    it('refuses malformed keys and path tricks with 400 and never a byte of a file', async () => {
      const key = await storeReport('alice', Buffer.from('secret'));
      const id = key.split('/')[1];
      const tricks = [
        '',
        '../../etc/passwd',
        '/etc/passwd',
        `reports/${id}/../${id}/report_20240212_143025.xlsx`,
        `reports/${id}/..%2f..%2fetc`,
        `reports%2F${id}%2Freport_20240212_143025.xlsx`,
        `reports\\${id}\\report.xlsx`,
        `work/${id}/pages-1-50.json`,
        `reports/${id}/report.xlsx\u0000.txt`,
      ];
      for (const t of tricks) {
        const res = await api.json(`/download_file?file_key=${encodeURIComponent(t)}`, { token: alice });
        assert.equal(res.status, 400, `key ${JSON.stringify(t)} gave ${res.status}`);
        assert.equal(res.body.error.code, 'BAD_FILE_KEY');
      }
    });
  });
});
