/**
 * The pdf.js thread places text items and judges text layers itself
 * (pdfjs-positions.mjs, plain JavaScript) and answers with JSON text. What the caller
 * gets must be what the TypeScript side means by a page: the same text-layer rule as
 * pageHasText, items placed on the displayed page, and the JSON text a work file stores
 * parsing to the pages extractPages returns.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractPages, extractPagesText, type PositionedPage, type TextItem } from '../../../domain/statements';
import { MIN_TEXT_CHARS, pageHasText } from '../../../domain/statements/text-layer';
import { scannedStatementPdf } from '../../fixtures/statements';
import { PdfBuilder } from '../../fixtures/statements/pdf-canvas';

interface PositionsModule {
  MIN_TEXT_CHARS: number;
  positionedPage(page: number, viewport: { width: number; height: number; transform: number[] }, items: unknown[]): PositionedPage;
  pagesAnswer(pages: PositionedPage[]): { json: string; textless: number[] };
}

const MODULE = pathToFileURL(path.resolve(__dirname, '../../../domain/statements/pdf/pdfjs-positions.mjs')).href;
// Imported as ES module text at run time: the tests run as CommonJS, which cannot require() it.
const load = () => import(MODULE) as Promise<PositionsModule>;

/** An A4 page's viewport at scale 1 as pdf.js gives it: y flipped, origin at the top left. */
const A4 = { width: 595.276, height: 841.89, transform: [1, 0, 0, -1, 0, 841.89] };
/** A pdf.js text item at (x, y) from the bottom left, `size` points high. */
const raw = (str: string, x: number, y: number, size = 10, width = 50) => ({ str, transform: [size, 0, 0, size, x, y], width, dir: 'ltr' });

describe('statements: positions worked out in the pdf.js thread', () => {
  it('judges a text layer by the same rule as pageHasText', async () => {
    const m = await load();
    assert.equal(m.MIN_TEXT_CHARS, MIN_TEXT_CHARS);
    const cases: string[][] = [[], ['Page 1'], ['Page', ' 12 '], ['123456789'], ['1234567890'], ['  a b c d e  ', 'f g h i j'], ['Opening balance 1 000.00']];
    for (const strs of cases) {
      const page = m.positionedPage(1, A4, strs.map((s, i) => raw(s, 36, 700 - 12 * i)));
      assert.equal(page.hasText, pageHasText(page.items), JSON.stringify(strs));
    }
    // Both ways occur among the cases: the rule is tested, not one answer.
    const verdicts = cases.map((strs) => m.positionedPage(1, A4, strs.map((s) => raw(s, 36, 700))).hasText);
    assert.ok(verdicts.includes(true) && verdicts.includes(false));
  });

  it('places items on the displayed page, y down, and leaves out blank, marked-content and rotated ones', async () => {
    const m = await load();
    const items = [
      raw('Date', 36.004, 779.891, 9, 18.456),
      raw('   ', 100, 779.891),
      { type: 'beginMarkedContent' }, // no str: not text
      { str: 'Vertical note', transform: [0, 8, -8, 0, 20, 300], width: 60 },
      raw('Balance', 500, 779.891, 9, 31.5),
    ];
    const page = m.positionedPage(3, A4, items);
    const expected: TextItem[] = [
      { str: 'Date', x: 36, y: 53, width: 18.46, height: 9 },
      { str: 'Balance', x: 500, y: 53, width: 31.5, height: 9 },
    ];
    assert.deepEqual(page, { page: 3, width: 595.28, height: 841.89, items: expected, hasText: true });
    const answer = m.pagesAnswer([page, m.positionedPage(4, A4, [])]);
    assert.deepEqual(JSON.parse(answer.json), [page, { page: 4, width: 595.28, height: 841.89, items: [], hasText: false }]);
    assert.deepEqual(answer.textless, [4]);
  });

  it('answers a read as JSON text that parses to the pages extractPages gives, naming the pages without text', async () => {
    const b = await PdfBuilder.create();
    const c = b.newPage();
    c.text('Statement of account, first page of two', 36, 100);
    c.finish();
    b.newPage().finish(); // blank: no text layer
    const pdf = await b.save();
    const text = await extractPagesText(pdf, 1, 2);
    const pages = await extractPages(pdf, 1, 2);
    assert.deepEqual(JSON.parse(text.json), pages);
    assert.deepEqual(pages.map((p) => p.hasText), [true, false]);
    assert.deepEqual(text.textless, [2]);

    const scan = await scannedStatementPdf(2);
    assert.deepEqual((await extractPagesText(scan, 1, 2)).textless, [1, 2]);
  });
});
