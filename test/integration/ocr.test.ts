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
import type { Config } from '../../core/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
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

  async function run(env0: Record<string, string>, pdf: Uint8Array) {
    const config: Config = testConfig(env0);
    const api: TestApi = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      const form = new FormData();
      form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'scan.pdf');
      const res = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const taskId = res.body.task_id as string;
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

  it('a cancel during OCR stops reading part-way, ends CANCELLED and leaves no rows or work files', async () => {
    const long = await generateStatement({ ...FIXTURES.find((s) => s.style.name === 'fnb')!, count: 330 });
    const longScan = await scanPdf(long.pdf, { dpi: 200, seed: 5, noise: 8, specks: 25 });
    const config: Config = testConfig({});
    const api: TestApi = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      const form = new FormData();
      form.append('file', new Blob([longScan], { type: 'application/pdf' }), 'long-scan.pdf');
      const sub = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      const taskId = sub.body.task_id as string;
      let pagesRead = 0;
      let total = 0;
      const watch = async () => {
        const row = await db('task_status').where({ task_id: taskId }).first();
        const m = /Reading scanned page (\d+) of (\d+)/.exec(row?.progress_message ?? '');
        if (m) [pagesRead, total] = [Math.max(pagesRead, Number(m[1])), Number(m[2])];
        return row;
      };
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, async () => {
        const handle = env.client.workflow.getHandle(taskId);
        // Cancel once OCR has read its first page.
        while (pagesRead < 1) {
          const row = await watch();
          assert.ok(!['SUCCESS', 'FAILED', 'CANCELLED'].includes(row.status), `ended ${row.status} before OCR was seen`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const del = await api.json(`/tasks/${taskId}`, { method: 'DELETE', token });
        assert.deepEqual(del.body, { message: 'Task cancelled' });
        await handle.result().catch(() => undefined);
        await watch();
      });
      assert.ok(total >= 6, `${total} scanned pages`);
      assert.ok(pagesRead < total, `OCR read ${pagesRead} of ${total} pages: the cancel did not stop it`);
      const status = await api.json(`/tasks/${taskId}/status`, { token });
      assert.equal(status.body.status, 'CANCELLED');
      assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
      assert.deepEqual(await db('stored_files').where('file_key', 'like', `work/${taskId}/%`).select('file_key'), []);
    } finally {
      await api.close();
    }
  });
});
