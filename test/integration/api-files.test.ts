/**
 * Uploads and downloads over HTTP: limits and types refused with the right status, files
 * served to their owner only, and no path trick ever reaching another file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');

/** A slow client: part of a multipart body sent, the rest when `finish` is called. */
async function startSlowUpload(url: string, token: string) {
  const boundary = 'statementflow-slow-upload';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    PDF,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const req = http.request(new URL('/upload_pdf_async', url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
  });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, 60));
  await new Promise((r) => setTimeout(r, 200)); // the server is now receiving it
  return { answer, finish: () => req.end(body.subarray(60)) };
}

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

  it('receives at most MAX_CONCURRENT_UPLOADS at once: one more waits for the slot, and past UPLOAD_WAIT_SECONDS gets 503 UPLOADS_BUSY', async () => {
    const capped = await startTestApi({ config: testConfig({ MAX_CONCURRENT_UPLOADS: '1', UPLOAD_WAIT_SECONDS: '1' }), db, temporal: env.client });
    const slowUpload = () => startSlowUpload(capped.url, alice);
    const pdf = PDF;
    const quick = (name: string) => {
      const form = new FormData();
      form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
      return capped.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    };
    const started: string[] = [];
    try {
      // One more than the cap waits, and goes through once the slot frees.
      const first = await slowUpload();
      const queued = quick('queued.pdf');
      await new Promise((r) => setTimeout(r, 300));
      first.finish();
      const [a, b] = [await first.answer, await queued];
      assert.deepEqual([a.status, b.status], [202, 202]);
      started.push(a.body.task_id, b.body.task_id);

      // Held past UPLOAD_WAIT_SECONDS, it is refused with Retry-After, having stored nothing.
      const second = await slowUpload();
      const refused = await quick('refused.pdf');
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'UPLOADS_BUSY');
      assert.equal(refused.headers.get('retry-after'), '5');
      second.finish();
      const c = await second.answer;
      assert.equal(c.status, 202);
      started.push(c.body.task_id);
      assert.equal(Number((await db('stored_files').where({ kind: 'upload' }).count({ n: '*' }))[0].n), 3, 'the refused upload stored nothing');
    } finally {
      for (const id of started) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
      await capped.close();
    }
  });

  it("holds each user to MAX_CONCURRENT_UPLOADS_PER_USER slots: another user's upload goes through, the user's own extra one waits and then gets 429", async () => {
    const capped = await startTestApi({
      config: testConfig({ MAX_CONCURRENT_UPLOADS: '2', MAX_CONCURRENT_UPLOADS_PER_USER: '1', UPLOAD_WAIT_SECONDS: '1' }),
      db,
      temporal: env.client,
    });
    const quick = (token: string) => {
      const form = new FormData();
      form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'quick.pdf');
      return capped.json('/upload_pdf_async', { method: 'POST', token, body: form });
    };
    const started: string[] = [];
    try {
      const slow = await startSlowUpload(capped.url, alice); // alice's whole share
      const [own, other] = await Promise.all([quick(alice), quick(bob)]);
      assert.equal(other.status, 202, 'a free slot is not held back from another user');
      started.push(other.body.task_id);
      assert.equal(own.status, 429);
      assert.equal(own.body.error.code, 'TOO_MANY_UPLOADS');
      assert.equal(own.headers.get('retry-after'), '5');
      slow.finish();
      const done = await slow.answer;
      assert.equal(done.status, 202);
      started.push(done.body.task_id);
      // Her share is free again.
      const again = await quick(alice);
      assert.equal(again.status, 202);
      started.push(again.body.task_id);
    } finally {
      for (const id of started) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
      await capped.close();
    }
  });

  it('takes a burst of 40 uploads through 2 slots without turning one away', async () => {
    const capped = await startTestApi({ config: testConfig({ MAX_CONCURRENT_UPLOADS: '2' }), db, temporal: env.client });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const form = new FormData();
          form.append('file', new Blob([Buffer.from(`%PDF-1.4\n% upload ${i}\n%%EOF\n`)], { type: 'application/pdf' }), `burst-${i}.pdf`);
          return capped.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
        }),
      );
      assert.deepEqual(answers.map((a) => a.status), Array(40).fill(202));
      assert.equal(new Set(answers.map((a) => a.body.task_id)).size, 40);
      assert.equal(Number((await db('stored_files').where({ kind: 'upload' }).count({ n: '*' }))[0].n), 40);
      for (const a of answers) await env.client.workflow.getHandle(a.body.task_id).terminate('test done');
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
