/**
 * Scans end to end, as a client sends them: upload over HTTP, real workers with the
 * service's own OCR, time-skipping Temporal, real Postgres. A scanned statement comes
 * back with its rows; with OCR off a scan fails PDF_NO_TEXT saying it is a scan; over
 * OCR_MAX_PAGES it fails at once, not retried, with OCR_TOO_MANY_PAGES; a cancel during
 * OCR stops the reading part-way and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { CHUNKS_PER_TEXT_THREAD } from '../../contract/tasks';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection, getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';
import { scanPdf } from '../fixtures/ocr/scan';

describe('scanned statements end to end (OCR)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let g: GeneratedStatement;
  let scan: Uint8Array;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    g = await generateStatement({ ...FIXTURES.find((s) => s.style.name === 'fnb')!, count: 80 });
    scan = await scanPdf(g.pdf, { dpi: 200, seed: 3, noise: 8, specks: 25 });
  });
  beforeEach(() => truncateAll(db));

  /** Uploads `pdf` as a client would; the task id. */
  async function upload(api: TestApi, token: string, pdf: Uint8Array, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    const res = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.task_id as string;
  }

  async function run(env0: Record<string, string>, pdf: Uint8Array) {
    const config: Config = testConfig(env0);
    const api: TestApi = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      const taskId = await upload(api, token, pdf, 'scan.pdf');
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () =>
        env.client.workflow.getHandle(taskId).result().catch(() => undefined),
      );
      const result = await api.json(`/tasks/${taskId}/result`, { token });
      const row = await db('task_status').where({ task_id: taskId }).first();
      return { body: result.body, row };
    } finally {
      await api.close();
    }
  }

  it('reads an uploaded scan: its rows, with the corrections and doubts named', async () => {
    const { body } = await run({}, scan);
    assert.equal(body.status, 'SUCCESS', JSON.stringify(body));
    const r = body.result;
    assert.equal(r.bank_source, 'FNB');
    const truth = g.truth.transactions;
    assert.ok(r.transaction_count >= truth.length - 2 && r.transaction_count <= truth.length, `${r.transaction_count} rows`);
    for (const w of r.warnings) assert.ok(w.page >= 1 && typeof w.message === 'string');
    if (!r.reconciled) assert.ok(r.warnings.some((w: { code: string }) => w.code === 'OCR_UNPROVEN' || w.code === 'BALANCE_MISMATCH'));
    const rows = await db('transactions').where({ session_id: r.session_id }).orderBy('seq');
    const want = new Set(truth.map((t) => `${t.date}|${(t.amountCents / 100).toFixed(2)}`));
    const right = rows.filter((t: any) => want.has(`${new Date(t.date).toISOString().slice(0, 10)}|${t.amount}`)).length;
    assert.ok(right >= truth.length - 2, `${right} of ${truth.length} rows exactly right`);
  });

  it('with OCR_ENABLED off, fails a scan with PDF_NO_TEXT saying it is a scan', async () => {
    const { body, row } = await run({ OCR_ENABLED: 'false' }, scan);
    assert.equal(body.status, 'FAILED');
    assert.equal(body.error.code, 'PDF_NO_TEXT');
    assert.match(body.error.message, /scan/i);
    assert.ok(row.attempt <= 1, 'not retried');
  });

  it('fails a scan over OCR_MAX_PAGES at once with OCR_TOO_MANY_PAGES, not retried', async () => {
    const { body, row } = await run({ OCR_MAX_PAGES: '1' }, scan);
    assert.equal(body.status, 'FAILED');
    assert.equal(body.error.code, 'OCR_TOO_MANY_PAGES');
    assert.match(body.error.message, /2 scanned pages.*at most 1/);
    assert.ok(row.attempt <= 1, 'not retried');
    assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
  });

  // On the dev server (the real Temporal server), not the time-skipping one: a cancel that
  // crosses an activity's completion made the Java test server answer ACTIVITY_UNKNOWN and
  // leave the workflow hanging, a test-server quirk rather than the service's behaviour.
  it('a cancel during OCR stops reading part-way, ends CANCELLED and leaves no rows or work files', async () => {
    const long = await generateStatement({ ...FIXTURES.find((s) => s.style.name === 'fnb')!, count: 330 });
    const longScan = await scanPdf(long.pdf, { dpi: 200, seed: 5, noise: 8, specks: 25 });
    const dev = await getDevServer();
    const config: Config = testConfig({});
    const api: TestApi = await startTestApi({ config, db, temporal: dev.client });
    try {
      const token = tokenFor(config, 'alice');
      const taskId = await upload(api, token, longScan, 'long-scan.pdf');
      const handle = dev.client.workflow.getHandle(taskId);
      const connection = await getDevServerNativeConnection();
      await runWithWorkers({ connection, namespace: dev.namespace, db, config, queues: ['pdf_processing'] }, async () => {
        // Once the first scanned page is read, give the next one a moment to be under way
        // (a page takes seconds), then cancel: the cancel lands in the middle of a page.
        for (;;) {
          const row = await db('task_status').where({ task_id: taskId }).first();
          assert.ok(!['SUCCESS', 'FAILED', 'CANCELLED'].includes(row.status), `ended ${row.status} before OCR was seen`);
          if (/Extracted page \d+ of/.test(row.progress_message ?? '')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 1000));
        const del = await api.json(`/tasks/${taskId}`, { method: 'DELETE', token });
        assert.deepEqual(del.body, { message: 'Task cancelled' });
        const ended = await Promise.race([
          handle.result().then(() => 'completed', () => 'ended'),
          new Promise((r) => setTimeout(() => r('still running 60 s after the cancel'), 60_000)),
        ]);
        assert.equal(ended, 'ended');
      });
      // The history says how far it got: one extraction activity per scanned page here.
      const events = (await handle.fetchHistory()).events ?? [];
      const chunkIds = new Set(
        events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractPageChunk').map((e) => String(e.eventId)),
      );
      const completed = events.filter((e) => chunkIds.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).length;
      const cancelled = events.filter((e) => chunkIds.has(String(e.activityTaskCanceledEventAttributes?.scheduledEventId))).length;
      assert.ok(long.pages >= 6, `${long.pages} scanned pages`);
      assert.ok(completed >= 1 && completed < long.pages, `${completed} of ${long.pages} pages read before the cancel took effect`);
      assert.ok(cancelled <= CHUNKS_PER_TEXT_THREAD * config.pdf.textThreads, 'at most the pages in progress were cancelled, one per chunk under way');
      const status = await api.json(`/tasks/${taskId}/status`, { token });
      assert.equal(status.body.status, 'CANCELLED');
      assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
      assert.deepEqual(await db('stored_files').where('file_key', 'like', `work/${taskId}/%`).select('file_key'), []);
    } finally {
      await api.close();
    }
  });
});
