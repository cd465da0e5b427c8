/**
 * From positioned items to lines, cells, header columns and furniture.
 */
import assert from 'node:assert/strict';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { generic } from '../../../domain/statements/banks/generic';
import { fnb } from '../../../domain/statements/banks/fnb';
import { columnAt, matchHeader } from '../../../domain/statements/layout/columns';
import { FurnitureCounts } from '../../../domain/statements/layout/furniture';
import { LayoutInference } from '../../../domain/statements/layout/infer-columns';
import type { DateFormat } from '../../../domain/statements/grammar/date';
import { buildLines, monospaceAdvance, type Line } from '../../../domain/statements/layout/lines';
import type { TextItem } from '../../../domain/statements';
import { item, page, type Spec } from './helpers';

const cells = (l: Line) => l.cells.map((c) => c.text);

/** The furniture of a document held whole: count every page, then take each page's runs. */
class Furniture {
  private readonly lines = new Set<Line>();
  constructor(pages: Line[][], tableStart: (lines: Line[]) => number | null = () => null) {
    const counts = new FurnitureCounts();
    for (const ls of pages) counts.add(ls);
    for (const ls of pages) for (const l of counts.ofPage(ls, tableStart(ls))) this.lines.add(l);
  }
  has(line: Line): boolean {
    return this.lines.has(line);
  }
}

function inferLayout(pages: Line[][], formats: readonly DateFormat[]) {
  const inference = new LayoutInference(formats);
  for (const ls of pages) inference.add(ls);
  return inference.result();
}
const lines = (specs: Spec[], n = 1) => buildLines(page(n, specs));

describe('statements: items → lines → cells', () => {
  it('orders lines top to bottom and cells left to right, whatever order the PDF drew them in', () => {
    const ls = lines([
      ['1,500.00', 500, 214, 'r'],
      ['Salary', 100, 214],
      ['Date', 36, 200],
      ['02/01/2024', 36, 214],
      ['Description', 100, 200],
    ]);
    assert.deepEqual(ls.map((l) => [l.index, cells(l)]), [
      [1, ['Date', 'Description']],
      [2, ['02/01/2024', 'Salary', '1,500.00']],
    ]);
  });

  it('keeps items whose baselines differ slightly on one line, and close lines apart', () => {
    const ls = lines([
      ['A', 36, 100],
      ['B', 100, 101.5],
      ['C', 36, 106],
    ]);
    assert.deepEqual(ls.map(cells), [['A', 'B'], ['C']]);
  });

  it('joins words and kerned fragments into one cell, and splits at column gaps and runs of spaces', () => {
    const at = (str: string, x: number): TextItem => ({ str, x, y: 92, width: str.length * 4, height: 8 });
    const [l] = buildLines({
      page: 1,
      width: 595,
      height: 842,
      hasText: true,
      items: [at('Bal', 36), at('ance', 48), at('brought', 66), at('forward', 96), at('1 234.56', 300), at('12.00    99.00', 400)],
    });
    assert.deepEqual(cells(l), ['Balance brought forward', '1 234.56', '12.00', '99.00']);
    assert.equal(l.cells[3].x, 400 + 9 * 4, 'x of a split part estimated from its characters');
  });

  it('ignores blank items', () => {
    assert.deepEqual(lines([['   ', 36, 100], ['x', 50, 100]]).map(cells), [['x']]);
  });

  it('on a monospaced page, joins words one character apart and splits at two or more', () => {
    // Courier at 8 pt: every character 4.8 pt wide, a space too; pdf.js gives each word
    // as an item of its own. One space between words, a column gap of two or more.
    const advance = 0.6 * 8;
    const row = (baseline: number, words: [string, number][]): TextItem[] =>
      words.map(([str, col]) => ({ str, x: 36 + col * advance, y: baseline - 8, width: str.length * advance, height: 8 }));
    const items = [
      ...row(100, [['Date', 0], ['Details', 12], ['Amount', 50], ['Balance', 62]]),
      ...row(110, [['02/01/2024', 0], ['Salary', 12], ['Acme', 19], ['Holdings', 24], ['(Pty)', 33], ['Ltd', 39], ['1,500.00', 48], ['2,000.00', 61]]),
      ...row(120, [['03/01/2024', 0], ['POS', 12], ['Purchase', 16], ['Checkers', 25], ['Hyper', 34], ['-35.00', 50], ['1,965.00', 61]]),
    ];
    assert.ok(Math.abs(monospaceAdvance(items)! - 0.6) < 1e-9);
    const ls = buildLines({ page: 1, width: 595, height: 842, hasText: true, items });
    assert.deepEqual(ls.map(cells), [
      ['Date', 'Details', 'Amount', 'Balance'],
      ['02/01/2024', 'Salary Acme Holdings (Pty) Ltd', '1,500.00', '2,000.00'],
      ['03/01/2024', 'POS Purchase Checkers Hyper', '-35.00', '1,965.00'],
    ]);
  });

  it('does not take a proportional page for a monospaced one', async () => {
    // Widths as Helvetica sets them (pdf-lib carries its metrics).
    const helvetica = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
    const words = ['Internet Banking Payment', 'Salary', 'Immediate Payment', 'Monthly Account Fee', 'Woolworths', 'Debit Order', 'Cash Deposit', 'Interest', 'Vodacom', 'Transfer', 'Checkers Hyper'];
    const items: TextItem[] = words.map((str, i) => ({ str, x: 36, y: 100 + 10 * i, width: helvetica.widthOfTextAtSize(str, 8), height: 8 }));
    assert.equal(monospaceAdvance(items), null);
    assert.equal(monospaceAdvance([]), null, 'nothing to judge by');
  });
});

describe('statements: header columns', () => {
  const accept = generic.accepts;

  it('maps labels to columns and splits the row into x-ranges', () => {
    const ls = lines([['Date', 36, 100], ['Description', 100, 100], ['Debits (R)', 380, 100, 'r'], ['Credits (R)', 460, 100, 'r'], ['Balance (R)', 559, 100, 'r']]);
    const h = matchHeader(ls, 0, generic.headers, accept)!;
    assert.deepEqual(h.columns.map((c) => c.kind), ['date', 'description', 'debit', 'credit', 'balance']);
    assert.equal(columnAt(h, 37).kind, 'date');
    assert.equal(columnAt(h, 200).kind, 'description');
    assert.equal(columnAt(h, 379).kind, 'debit');
    assert.equal(columnAt(h, 600).kind, 'balance');
  });

  it('reads labels merged into one cell', () => {
    const [l] = lines([['Date Description Amount Balance', 36, 100]]);
    const h = matchHeader([l], 0, generic.headers, accept)!;
    assert.deepEqual(h.columns.map((c) => c.label), ['date', 'description', 'amount', 'balance']);
    assert.ok(h.columns[1].left > h.columns[0].right, 'positions estimated inside the cell');
  });

  it('stacks a two-line header ("Accrued" over "Bank Charges")', () => {
    const ls = lines([
      ['Accrued', 559, 100, 'r'],
      ['Date', 36, 109],
      ['Description', 78, 109],
      ['Amount', 385, 109, 'r'],
      ['Balance', 470, 109, 'r'],
      ['Bank Charges', 559, 109, 'r'],
    ]);
    const h = matchHeader(ls, 0, fnb.headers, fnb.accepts)!;
    assert.equal(h.lineCount, 2);
    assert.deepEqual(h.columns.map((c) => c.label), ['date', 'description', 'amount', 'balance', 'accrued bank charges']);
  });

  it('tolerates one column with an unknown label, and ignores it', () => {
    const ls = lines([['Date', 36, 100], ['Card', 80, 100], ['Description', 120, 100], ['Amount', 400, 100, 'r'], ['Balance', 500, 100, 'r']]);
    const h = matchHeader(ls, 0, generic.headers, accept)!;
    assert.deepEqual(h.columns.map((c) => c.kind), ['date', 'ignore', 'description', 'amount', 'balance']);
  });

  it('refuses lines that are not headers: unknown words, digits, too few columns, an invoice table', () => {
    const no = (specs: Spec[]) => assert.equal(matchHeader(lines(specs), 0, generic.headers, accept), null, JSON.stringify(specs));
    no([['Date', 36, 100], ['Description', 100, 100], ['Qty', 300, 100], ['Unit Price', 380, 100], ['Amount', 500, 100]]);
    no([['15 Jan', 36, 100], ['Description', 100, 100], ['Amount', 380, 100], ['Balance', 500, 100]]);
    no([['Date', 36, 100], ['Balance', 500, 100]]);
    no([['Date', 36, 100], ['Description', 100, 100], ['Amount', 380, 100]]); // no balance, no debit/credit pair: invoice-like
    no([['Date', 36, 100], ['Description', 100, 100], ['Qty', 300, 100], ['Amount', 400, 100], ['Balance', 500, 100], ['VAT', 550, 100]]); // two unknown
    no([['Date', 36, 100], ['Description of goods', 100, 100], ['Amount', 400, 100], ['Balance', 500, 100]]); // unknown words next to known ones
  });
});

describe('statements: page furniture', () => {
  const footer = (n: number): Spec[] => [
    ['Bank Ltd Reg 1962/000738/06', 36, 810],
    [`Page ${n} of 3`, 500, 28],
  ];

  it('recognises headers and footers repeated in the margins of most pages', () => {
    const words = ['Salary', 'Rent', 'Coffee'];
    const pages = [1, 2, 3].map((n) => lines([...footer(n), [words[n - 1], 100, 300], ['Purchase', 100, 400], [words[3 - n], 100, 500]], n));
    const f = new Furniture(pages);
    for (const ls of pages) {
      assert.deepEqual(ls.filter((l) => f.has(l)).map((l) => l.text).map((t) => t.replace(/\d/g, '#')), ['Page # of #', 'Bank Ltd Reg ####/######/##']);
    }
  });

  it('does not take a long number wrapped to the foot of two pages for furniture, but does a page number', () => {
    const pages = [1, 2].map((n) =>
      lines([...footer(n), [n === 1 ? 'Salary' : 'Rent', 100, 300], ['Transfer From Savings Account', 100, 770], [n === 1 ? '7872169145' : '1234567890', 100, 780], [String(n), 297, 790]], n),
    );
    const f = new Furniture(pages);
    assert.deepEqual(pages.flat().filter((l) => f.has(l)).map((l) => l.text.replace(/\d/g, '#')), [
      'Page # of #', '#', 'Bank Ltd Reg ####/######/##',
      'Page # of #', '#', 'Bank Ltd Reg ####/######/##',
    ]);
  });

  it('ends the furniture at the top of a page with the column header: a description wrapped onto two pages is content', () => {
    // Page 2 and 3 both begin, under the repeated column header, with the wrapped end of
    // the last row of the page before: the same words at the same height, by chance.
    const pages = [1, 2, 3].map((n) =>
      lines([...footer(n), ['Date', 36, 50], ['Description', 100, 50], ['Balance', 500, 50, 'r'], ...(n > 1 ? [['Token Purchase', 100, 64] as Spec] : []), ['02/01/2024', 36, 80], [['Salary', 'Rent', 'Coffee'][n - 1], 100, 80]], n),
    );
    const withoutHeader = new Furniture(pages);
    assert.ok(pages.flat().some((l) => l.text === 'Token Purchase' && withoutHeader.has(l)), 'taken for furniture when the header is not known');
    const f = new Furniture(pages, (ls) => ls.findIndex((l) => l.text.startsWith('Date Description')) + 1);
    assert.deepEqual(pages.flat().filter((l) => l.text === 'Token Purchase' && f.has(l)), []);
    assert.ok(pages.every((ls) => ls.some((l) => l.text.startsWith('Date Description') && f.has(l))), 'the header itself is still furniture');
  });

  it('does not take a wrapped fragment that repeats between rows for furniture', () => {
    const [a, b] = [['Checkers', 'Spar'], ['Engen', 'Shell']];
    const pages = [1, 2].map((n) => lines([...footer(n), [a[n - 1], 100, 480], ['Purchase', 100, 490], [b[n - 1], 100, 500]], n));
    const f = new Furniture(pages);
    assert.equal(pages.flat().filter((l) => l.text === 'Purchase' && f.has(l)).length, 0);
  });
});

describe('statements: columns inferred without a header', () => {
  it('finds the date, description, amount and balance columns from dated rows', () => {
    const rows: Spec[] = [];
    for (let i = 0; i < 5; i++) {
      const y = 200 + i * 12;
      rows.push([`0${i + 1}/02/2024`, 36, y], [`Row ${i}`, 100, y], [i % 2 ? '50.00' : '1,250.00', 400, y, 'r'], ['9,999.00', 500, y, 'r']);
    }
    const h = inferLayout([lines(rows)], generic.dateFormats)!;
    assert.deepEqual(h.columns.map((c) => c.kind), ['date', 'description', 'amount', 'balance']);
    assert.deepEqual([h.page, h.line], [1, 1]);
  });

  it('finds nothing in prose or with fewer than three rows', () => {
    assert.equal(inferLayout([lines([['01/02/2024', 36, 100], ['x', 100, 100], ['1.00', 400, 100, 'r'], ['2.00', 500, 100, 'r']])], generic.dateFormats), null);
    assert.equal(inferLayout([lines([['Dear customer, on 01/02/2024 we changed our fees.', 36, 100]])], generic.dateFormats), null);
  });

  it('uses the same item shape as extraction', () => {
    const it = item(['x', 10, 100]);
    assert.deepEqual(Object.keys(it).sort(), ['height', 'str', 'width', 'x', 'y']);
  });
});
