/**
 * The workbook read back with SheetJS, a reader independent of both our writer and the
 * exceljs reader the other tests use: every cell of every sheet is compared with a grid
 * built here from the rows — type, value, formula, number format, and the text SheetJS
 * renders with that format — and no cell may exist that the grid does not expect.
 */
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import { renderExcelReport, type RenderOptions, type ReportRow } from '../../../domain/reports';
import { expectedFigures, makeRows } from './dataset';
import { DEFAULT_VAT, MemorySink, fromArray } from './helpers';

const CURRENCY = '"R" #,##0.00';
const TITLE = 'Statement <ACME & Sons> "2024" — Café';
const OPTS: RenderOptions = { includeVat: true, vat: DEFAULT_VAT, title: TITLE };

/** Rows that exercise escaping, XML-illegal characters, whitespace and unicode. */
const SPECIAL: ReportRow[] = [
  { date: '2024-02-29', description: 'Café — 日本 🍜 ñ ü', category: 'Dining', amountCents: -12_345, balanceCents: 1 },
  { date: '2024-03-01', description: '<b>bold</b> & "quotes" \'single\' ]]>', category: 'Fuel & Oil', amountCents: 11_500, balanceCents: null },
  { date: '2024-03-01', description: 'A &amp; B &#65; &lt;', category: null, amountCents: 0, balanceCents: 0 },
  { date: '2024-03-02', description: 'nul\u0000 bell\u0007 esc\u001b vt\u000b ff\u000c nonchar\uFFFE\uFFFF end', category: '  ', amountCents: -1, balanceCents: -1 },
  { date: '2024-03-02', description: '  lead, tab\tLF\nCR\rCRLF\r\n trail  ', category: ' Travel ', amountCents: -99_999_999_99, balanceCents: 123_456_789_012 },
  { date: '2024-03-03', description: '=HYPERLINK("http://evil","x")', category: '+cmd', amountCents: 5, balanceCents: -5 },
  { date: '2024-03-03', description: '', category: 'Groceries', amountCents: -2_300, balanceCents: null },
];

type Cell = { t: 's' | 'n'; v: string | number; f?: string; z?: string; w?: string };

/** What SheetJS should show for a currency cell: `R 1,234.50`, `-R 0.01`. */
function currencyText(cents: number): string {
  const magnitude = Math.abs(cents);
  const whole = Math.trunc(magnitude / 100).toLocaleString('en-US');
  return `${cents < 0 ? '-' : ''}R ${whole}.${String(magnitude % 100).padStart(2, '0')}`;
}

const text = (v: string): Cell => ({ t: 's', v });
const money = (cents: number): Cell => ({ t: 'n', v: cents / 100, z: CURRENCY, w: currencyText(cents) });
const sum = (cents: number, f: string): Cell => ({ ...money(cents), f });
/** XML 1.0 cannot carry C0 controls other than tab, LF and CR, nor U+FFFE/U+FFFF: the writer drops them. */
const xmlClean = (s: string) =>
  [...s].filter((ch) => {
    const code = ch.codePointAt(0)!;
    return (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) && code !== 0xfffe && code !== 0xffff;
  }).join('');

function serial(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
}

function assertSheet(ws: XLSX.WorkSheet, expected: Map<string, Cell>, name: string): void {
  const actual = Object.keys(ws).filter((k) => !k.startsWith('!'));
  assert.deepEqual(actual.filter((a) => !expected.has(a)), [], `${name}: no unexpected cells`);
  for (const [address, want] of expected) {
    const got = ws[address] as XLSX.CellObject | undefined;
    assert.ok(got, `${name}!${address} exists`);
    assert.equal(got.t, want.t, `${name}!${address} type`);
    assert.equal(got.v, want.v, `${name}!${address} value`);
    assert.equal(got.f, want.f, `${name}!${address} formula`);
    if (want.z) assert.equal(got.z, want.z, `${name}!${address} number format`);
    if (want.w) assert.equal(got.w, want.w, `${name}!${address} as displayed`);
  }
}

interface CategoryTotals {
  label: string;
  count: number;
  in: number;
  out: number;
  vat: number;
  vatable: boolean;
  vatableIn: number;
  vatableOut: number;
  output: number;
  input: number;
}

/** Per category (case-insensitive, first spelling, Uncategorized last), as the Summary lists them. */
function byCategory(rows: readonly ReportRow[], rowVat: readonly number[]): CategoryTotals[] {
  const vatKeys = new Set(DEFAULT_VAT.vatCategories.map((c) => c.toLowerCase()));
  const map = new Map<string, CategoryTotals>();
  rows.forEach((r, i) => {
    const trimmed = (r.category ?? '').trim();
    const key = trimmed.toLowerCase();
    let c = map.get(key);
    if (!c) {
      c = { label: trimmed || 'Uncategorized', count: 0, in: 0, out: 0, vat: 0, vatable: false, vatableIn: 0, vatableOut: 0, output: 0, input: 0 };
      map.set(key, c);
    }
    const a = r.amountCents;
    c.count += 1;
    if (a > 0) c.in += a;
    if (a < 0) c.out -= a;
    c.vat += rowVat[i];
    if (vatKeys.has(key)) {
      c.vatable = true;
      if (a > 0) {
        c.vatableIn += a;
        c.output += rowVat[i];
      } else if (a < 0) {
        c.vatableOut -= a;
        c.input -= rowVat[i];
      }
    }
  });
  const uncategorized = map.get('');
  map.delete('');
  const sorted = [...map.values()].sort((a, b) => a.label.localeCompare(b.label, 'en', { sensitivity: 'base' }));
  return uncategorized ? [...sorted, uncategorized] : sorted;
}

/** Grid builder: A1-style addresses from 1-based row and column. */
function grid() {
  const cells = new Map<string, Cell>();
  const put = (row: number, values: Array<Cell | null>) =>
    values.forEach((c, i) => c && cells.set(`${String.fromCharCode(65 + i)}${row}`, c));
  return { cells, put };
}

describe('reports: Excel read back by a second, independent reader (SheetJS)', function () {
  this.timeout(60_000);

  const rows = [...makeRows(300, 7), ...SPECIAL];
  const exp = expectedFigures(rows, OPTS);
  let wb: XLSX.WorkBook;
  before(async () => {
    const sink = new MemorySink();
    await renderExcelReport(fromArray(rows), sink, OPTS);
    wb = XLSX.read(sink.buffer, { type: 'buffer', cellFormula: true, cellNF: true, cellStyles: true, cellDates: false });
  });

  it('has the sheets in order, opens on Summary, and carries the title and author', () => {
    assert.deepEqual(wb.SheetNames, ['Transactions', 'Summary', 'Monthly', 'VAT']);
    // SheetJS keeps the parsed <workbookView> under WBView, which its typings leave out.
    const views = (wb.Workbook as { WBView?: Array<{ activeTab?: number }> } | undefined)?.WBView;
    assert.equal(views?.[0]?.activeTab, 1);
    assert.equal(wb.Props?.Title, TITLE);
    assert.equal(wb.Props?.Author, 'Statementflow');
  });

  it('Transactions: every cell, with dates as day serials shown yyyy-mm-dd and amounts in rand', () => {
    const { cells, put } = grid();
    put(1, [text(TITLE)]);
    put(2, ['Date', 'Description', 'Category', 'Amount', 'Balance', 'VAT Amount', 'Amount excl. VAT'].map(text));
    rows.forEach((r, i) => {
      const description = xmlClean(r.description);
      const category = r.category?.trim() ?? '';
      put(i + 3, [
        { t: 'n', v: serial(r.date), z: 'yyyy-mm-dd', w: r.date },
        description === '' ? null : text(description),
        category === '' ? null : text(category),
        money(r.amountCents),
        r.balanceCents === null ? null : money(r.balanceCents),
        money(exp.rowVat[i]),
        money(r.amountCents - exp.rowVat[i]),
      ]);
    });
    const ws = wb.Sheets.Transactions;
    assertSheet(ws, cells, 'Transactions');
    assert.equal(ws['!ref'], `A1:G${rows.length + 2}`);
    assert.equal(ws['!autofilter']?.ref, `A2:G${rows.length + 2}`);
    assert.deepEqual(
      ws['!cols']?.map((c) => c.width),
      [12, 50, 22, 16, 16, 14, 18],
    );
    // The decoded date agrees with SheetJS's own calendar arithmetic, including 29 February.
    const leap = XLSX.SSF.parse_date_code(ws[`A${rows.length - SPECIAL.length + 3}`].v as number);
    assert.deepEqual([leap.y, leap.m, leap.d], [2024, 2, 29]);
  });

  it('Summary: every cell, totals as SUM formulas with their results', () => {
    const categories = byCategory(rows, exp.rowVat);
    const { cells, put } = grid();
    put(1, [text(TITLE)]);
    put(2, ['Category', 'Transactions', 'Money in', 'Money out', 'Net', 'VAT'].map(text));
    const totals = { count: 0, in: 0, out: 0, vat: 0 };
    categories.forEach((c, i) => {
      put(i + 3, [text(c.label), { t: 'n', v: c.count, z: '#,##0' }, money(c.in), money(c.out), money(c.in - c.out), money(c.vat)]);
      totals.count += c.count;
      totals.in += c.in;
      totals.out += c.out;
      totals.vat += c.vat;
    });
    const last = categories.length + 2;
    put(last + 1, [
      text('Total'),
      { t: 'n', v: totals.count, z: '#,##0', f: `SUM(B3:B${last})`, w: rows.length.toLocaleString('en-US') },
      sum(totals.in, `SUM(C3:C${last})`),
      sum(totals.out, `SUM(D3:D${last})`),
      sum(totals.in - totals.out, `SUM(E3:E${last})`),
      sum(totals.vat, `SUM(F3:F${last})`),
    ]);
    assert.equal(totals.in, exp.moneyIn);
    assert.equal(totals.vat, exp.output - exp.input);
    assertSheet(wb.Sheets.Summary, cells, 'Summary');
    assert.equal(wb.Sheets.Summary['!autofilter']?.ref, `A2:F${last}`);
  });

  it('Monthly: every cell, months as first-of-month dates shown as "mmm yyyy"', () => {
    const months = [...exp.months.keys()].sort();
    const { cells, put } = grid();
    put(1, [text(TITLE)]);
    put(2, ['Month', 'Income', 'Expenses', 'Net'].map(text));
    months.forEach((m, i) => {
      const e = exp.months.get(m)!;
      const shown = new Date(`${m}-01T00:00:00Z`).toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(',', '');
      put(i + 3, [{ t: 'n', v: serial(`${m}-01`), z: 'mmm yyyy', w: shown }, money(e.income), money(e.expenses), money(e.income - e.expenses)]);
    });
    const last = months.length + 2;
    put(last + 1, [
      text('Total'),
      sum(exp.moneyIn, `SUM(B3:B${last})`),
      sum(exp.moneyOut, `SUM(C3:C${last})`),
      sum(exp.moneyIn - exp.moneyOut, `SUM(D3:D${last})`),
    ]);
    assertSheet(wb.Sheets.Monthly, cells, 'Monthly');
  });

  it('VAT: every cell, the position referring to the totals row', () => {
    const vatable = byCategory(rows, exp.rowVat).filter((c) => c.vatable);
    assert.deepEqual(
      vatable.map((c) => c.label),
      ['Clothing', 'Dining', 'Fuel', 'GROCERIES', 'Travel'],
    );
    const { cells, put } = grid();
    put(1, [text(TITLE)]);
    put(2, ['Category', 'Money in (incl. VAT)', 'Output VAT', 'Money out (incl. VAT)', 'Input VAT', 'Net VAT'].map(text));
    const t = { in: 0, out: 0, output: 0, input: 0 };
    vatable.forEach((c, i) => {
      put(i + 3, [text(c.label), money(c.vatableIn), money(c.output), money(c.vatableOut), money(c.input), money(c.output - c.input)]);
      t.in += c.vatableIn;
      t.out += c.vatableOut;
      t.output += c.output;
      t.input += c.input;
    });
    const last = vatable.length + 2;
    const totalsRow = last + 1;
    put(totalsRow, [
      text('Total'),
      sum(t.in, `SUM(B3:B${last})`),
      sum(t.output, `SUM(C3:C${last})`),
      sum(t.out, `SUM(D3:D${last})`),
      sum(t.input, `SUM(E3:E${last})`),
      sum(t.output - t.input, `SUM(F3:F${last})`),
    ]);
    put(totalsRow + 2, [text('VAT position')]);
    put(totalsRow + 3, [text('VAT rate'), { t: 'n', v: 0.15, z: '0.00%', w: '15.00%' }]);
    put(totalsRow + 4, [text('Output VAT (on money in)'), sum(t.output, `C${totalsRow}`)]);
    put(totalsRow + 5, [text('Input VAT (on money out)'), sum(t.input, `E${totalsRow}`)]);
    put(totalsRow + 6, [text('Net VAT payable / (refundable)'), sum(t.output - t.input, `B${totalsRow + 4}-B${totalsRow + 5}`)]);
    put(totalsRow + 7, [text('VAT-able categories'), text(DEFAULT_VAT.vatCategories.join(', '))]);
    assert.equal(t.output, exp.output);
    assert.equal(t.input, exp.input);
    assertSheet(wb.Sheets.VAT, cells, 'VAT');
  });
});
