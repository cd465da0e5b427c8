/**
 * The bounds of the pdf.js thread that every task on a worker shares. A read that falls
 * behind its time allowance, or runs the thread out of memory, fails PDF_TOO_COMPLEX (an
 * input error: never retried) and its job is stopped; a cancel stops a read at once; and
 * the next document — including requests that were waiting behind the stopped one — reads
 * normally on a fresh thread. The scanned-page count stops once it is over the limit.
 *
 * The hostile document is small (~0.4 MB) but its 2,000 text-less pages all draw one
 * 80 MB content stream: seconds of pdf.js a page, hours for the whole file. (At 20 MB a
 * page takes about 0.3 s, under the 0.5 s page allowance: the stream must be large enough
 * that a page stays well over it on a fast machine too.)
 */
import assert from 'node:assert/strict';
import { extractPages, inspectPdf, type PositionedPage } from '../../../domain/statements';
import { configurePdfThread, pdfPagesRead, pdfThreadBusy, pdfThreadRunning, pdfThreadsRunning, releasePdfThreadIfIdle } from '../../../domain/statements/pdf/thread';
import { openRenderer } from '../../../domain/ocr/render';
import { scannedPageCount, tooManyScannedPages } from '../../../domain/ocr';
import { NON_RETRYABLE_ERROR_TYPES, TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';
import { FIXTURES, scannedStatementPdf, type GeneratedStatement } from '../../fixtures/statements';
import { hostilePdf } from '../../fixtures/statements/hostile';
import { extracted } from './helpers';

const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;

/** Resolves once `condition` holds (checked every 10 ms). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** An assert.rejects matcher: the document refused as too complex, as a non-retryable input error. */
function tooComplex(why: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof TaskInputError, `a TaskInputError, not ${String(err)}`);
    assert.equal(err.code, TaskErrorCodes.PDF_TOO_COMPLEX);
    assert.ok(NON_RETRYABLE_ERROR_TYPES.includes(err.name), 'not retried');
    assert.match(err.message, why);
    return true;
  };
}

describe('statements: the pdf.js thread\'s bounds', function () {
  this.timeout(120_000);
  let hostile: Uint8Array;
  let statement: { g: GeneratedStatement; pages: PositionedPage[] };

  before(async () => {
    // One lane, so the requests sent behind a read wait behind it (reads side by side: pdf-text-threads.test.ts).
    configurePdfThread({ textThreads: 1 });
    hostile = hostilePdf({ pages: 2000, contentMb: 80 });
    statement = await extracted(fnb);
  });
  after(() => configurePdfThread({}));

  /** A normal statement, read again after the trouble: exactly the pages it gave before. */
  async function readsNormally(): Promise<void> {
    assert.deepEqual(await extractPages(statement.g.pdf, 1, statement.g.pages), statement.pages);
  }

  it('is a small file of text-less pages', async () => {
    assert.ok(hostile.byteLength < 1024 * 1024, `${hostile.byteLength} bytes`);
    assert.deepEqual(await inspectPdf(hostile), { pageCount: 2000 });
    const [page] = await extractPages(hostile, 1, 1);
    assert.equal(page.hasText, false);
  });

  it('fails a read that falls behind its time allowance with PDF_TOO_COMPLEX, a few pages in; requests waiting behind it run on a fresh thread', async () => {
    const read = pdfPagesRead();
    const slow = extractPages(hostile, 1, 50);
    const waiting = extractPages(statement.g.pdf, 1, statement.g.pages);
    const counted = inspectPdf(statement.g.pdf);
    const dropped = new AbortController();
    const droppedReason = new Error('given up while waiting');
    const given = inspectPdf(statement.g.pdf, { signal: dropped.signal });
    dropped.abort(droppedReason);
    await assert.rejects(given, (e) => e === droppedReason);
    await assert.rejects(slow, tooComplex(/too long/));
    assert.ok(pdfPagesRead() - read < 50, 'stopped before all 50 pages asked for were read');
    assert.deepEqual(await waiting, statement.pages);
    assert.deepEqual(await counted, { pageCount: statement.g.pages });
    await readsNormally();
  });

  it('stops a read under way when its signal aborts: it rejects with the signal\'s reason and its thread is gone', async () => {
    // An hour a page: no deadline will stop this read, only the abort.
    const controller = new AbortController();
    const reading = extractPages(hostile, 1, 2000, { signal: controller.signal, limits: { pageTimeoutMs: 3_600_000 } });
    const read = pdfPagesRead();
    await until(() => pdfThreadBusy() && pdfPagesRead() > read); // well into pdf.js's work
    const running = pdfThreadsRunning(); // the reading one, and a second text thread if one is up
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await assert.rejects(reading, (e) => e === reason);
    assert.equal(pdfThreadsRunning(), running - 1, 'the reading thread was terminated, not left reading');
    assert.equal(pdfThreadBusy(), false);
    await readsNormally();
  });

  it('fails a page that takes too long to render for OCR with PDF_TOO_COMPLEX', async () => {
    const renderer = await openRenderer(hostile, { limits: { renderTimeoutMs: 1000 } });
    try {
      await assert.rejects(renderer.render(1, 72), tooComplex(/too long/));
    } finally {
      await renderer.close();
    }
    await readsNormally();
  });

  it('fails a document that runs the thread out of memory with PDF_TOO_COMPLEX; the worker carries on', async () => {
    // The memory cap applies to a thread when it starts: start one with a small cap.
    await releasePdfThreadIfIdle();
    assert.equal(pdfThreadRunning(), false);
    // Rendering builds the page's list of drawing operations: ~380 MB of heap for this one.
    const renderer = await openRenderer(hostile, { limits: { threadMemoryMb: 64, renderTimeoutMs: 600_000 } });
    try {
      await assert.rejects(renderer.render(1, 72), tooComplex(/memory/));
    } finally {
      await renderer.close();
    }
    await readsNormally();
  });

  it('opens a renderer\'s document again when the thread holding it was replaced', async () => {
    const renderer = await openRenderer(await scannedStatementPdf(2));
    try {
      const before = await renderer.render(1, 72);
      // Another document's read is stopped: the thread, and the document open in it, go.
      const controller = new AbortController();
      const other = extractPages(hostile, 1, 2000, { signal: controller.signal });
      await until(pdfThreadBusy);
      controller.abort(new Error('stopped'));
      await assert.rejects(other, /stopped/);
      assert.equal(pdfThreadRunning(), false);
      const after = await renderer.render(1, 72);
      assert.deepEqual([after.width, after.height], [before.width, before.height]);
      assert.deepEqual(after.gray, before.gray);
    } finally {
      await renderer.close();
    }
  });

  it('counts scanned pages only until the count is over the limit', async () => {
    const scan = await scannedStatementPdf(120);
    const chunk = { first: 1, last: 1, textless: 1 };
    const read = pdfPagesRead();
    const over = await scannedPageCount(scan, chunk, 120, { max: 50 });
    assert.deepEqual(over, { scanned: 51, complete: false });
    assert.equal(pdfPagesRead() - read, 50, 'one batch read, not the other 119 pages');
    assert.match(tooManyScannedPages(over.scanned, 50, over.complete).message, /more than 50 scanned pages.*at most 50/);
    assert.deepEqual(await scannedPageCount(scan, chunk, 120, { max: 120 }), { scanned: 120, complete: true });
    assert.deepEqual(await scannedPageCount(scan, chunk, 120), { scanned: 120, complete: true });
  });
});
