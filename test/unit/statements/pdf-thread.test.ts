/**
 * The pdf.js thread that text extraction and OCR rendering share: pages rendered to grey
 * at the resolution asked for (or the scan's own), documents closed and bounded, and a
 * thread that dies failing its requests as retryable (not as a bad PDF) and coming back.
 */
import assert from 'node:assert/strict';
import { extractPages, inspectPdf } from '../../../domain/statements';
import { pdfThreadRunning, releasePdfThreadIfIdle, stopPdfThread } from '../../../domain/statements/pdf/thread';
import { inkCoverage, openRenderer } from '../../../domain/ocr/render';
import { TaskInputError } from '../../../contract/errors/task-errors';
import { FIXTURES, largeStatement, scannedStatementPdf } from '../../fixtures/statements';
import { extracted } from './helpers';

const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;

describe('statements: the pdf.js thread', function () {
  this.timeout(60_000);

  it('renders a text page to grey at the DPI asked for, and leaves the caller\'s buffer intact', async () => {
    const { g } = await extracted(fnb);
    const data = new Uint8Array(g.pdf);
    const renderer = await openRenderer(data);
    try {
      assert.equal(renderer.pageCount, g.pages);
      const at72 = await renderer.render(1, 72);
      assert.deepEqual([at72.width, at72.height, Math.round(at72.pageWidth), Math.round(at72.pageHeight)], [595, 842, 595, 842]);
      assert.equal(at72.gray.length, 595 * 842);
      const at144 = await renderer.render(1, 144);
      assert.deepEqual([at144.width, at144.height, at144.dpi], [Math.round(at72.pageWidth * 2), Math.round(at72.pageHeight * 2), 144]);
      // Printed text on white paper: some ink, mostly paper.
      const ink = inkCoverage(at144);
      assert.ok(ink > 0.005 && ink < 0.3, `ink ${ink}`);
      assert.ok(at144.gray.some((v) => v === 255) && at144.gray.some((v) => v < 64), 'white paper and dark text');
    } finally {
      await renderer.close();
    }
    assert.equal(data.byteLength, g.pdf.byteLength);
    assert.deepEqual(data, g.pdf);
  });

  it('renders a scan at its own resolution, kept within 200..400 DPI', async () => {
    // A 300 × 420 pixel image over a whole A4 page is a ~36 DPI scan: rendered at 200.
    const renderer = await openRenderer(await scannedStatementPdf(1));
    try {
      const r = await renderer.render(1, 'scan');
      assert.equal(Math.round(r.dpi), 200);
      assert.equal(r.width, Math.round((r.pageWidth * 200) / 72));
    } finally {
      await renderer.close();
    }
  });

  it('refuses a page outside the document and any render after close', async () => {
    const renderer = await openRenderer(await scannedStatementPdf(2));
    await assert.rejects(renderer.render(0, 72), RangeError);
    await assert.rejects(renderer.render(3, 72), RangeError);
    await renderer.close();
    await renderer.close(); // twice is harmless
    await assert.rejects(renderer.render(1, 72), /after close/);
  });

  it('keeps a bounded number of documents open when callers forget to close them', async () => {
    const pdf = await scannedStatementPdf(1);
    const forgotten = [];
    for (let i = 0; i < 9; i++) forgotten.push(await openRenderer(pdf));
    // The ninth open closed the oldest; the others still render.
    await assert.rejects(forgotten[0].render(1, 36), /not open/);
    const r = await forgotten[8].render(1, 36);
    assert.equal(r.width, Math.round((r.pageWidth * 36) / 72));
    await Promise.all(forgotten.map((f) => f.close()));
  });

  it('fails a request as retryable when the thread dies mid-way, and starts a new thread for the next', async () => {
    const big = await largeStatement(60);
    const pending = extractPages(big.pdf, 1, big.pages);
    await new Promise((r) => setTimeout(r, 50));
    await stopPdfThread();
    const err = await pending.then(
      () => assert.fail('extraction finished although its thread was stopped'),
      (e: unknown) => e as Error,
    );
    assert.ok(!(err instanceof TaskInputError), 'not blamed on the file');
    assert.match(err.message, /pdf\.js thread stopped/);
    assert.deepEqual(await inspectPdf(big.pdf), { pageCount: big.pages });
  });

  it('gives its memory back only when idle: not while a request runs or a document is open', async () => {
    const big = await largeStatement(30);
    const pending = extractPages(big.pdf, 1, big.pages);
    assert.equal(await releasePdfThreadIfIdle(), false, 'busy with an extraction');
    assert.equal((await pending).length, big.pages);
    const renderer = await openRenderer(await scannedStatementPdf(1));
    assert.equal(await releasePdfThreadIfIdle(), false, 'a document is open for rendering');
    await renderer.render(1, 36);
    await renderer.close();
    assert.equal(await releasePdfThreadIfIdle(), true);
    assert.equal(pdfThreadRunning(), false);
    // The next request starts a new thread.
    assert.deepEqual(await inspectPdf(big.pdf), { pageCount: big.pages });
    assert.equal(pdfThreadRunning(), true);
  });
});
