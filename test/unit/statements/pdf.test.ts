/**
 * The PDF side: page counts, positioned text, and the errors a user can get — a
 * password-protected statement, a damaged or cut-off file, a scan with no text layer, and
 * a document that is not a statement at all.
 */
import assert from 'node:assert/strict';
import { PDFParse } from 'pdf-parse';
import { extractPages, inspectPdf, parseStatement } from '../../../domain/statements';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { encryptedStatementPdf, FIXTURES, invoicePdf, scannedStatementPdf, truncated } from '../../fixtures/statements';
import { PdfBuilder } from '../../fixtures/statements/pdf-canvas';
import { extracted, rejects } from './helpers';

const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;

describe('statements: PDF extraction', function () {
  this.timeout(60_000);

  it('counts pages and extracts positioned text, y measured from the top', async () => {
    const { g } = await extracted(fnb);
    assert.deepEqual(await inspectPdf(g.pdf), { pageCount: g.pages });
    const [p1] = await extractPages(g.pdf, 1, 1);
    assert.equal(p1.page, 1);
    assert.equal(p1.hasText, true);
    assert.equal(Math.round(p1.width), 595);
    assert.equal(Math.round(p1.height), 842);
    const name = p1.items.find((i) => i.str === 'First National Bank' && i.height === 18)!;
    assert.ok(name, 'the bank name at 18pt');
    assert.equal(name.x, 36);
    assert.equal(name.y + name.height, 62, 'baseline 62pt below the top, as drawn');
    assert.ok(name.width > 100 && name.width < 250);
    for (const it of p1.items) assert.ok(it.str.trim().length > 0, 'no blank items');
  });

  it('extracts a range, clips it to the document, and leaves the caller\'s buffer intact', async () => {
    const { g } = await extracted(fnb);
    const data = new Uint8Array(g.pdf);
    const pages = await extractPages(data, 2, 999);
    assert.deepEqual(pages.map((p) => p.page), Array.from({ length: g.pages - 1 }, (_, i) => i + 2));
    assert.equal(data.byteLength, g.pdf.byteLength);
    assert.deepEqual(await inspectPdf(data), { pageCount: g.pages });
    await assert.rejects(() => extractPages(data, 0, 1), RangeError);
    await assert.rejects(() => extractPages(data, 3, 2), RangeError);
  });

  it('leaves out text that is not upright (a rotated margin note)', async () => {
    const b = await PdfBuilder.create();
    const c = b.newPage();
    c.text('Upright text on the page', 36, 100);
    c.rawText('/F1 8 Tf 0 1 -1 0 20 300 Tm (Vertical margin note) Tj');
    c.finish();
    const [p] = await extractPages(await b.save(), 1, 1);
    assert.deepEqual(p.items.map((i) => i.str), ['Upright text on the page']);
  });

  it('flags pages without a text layer, and parseStatement refuses them with PDF_NO_TEXT', async () => {
    const pdf = await scannedStatementPdf(2);
    const pages = await extractPages(pdf, 1, 2);
    assert.deepEqual(pages.map((p) => [p.page, p.hasText, p.items.length]), [[1, false, 0], [2, false, 0]]);
    const err = await rejects(() => parseStatement(pages), TaskErrorCodes.PDF_NO_TEXT);
    assert.match(err.message, /scan/i);
  });

  it('reads a statement whose pages OCR filled in, whatever the hasText flag says', async () => {
    const { pages } = await extracted(fnb);
    const asOcr = pages.map((p) => ({ ...p, hasText: false }));
    assert.equal(parseStatement(asOcr).transactions.length, parseStatement(pages).transactions.length);
  });

  it('reads the other pages when one page is a scan, and says so', async () => {
    const { pages } = await extracted(fnb);
    const last = pages.length;
    const withScan = pages.map((p) => (p.page === last ? { ...p, items: [], hasText: false } : p));
    const parsed = parseStatement(withScan);
    assert.equal(parsed.reconciled, false);
    assert.ok(parsed.warnings.some((w) => w.code === 'PAGE_NO_TEXT' && w.page === last));
  });

  it('refuses a password-protected PDF with PDF_ENCRYPTED', async () => {
    const pdf = encryptedStatementPdf('8001015009087');
    const err = await rejects(inspectPdf(pdf), TaskErrorCodes.PDF_ENCRYPTED);
    assert.match(err.message, /password/i);
    await rejects(extractPages(pdf, 1, 1), TaskErrorCodes.PDF_ENCRYPTED);
    // The fixture is really encrypted (not merely broken): with its password it opens.
    const parser = new PDFParse({ data: new Uint8Array(pdf), password: '8001015009087', verbosity: 0 });
    try {
      assert.match((await parser.getText()).text, /Standard Bank/);
    } finally {
      await parser.destroy();
    }
  });

  it('refuses damaged, cut-off and non-PDF files with PDF_UNREADABLE', async () => {
    const { g } = await extracted(fnb);
    for (const data of [new Uint8Array(0), new TextEncoder().encode('Date,Description,Amount\n01/01/2024,Coffee,-35.00\n'), truncated(g.pdf, 0.02)]) {
      const err = await rejects(inspectPdf(data), TaskErrorCodes.PDF_UNREADABLE);
      assert.match(err.message, /could not be read/i);
    }
  });

  it('refuses a statement cut off part-way rather than read its first pages as the whole', async () => {
    const { g } = await extracted(fnb);
    for (const share of [0.3, 0.6, 0.9, 0.999]) {
      await rejects(inspectPdf(truncated(g.pdf, share)), TaskErrorCodes.PDF_UNREADABLE);
      await rejects(extractPages(truncated(g.pdf, share), 1, 1), TaskErrorCodes.PDF_UNREADABLE);
    }
  });

  it('says an invoice that prints FNB banking details is not a statement', async () => {
    const pdf = await invoicePdf();
    const pages = await extractPages(pdf, 1, 1);
    assert.ok(pages[0].items.some((i) => /FNB/.test(i.str)), 'the invoice does name FNB');
    const err = await rejects(() => parseStatement(pages), TaskErrorCodes.NOT_A_STATEMENT);
    assert.match(err.message, /does not look like a bank statement/);
  });
});
