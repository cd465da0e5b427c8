/**
 * A long statement read in chunks is opened once: the pdf.js thread keeps a document named
 * by its caller (the upload's key) open between requests, until its last page is read.
 * Unnamed reads open the document each time; other bytes under the same name never get
 * the kept document's pages; and the fast path's "too long" answer leaves the document
 * open for the chunks that follow.
 */
import assert from 'node:assert/strict';
import { extractPages, extractWholePdf } from '../../../domain/statements';
import { pdfDocumentsOpened } from '../../../domain/statements/pdf/thread';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../../fixtures/statements';

describe('statements: documents kept open between chunks', function () {
  this.timeout(60_000);
  let a: GeneratedStatement;
  let b: GeneratedStatement;

  before(async () => {
    [a, b] = await Promise.all([generateStatement(FIXTURES[0]), generateStatement(FIXTURES[1])]);
    assert.ok(a.pages >= 3, `fixture has ${a.pages} pages`);
  });

  /** Reads `g` one page per request; the documents opened meanwhile and the pages' text. */
  async function inChunks(g: GeneratedStatement, keepOpenAs?: string) {
    const before = pdfDocumentsOpened();
    const text: string[] = [];
    for (let p = 1; p <= g.pages; p++) {
      const [page] = await extractPages(g.pdf, p, p, { keepOpenAs });
      text.push(page.items.map((i) => i.str).join(' '));
    }
    return { opened: pdfDocumentsOpened() - before, text };
  }

  it('opens a named document once for all its chunks, and again after its last page was read', async () => {
    const unnamed = await inChunks(a);
    assert.equal(unnamed.opened, a.pages);
    const named = await inChunks(a, 'upload/a');
    assert.equal(named.opened, 1);
    assert.deepEqual(named.text, unnamed.text);
    // Its last page was read: the next read under the name opens it afresh.
    const again = await inChunks(a, 'upload/a');
    assert.equal(again.opened, 1);
  });

  it('never serves another file under the same name from the kept document', async () => {
    const before = pdfDocumentsOpened();
    const [firstOfA] = await extractPages(a.pdf, 1, 1, { keepOpenAs: 'upload/same' });
    const [firstOfB] = await extractPages(b.pdf, 1, 1, { keepOpenAs: 'upload/same' });
    assert.equal(pdfDocumentsOpened() - before, 2);
    const [plainB] = await extractPages(b.pdf, 1, 1);
    assert.deepEqual(firstOfB.items, plainB.items);
    assert.notDeepEqual(firstOfA.items, firstOfB.items);
    // Finish both so nothing stays open for the next test.
    await extractPages(a.pdf, a.pages, a.pages, { keepOpenAs: 'upload/same' });
    await extractPages(b.pdf, b.pages, b.pages, { keepOpenAs: 'upload/same' });
  });

  it('the whole-document read answers a long document with its length and leaves it open for the chunks', async () => {
    const before = pdfDocumentsOpened();
    const tooLong = await extractWholePdf(a.pdf, a.pages - 1, { keepOpenAs: 'upload/long' });
    assert.deepEqual(tooLong, { pageCount: a.pages, pages: null });
    const chunks = await inChunks(a, 'upload/long');
    assert.equal(pdfDocumentsOpened() - before, 1);
    assert.equal(chunks.text.length, a.pages);

    const short = await extractWholePdf(a.pdf, a.pages);
    assert.equal(short.pageCount, a.pages);
    assert.deepEqual(short.pages!.map((p) => p.page), Array.from({ length: a.pages }, (_, i) => i + 1));
  });
});
