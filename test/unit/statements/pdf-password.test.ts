/**
 * Locked PDFs through the pdf.js thread: the password opens them for text and for OCR
 * rendering, a wrong one is told apart from none (pdf.js's PasswordException code crosses
 * the thread as it is), and neither error repeats the password.
 */
import assert from 'node:assert/strict';
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors';
import { openRenderer } from '../../../domain/ocr/render';
import { extractPages, extractWholePdf, inspectPdf } from '../../../domain/statements';
import { encryptedStatementPdf } from '../../fixtures/statements';
import { lockPdf } from '../../fixtures/locked-pdf';

const PASSWORD = '8001015009087'; // the fixture's (an ID number, as South African banks use)

async function refusal(p: Promise<unknown>): Promise<TaskInputError> {
  const err = await p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TaskInputError, String(err));
  return err;
}

describe('pdf: password-locked statements', function () {
  this.timeout(60_000);
  let pdf: Uint8Array;
  before(async () => {
    pdf = new Uint8Array(await encryptedStatementPdf());
  });

  it('opens a locked PDF with its password, for inspection, pages and the whole document', async () => {
    const { pageCount } = await inspectPdf(pdf, { password: PASSWORD });
    assert.ok(pageCount >= 1);
    const pages = await extractPages(pdf, 1, pageCount, { password: PASSWORD });
    assert.ok(pages.some((p) => p.items.length > 0), 'text comes out of the decrypted pages');
    const whole = await extractWholePdf(pdf, 50, { password: PASSWORD });
    assert.equal(whole.pageCount, pageCount);
    assert.deepEqual(whole.pages?.map((p) => p.items.length), pages.map((p) => p.items.length));
  });

  it('renders a locked page for OCR with its password', async () => {
    const renderer = await openRenderer(pdf, { password: PASSWORD });
    try {
      const raster = await renderer.render(1, 72);
      assert.ok(raster.width > 0 && raster.gray.length === raster.width * raster.height);
    } finally {
      await renderer.close();
    }
  });

  it('tells a wrong password (PDF_PASSWORD_INCORRECT) from none (PDF_ENCRYPTED), without repeating it', async () => {
    const wrong = await refusal(inspectPdf(pdf, { password: 'guess-1234' }));
    assert.equal(wrong.code, TaskErrorCodes.PDF_PASSWORD_INCORRECT);
    assert.doesNotMatch(wrong.message, /guess-1234/);
    const none = await refusal(extractPages(pdf, 1, 1));
    assert.equal(none.code, TaskErrorCodes.PDF_ENCRYPTED);
    assert.match(none.message, /"password" field/);
  });

  it('opens an AES-256 lock whose password is beyond ASCII (sent as UTF-8, as PDF 2.0 wants)', async () => {
    const source = await inspectablePlainPdf();
    const locked = new Uint8Array(await lockPdf(source, { userPassword: 'Wagwoord-é-ß', pdfVersion: '1.7ext3' }));
    assert.equal((await inspectPdf(locked, { password: 'Wagwoord-é-ß' })).pageCount, 1);
    assert.equal((await refusal(inspectPdf(locked, { password: 'Wagwoord-e-s' }))).code, TaskErrorCodes.PDF_PASSWORD_INCORRECT);
  });

  it('opens a PDF locked only against changes (owner password) with no password at all', async () => {
    const locked = new Uint8Array(await lockPdf(await inspectablePlainPdf(), { ownerPassword: 'owner-9', pdfVersion: '1.6' }));
    assert.equal((await inspectPdf(locked)).pageCount, 1);
  });
});

/** A one-page PDF with a line of text, to lock in the test. */
async function inspectablePlainPdf(): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('STATEMENT 01/03/2024 OPENING BALANCE 100.00', { x: 50, y: 780, size: 10, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}
