/**
 * A PDF built to tie up pdf.js, end to end: uploaded over HTTP and parsed by real workers
 * (a real Temporal dev server, real Postgres), it fails at its first extraction steps with
 * PDF_TOO_COMPLEX, not retried, and a statement uploaded right after it on the same worker
 * is read in full. The scanned-page count of a document is made once, however many of its
 * chunks find scanned pages.
 */
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Knex } from 'knex';
import { PDFDocument } from 'pdf-lib';
import { createParsePdfActivities } from '../../activities/parse-pdf';
import { FileStore } from '../../db/files';
import { pdfPagesRead } from '../../domain/statements/pdf/thread';
import type { OcrPagesFn } from '../../domain/ocr';
import type { Config } from '../../platform/config';
import { CHUNKS_PER_TEXT_THREAD } from '../../contract/tasks';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, scannedStatementPdf, type GeneratedStatement } from '../fixtures/statements';
import { hostilePdf } from '../fixtures/statements/hostile';

describe('a PDF built to tie up pdf.js, end to end', function () {
  this.timeout(180_000);
  // Real time, not skipped: the bounds under test are wall-clock allowances of pdf.js's
  // work, and a time-skipping server may jump to the task's time limit while that work runs.
  let temporal: Client;
  let connection: NativeConnection;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let statement: GeneratedStatement;

  before(async () => {
    let server;
    [server, connection, db] = await Promise.all([getDevServer(), getDevServerNativeConnection(), getTestDb()]);
    temporal = server.client;
    config = testConfig({}); // the shipped limits
    api = await startTestApi({ config, db, temporal });
    alice = tokenFor(config, 'alice');
    statement = await generateStatement(FIXTURES.find((s) => s.style.name === 'fnb')!);
  });
  after(() => api?.close());
  beforeEach(() => truncateAll(db));

  async function upload(pdf: Uint8Array, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.task_id as string;
  }

  const finish = (taskId: string) => temporal.workflow.getHandle(taskId).result().catch(() => undefined);

  it('fails the hostile upload at its first extraction with PDF_TOO_COMPLEX, not retried; a statement uploaded after it is read', async () => {
    const hostile = hostilePdf({ pages: 2000, contentMb: 80 });
    const hostileId = await upload(hostile, 'hostile.pdf');
    const normalId = await upload(statement.pdf, 'statement.pdf');
    await runWithWorkers({ connection, db, config, queues: ['pdf_processing'] }, () =>
      Promise.all([finish(hostileId), finish(normalId)]),
    );

    const bad = await api.json(`/tasks/${hostileId}/result`, { token: alice });
    assert.equal(bad.body.status, 'FAILED', JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, 'PDF_TOO_COMPLEX');
    assert.match(bad.body.error.message, /takes too long to read/);
    const row = await db('task_status').where({ task_id: hostileId }).first();
    assert.ok(row.attempt <= 1, 'not retried');
    // Stopped in the first chunks of pages, those read at once: no later extraction step was
    // ever scheduled, and each of those failed once, not retried.
    const events = (await temporal.workflow.getHandle(hostileId).fetchHistory()).events ?? [];
    const chunks = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractPageChunk');
    assert.equal(chunks.length, CHUNKS_PER_TEXT_THREAD * config.pdf.textThreads);
    assert.equal(events.filter((e) => e.activityTaskFailedEventAttributes).length, chunks.length);

    const good = await api.json(`/tasks/${normalId}/result`, { token: alice });
    assert.equal(good.body.status, 'SUCCESS', JSON.stringify(good.body));
    assert.equal(good.body.result.transaction_count, statement.truth.transactions.length);
    assert.equal(good.body.result.reconciled, true);
    assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0, 'no work files left');
  });

  it('with chunks read side by side, a failed chunk fails the task once the chunks beside it are done, and no work file is left', async () => {
    // The statement's pages, then hostile ones: the first chunk reads and is stored, the
    // next ones run out of time.
    const doc = await PDFDocument.create();
    const [text, bad] = await Promise.all([PDFDocument.load(statement.pdf), PDFDocument.load(hostilePdf({ pages: 12, contentMb: 80 }))]);
    for (const p of await doc.copyPages(text, text.getPageIndices())) doc.addPage(p);
    for (const p of await doc.copyPages(bad, bad.getPageIndices())) doc.addPage(p);
    const mixed = Buffer.from(await doc.save());
    const two = testConfig({ PDF_TEXT_THREADS: '2', PDF_FAST_PATH_MAX_PAGES: '1', PDF_PAGES_PER_CHUNK: String(statement.pages) });
    const api2 = await startTestApi({ config: two, db, temporal });
    try {
      const form = new FormData();
      form.append('file', new Blob([mixed], { type: 'application/pdf' }), 'mixed.pdf');
      const sub = await api2.json('/upload_pdf_async', { method: 'POST', token: tokenFor(two, 'alice'), body: form });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      const taskId = sub.body.task_id as string;
      await runWithWorkers({ connection, db, config: two, queues: ['pdf_processing'] }, () => finish(taskId));
      const res = await api2.json(`/tasks/${taskId}/result`, { token: tokenFor(two, 'alice') });
      assert.equal(res.body.status, 'FAILED', JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'PDF_TOO_COMPLEX');
      const events = (await temporal.workflow.getHandle(taskId).fetchHistory()).events ?? [];
      const chunkIds = new Set(
        events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractPageChunk').map((e) => String(e.eventId)),
      );
      const closed = (kind: 'activityTaskCompletedEventAttributes' | 'activityTaskFailedEventAttributes') =>
        events.filter((e) => chunkIds.has(String(e[kind]?.scheduledEventId))).length;
      assert.ok(closed('activityTaskCompletedEventAttributes') >= 1, 'the statement\'s own chunk was read');
      assert.ok(closed('activityTaskFailedEventAttributes') >= 1);
      // Every chunk that started was awaited (none left running past the cleanup), and no
      // later chunk was started after the failure.
      assert.equal(closed('activityTaskCompletedEventAttributes') + closed('activityTaskFailedEventAttributes'), chunkIds.size);
      // Those under way when the failure came, and at most as many started beside the one that failed.
      const atOnce = CHUNKS_PER_TEXT_THREAD * two.pdf.textThreads;
      assert.ok(chunkIds.size <= 2 * atOnce, `${chunkIds.size} chunks scheduled of ${Math.ceil((statement.pages + 12) / statement.pages)}`);
      assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0, 'no work files left');
      assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
    } finally {
      await api2.close();
    }
  });

  it('counts a document\'s scanned pages once, however many of its chunks find some', async () => {
    // 12 pages, every third one scanned: four chunks of three, each with a scanned page.
    const doc = await PDFDocument.create();
    const [text, scan] = await Promise.all([PDFDocument.load(statement.pdf), PDFDocument.load(await scannedStatementPdf(1))]);
    for (let n = 1; n <= 12; n++) doc.addPage((await doc.copyPages(n % 3 === 1 ? scan : text, [0]))[0]);
    const pdf = Buffer.from(await doc.save());
    const files = new FileStore(db);
    const taskId = '00000000-0000-4000-8000-000000000001';
    const fileKey = `uploads/${taskId}/mixed.pdf`;
    await files.put({ fileKey, userId: 'alice', kind: 'upload', filename: 'mixed.pdf', contentType: 'application/pdf' }, pdf);
    // OCR itself is not under test: each scanned page comes back blank.
    const ocrPages: OcrPagesFn = async (_data, pages, onPage) =>
      pages.map((page, i) => {
        onPage(i + 1);
        return { page, width: 595, height: 842, items: [], hasText: false, ocr: { confidence: 0, blank: true } };
      });
    const acts = createParsePdfActivities({ db, files, maxPages: 5000, ocrPages, ocrMaxPages: 10 });

    const read = pdfPagesRead();
    for (let first = 1; first <= 12; first += 3) {
      const input = { taskId, userId: 'alice', fileKey, firstPage: first, lastPage: first + 2, pageCount: 12 };
      const out = (await new MockActivityEnvironment().run(() => acts.extractPageChunk(input))) as { textlessPages: number };
      assert.equal(out.textlessPages, 1);
    }
    // The chunks' own 12 pages, and the other 9 once for the count (once per chunk would be 4 × 9).
    assert.equal(pdfPagesRead() - read, 12 + 9);
    const count = await files.read(`work/${taskId}/scanned-pages.json`);
    assert.deepEqual(JSON.parse(String(count)), { scanned: 4 });

    // Over the limit, the first chunk with a scanned page fails at once.
    const strict = createParsePdfActivities({ db, files, maxPages: 5000, ocrPages, ocrMaxPages: 3 });
    const other = '00000000-0000-4000-8000-000000000002';
    await assert.rejects(
      new MockActivityEnvironment().run(() =>
        strict.extractPageChunk({ taskId: other, userId: 'alice', fileKey, firstPage: 1, lastPage: 3, pageCount: 12 }),
      ),
      (err: Error & { type?: string; nonRetryable?: boolean }) => {
        assert.equal(err.type, 'OCR_TOO_MANY_PAGES');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /4 scanned pages.*at most 3/);
        return true;
      },
    );
  });
});
