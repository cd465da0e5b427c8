/**
 * An idle pdf.js thread whose heap has grown is replaced by a fresh one, so the memory goes
 * back while the next statement still finds pdf.js loaded; a thread with a small heap is
 * kept warm, and a fresh thread nobody has used is left as it is.
 */
import assert from 'node:assert/strict';
import { extractPages } from '../../../domain/statements';
import { pdfThreadGeneration, pdfThreadRunning, releasePdfThreadIfIdle, setPdfThreadIdlePolicy } from '../../../domain/statements/pdf/thread';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../../fixtures/statements';

const IDLE_MS = 300;

async function until(what: string, test: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(test(), `timed out waiting for ${what}`);
}

describe('statements: the pdf.js thread when idle', function () {
  this.timeout(60_000);
  let g: GeneratedStatement;

  before(async () => {
    g = await generateStatement(FIXTURES[0]);
  });
  after(async () => {
    setPdfThreadIdlePolicy({});
    await releasePdfThreadIfIdle();
  });

  it('keeps a thread whose heap stayed small: it stays warm for the next statement', async () => {
    setPdfThreadIdlePolicy({ stopMs: IDLE_MS, keepHeapBytes: 1024 ** 3 });
    await extractPages(g.pdf, 1, 1);
    const used = pdfThreadGeneration();
    await new Promise((r) => setTimeout(r, IDLE_MS * 4));
    assert.equal(pdfThreadGeneration(), used);
    assert.ok(pdfThreadRunning());
  });

  it('replaces an idle thread whose heap grew with a fresh running one, and leaves that one alone until it is used', async () => {
    // Any heap counts as grown here.
    setPdfThreadIdlePolicy({ stopMs: IDLE_MS, keepHeapBytes: 0 });
    await extractPages(g.pdf, 1, 1);
    const used = pdfThreadGeneration();
    await until('the used thread to be replaced', () => pdfThreadGeneration() > used && pdfThreadRunning());
    const fresh = pdfThreadGeneration();
    assert.equal(fresh, used + 1);
    // Several idle periods later the unused thread is still the same one.
    await new Promise((r) => setTimeout(r, IDLE_MS * 4));
    assert.equal(pdfThreadGeneration(), fresh);
    assert.ok(pdfThreadRunning());
    // It serves the next request itself, and is replaced again once idle after it.
    const pages = await extractPages(g.pdf, 1, g.pages);
    assert.equal(pages.length, g.pages);
    assert.equal(pdfThreadGeneration(), fresh);
    await until('the thread to be replaced again', () => pdfThreadGeneration() > fresh);
  });
});
