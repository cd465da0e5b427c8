/**
 * Text read on two pdf.js threads at once (PdfLimits.textThreads): two requests that
 * arrive together are read by two threads, and give the same pages as one thread would;
 * with one text thread they queue on it. A named document's chunks keep going to the
 * thread that holds it open, and a chunk waiting behind a busy thread is read by the one
 * that frees first. A read stopped on one thread leaves the other's alone, and
 * an idle text thread's memory is given back while a renderer's document holds the other.
 */
import assert from 'node:assert/strict';
import { extractPages } from '../../../domain/statements';
import {
  askPdfThreadOn,
  configurePdfThread,
  pdfDocumentsOpened,
  pdfThreadBusy,
  pdfThreadGeneration,
  pdfThreadsRunning,
  releasePdfThreadIfIdle,
  setPdfThreadIdlePolicy,
} from '../../../domain/statements/pdf/thread';
import { openRenderer } from '../../../domain/ocr/render';
import { largeStatement, scannedStatementPdf, type GeneratedStatement } from '../../fixtures/statements';
import { hostilePdf } from '../../fixtures/statements/hostile';

/** Resolves once `condition` holds (checked every 10 ms). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** A raw text request, answered with the thread that read it. */
const readOn = (g: GeneratedStatement, first: number, last: number, keep?: string) =>
  askPdfThreadOn<{ numPages: number; json: string }>({ op: 'pages', data: g.pdf, first, last, ...(keep ? { keep } : {}) });

describe('statements: text read on two pdf.js threads', function () {
  this.timeout(120_000);
  let big: GeneratedStatement;

  before(async () => {
    big = await largeStatement(40);
  });
  beforeEach(() => configurePdfThread({ textThreads: 2 }));
  afterEach(async () => {
    configurePdfThread({});
    setPdfThreadIdlePolicy({});
    await releasePdfThreadIfIdle();
  });

  it('reads two requests that arrive together on two threads, giving what one thread gives', async () => {
    const [a, b] = await Promise.all([readOn(big, 1, 20), readOn(big, 21, big.pages)]);
    assert.notEqual(a.thread, b.thread, 'read side by side');
    const alone = await Promise.all([extractPages(big.pdf, 1, 20), extractPages(big.pdf, 21, big.pages)]);
    configurePdfThread({ textThreads: 1 });
    const queued = [await extractPages(big.pdf, 1, 20), await extractPages(big.pdf, 21, big.pages)];
    assert.deepEqual(alone, queued);
    assert.equal(alone.flat().length, big.pages);
  });

  it('with one text thread, queues them on it', async () => {
    configurePdfThread({ textThreads: 1 });
    await releasePdfThreadIfIdle();
    const [a, b] = await Promise.all([readOn(big, 1, 20), readOn(big, 21, 40)]);
    assert.equal(a.thread, b.thread);
    assert.equal(pdfThreadsRunning(), 1);
  });

  it('sends a named document\'s next chunk to the thread that holds it open', async () => {
    // Both threads up and idle: the next chunks could go to either.
    await Promise.all([readOn(big, 1, 2), readOn(big, 3, 4)]);
    assert.equal(pdfThreadsRunning(), 2);
    const opened = pdfDocumentsOpened();
    const first = await readOn(big, 1, 10, 'statement-a');
    for (const [from, to] of [[11, 20], [21, 30], [31, big.pages]]) {
      const next = await readOn(big, from, to, 'statement-a');
      assert.equal(next.thread, first.thread);
    }
    assert.equal(pdfDocumentsOpened() - opened, 1, 'opened once for its four chunks');
  });

  it('reads a chunk waiting behind a busy thread on the thread that frees first', async () => {
    const hostile = hostilePdf({ pages: 2000, contentMb: 80 });
    const controller = new AbortController();
    // Runs until stopped: whatever waits behind it on its thread waits for good.
    const busy = askPdfThreadOn({ op: 'pages', data: hostile, first: 1, last: 2000 }, { signal: controller.signal });
    busy.catch(() => undefined);
    await until(pdfThreadBusy);
    // Both threads taken now, so the second chunk waits on one of them: the first, the busy one.
    const [b, c] = await Promise.all([readOn(big, 1, 2), readOn(big, 3, 4)]);
    assert.equal(c.thread, b.thread, 'read by the thread that freed');
    assert.equal((JSON.parse(c.value.json) as unknown[]).length, 2);
    const reason = new Error('stopped by the test');
    controller.abort(reason);
    await assert.rejects(busy, (e) => e === reason);
  });

  it('stops a read on one thread and leaves the read on the other alone', async () => {
    const hostile = hostilePdf({ pages: 2000, contentMb: 80 });
    const controller = new AbortController();
    const stopped = extractPages(hostile, 1, 2000, { signal: controller.signal, limits: { pageTimeoutMs: 3_600_000 } });
    await until(pdfThreadBusy);
    const reading = extractPages(big.pdf, 1, big.pages);
    await until(() => pdfThreadsRunning() === 2);
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await assert.rejects(stopped, (e) => e === reason);
    const pages = await reading;
    assert.equal(pages.length, big.pages);
    assert.deepEqual(pages, await extractPages(big.pdf, 1, big.pages));
  });

  it('gives back an idle text thread\'s memory while the thread holding a renderer\'s document stays', async () => {
    const renderer = await openRenderer(await scannedStatementPdf(1));
    try {
      await Promise.all([readOn(big, 1, 20), readOn(big, 21, 40)]);
      assert.equal(pdfThreadsRunning(), 2);
      assert.equal(await releasePdfThreadIfIdle(), false, 'a document is open for rendering');
      assert.equal(pdfThreadsRunning(), 1);
      assert.ok((await renderer.render(1, 36)).width > 0);
    } finally {
      await renderer.close();
    }
  });

  it('stops the second thread once idle, where the first, with a small heap, stays warm', async () => {
    setPdfThreadIdlePolicy({ stopMs: 200, keepHeapBytes: 1024 ** 3 });
    await Promise.all([readOn(big, 1, 20), readOn(big, 21, 40)]);
    assert.equal(pdfThreadsRunning(), 2);
    const first = pdfThreadGeneration();
    await until(() => pdfThreadsRunning() === 1);
    await new Promise((r) => setTimeout(r, 600)); // several idle periods: the first stays
    assert.equal(pdfThreadsRunning(), 1);
    // A page count goes to the first thread: the same one as before, not a new one.
    const { thread } = await askPdfThreadOn({ op: 'inspect', data: big.pdf });
    assert.equal(thread, first);
  });
});
