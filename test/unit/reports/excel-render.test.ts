import assert from 'node:assert/strict';
import type ExcelJS from 'exceljs';
import { renderExcelReport, type RenderOptions, type ReportRow } from '../../../activities/reports';
import { renderExcelReport as renderExcelInternal } from '../../../activities/reports/excel/workbook';
import { CATEGORY_ORDER, expectedFigures, makeRows } from './dataset';
import { DEFAULT_VAT, MemorySink, formulaOf, fromArray, loadWorkbook, plain } from './helpers';

const CURRENCY = '"R" #,##0.00';
const WITH_VAT: RenderOptions = { includeVat: true, vat: DEFAULT_VAT };

async function render(rows: ReportRow[], opts: RenderOptions, maxRowsPerSheet?: number) {
  const sink = new MemorySink();
  const outcome = await renderExcelInternal(fromArray(rows), sink, opts, { maxRowsPerSheet });
  assert.ok(sink.writableFinished, 'the sink must be ended and flushed when the promise resolves');
  return { outcome, wb: await loadWorkbook(sink.buffer) };
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  assert.ok(ws, `sheet ${name} exists`);
  return ws;
}

function rowValues(ws: ExcelJS.Worksheet, r: number, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => plain(ws.getRow(r).getCell(i + 1)));
}

function assertFrozen(ws: ExcelJS.Worksheet, ySplit: number): void {
  const view = ws.views[0] as { state?: string; ySplit?: number; xSplit?: number };
  assert.equal(view.state, 'frozen', `${ws.name} frozen`);
  assert.equal(view.ySplit, ySplit, `${ws.name} frozen rows`);
  assert.ok(!view.xSplit, `${ws.name} no frozen columns`);
}

describe('reports: Excel workbook', function () {
  this.timeout(60_000);

  describe('with VAT, 400 rows', () => {
    const rows = makeRows(400, 11);
    const exp = expectedFigures(rows, WITH_VAT);
    let wb: ExcelJS.Workbook;
    let outcome: Awaited<ReturnType<typeof render>>['outcome'];
    before(async () => {
      ({ wb, outcome } = await render(rows, WITH_VAT));
    });

    it('has Transactions, Summary, Monthly, VAT in that order and opens on Summary', () => {
      assert.deepEqual(
        wb.worksheets.map((w) => w.name),
        ['Transactions', 'Summary', 'Monthly', 'VAT'],
      );
      assert.equal(wb.views[0]?.activeTab, 1);
    });

    it('returns the row count and totals', () => {
      assert.equal(outcome.rowsWritten, 400);
      assert.deepEqual(outcome.totals, {
        moneyInCents: exp.moneyIn,
        moneyOutCents: exp.moneyOut,
        netCents: exp.moneyIn - exp.moneyOut,
        vatInputCents: exp.input,
        vatOutputCents: exp.output,
      });
      assert.ok(exp.input > 0 && exp.output > 0, 'dataset exercises both VAT directions');
    });

    it('Transactions: header, every value as a real date or number, formats, freeze, filter, widths', () => {
      const ws = sheet(wb, 'Transactions');
      assert.deepEqual(rowValues(ws, 1, 7), [
        'Date',
        'Description',
        'Category',
        'Amount',
        'Balance',
        'VAT Amount',
        'Amount excl. VAT',
      ]);
      assert.equal(ws.getRow(1).getCell(1).font?.bold, true);
      rows.forEach((r, i) => {
        const row = ws.getRow(i + 2);
        const [y, m, d] = r.date.split('-').map(Number);
        const date = row.getCell(1).value;
        assert.ok(date instanceof Date, `row ${i + 2} date is a Date`);
        assert.equal(date.getTime(), Date.UTC(y, m - 1, d));
        assert.equal(row.getCell(2).value, r.description);
        const cat = r.category?.trim() ? r.category.trim() : null;
        assert.equal(row.getCell(3).value ?? null, cat);
        assert.equal(row.getCell(4).value, r.amountCents / 100);
        assert.equal(row.getCell(5).value ?? null, r.balanceCents === null ? null : r.balanceCents / 100);
        assert.equal(row.getCell(6).value, exp.rowVat[i] / 100, `row ${i + 2} VAT`);
        assert.equal(row.getCell(7).value, (r.amountCents - exp.rowVat[i]) / 100);
      });
      assert.equal(ws.getRow(402).hasValues, false);
      const sample = ws.getRow(2);
      assert.equal(sample.getCell(1).numFmt, 'yyyy-mm-dd');
      for (const c of [4, 5, 6, 7]) assert.equal(sample.getCell(c).numFmt, CURRENCY, `column ${c} format`);
      assertFrozen(ws, 1);
      assert.equal(ws.autoFilter, 'A1:G401');
      assert.deepEqual(
        [1, 2, 3, 4, 5, 6, 7].map((c) => ws.getColumn(c).width),
        [12, 50, 22, 16, 16, 14, 18],
      );
    });

    it('Summary: one row per category (case-insensitive), Uncategorized last, totals as SUMs', () => {
      const ws = sheet(wb, 'Summary');
      assert.deepEqual(rowValues(ws, 1, 6), ['Category', 'Transactions', 'Money in', 'Money out', 'Net', 'VAT']);
      CATEGORY_ORDER.forEach((label, i) => {
        const e = exp.categories.get(label)!;
        assert.deepEqual(
          rowValues(ws, i + 2, 6),
          [label, e.count, e.inC / 100, e.outC / 100, (e.inC - e.outC) / 100, e.vatC / 100],
          label,
        );
      });
      const total = ws.getRow(CATEGORY_ORDER.length + 2);
      const last = CATEGORY_ORDER.length + 1;
      assert.deepEqual(rowValues(ws, total.number, 6), [
        'Total',
        400,
        exp.moneyIn / 100,
        exp.moneyOut / 100,
        (exp.moneyIn - exp.moneyOut) / 100,
        (exp.output - exp.input) / 100,
      ]);
      assert.equal(formulaOf(total.getCell(3)), `SUM(C2:C${last})`);
      assert.equal(formulaOf(total.getCell(6)), `SUM(F2:F${last})`);
      assert.equal(total.getCell(1).font?.bold, true);
      assert.equal(total.getCell(3).numFmt, CURRENCY, 'totals keep the currency format');
      assert.equal(ws.getRow(2).getCell(2).numFmt, '#,##0');
      for (const c of [3, 4, 5, 6]) assert.equal(ws.getRow(2).getCell(c).numFmt, CURRENCY);
      assertFrozen(ws, 1);
      assert.equal(ws.autoFilter, `A1:F${last}`, 'the filter leaves the totals row out');
      assert.ok((ws.getColumn(1).width ?? 0) >= 'Uncategorized'.length);
    });

    it('Monthly: one row per month in order, as first-of-month dates, with totals', () => {
      const ws = sheet(wb, 'Monthly');
      assert.deepEqual(rowValues(ws, 1, 4), ['Month', 'Income', 'Expenses', 'Net']);
      const months = [...exp.months.keys()].sort();
      assert.deepEqual(months, ['2023-11', '2023-12', '2024-01', '2024-02', '2024-03']);
      months.forEach((m, i) => {
        const e = exp.months.get(m)!;
        const row = ws.getRow(i + 2);
        const [y, mo] = m.split('-').map(Number);
        assert.equal((row.getCell(1).value as Date).getTime(), Date.UTC(y, mo - 1, 1));
        assert.equal(row.getCell(1).numFmt, 'mmm yyyy');
        assert.deepEqual(rowValues(ws, i + 2, 4).slice(1), [e.income / 100, e.expenses / 100, (e.income - e.expenses) / 100]);
        assert.equal(row.getCell(2).numFmt, CURRENCY);
      });
      assert.deepEqual(rowValues(ws, 7, 4), [
        'Total',
        exp.moneyIn / 100,
        exp.moneyOut / 100,
        (exp.moneyIn - exp.moneyOut) / 100,
      ]);
      assert.equal(formulaOf(ws.getRow(7).getCell(4)), 'SUM(D2:D6)');
      assertFrozen(ws, 1);
      assert.equal(ws.autoFilter, 'A1:D6');
    });

    it('VAT: per VAT-able category input and output, totals, and the net position', () => {
      const ws = sheet(wb, 'VAT');
      assert.deepEqual(rowValues(ws, 1, 6), [
        'Category',
        'Money in (incl. VAT)',
        'Output VAT',
        'Money out (incl. VAT)',
        'Input VAT',
        'Net VAT',
      ]);
      const vatable = CATEGORY_ORDER.filter((l) => exp.categories.get(l)!.vatable);
      assert.deepEqual(vatable, ['Clothing', 'Dining', 'Fuel', 'GROCERIES', 'Travel']);
      vatable.forEach((label, i) => {
        const e = exp.categories.get(label)!;
        assert.deepEqual(
          rowValues(ws, i + 2, 6),
          [label, e.vatInC / 100, e.outputC / 100, e.vatOutC / 100, e.inputC / 100, (e.outputC - e.inputC) / 100],
          label,
        );
      });
      const totalRow = vatable.length + 2;
      assert.equal(plain(ws.getRow(totalRow).getCell(1)), 'Total');
      assert.equal(plain(ws.getRow(totalRow).getCell(3)), exp.output / 100);
      assert.equal(plain(ws.getRow(totalRow).getCell(5)), exp.input / 100);
      assert.equal(ws.autoFilter, `A1:F${totalRow - 1}`);
      assertFrozen(ws, 1);

      const byLabel = new Map<string, ExcelJS.Row>();
      ws.eachRow((row) => {
        if (typeof row.getCell(1).value === 'string') byLabel.set(row.getCell(1).value as string, row);
      });
      assert.equal(byLabel.get('VAT rate')!.getCell(2).value, 0.15);
      assert.equal(byLabel.get('VAT rate')!.getCell(2).numFmt, '0.00%');
      assert.equal(plain(byLabel.get('Output VAT (on money in)')!.getCell(2)), exp.output / 100);
      assert.equal(plain(byLabel.get('Input VAT (on money out)')!.getCell(2)), exp.input / 100);
      const net = byLabel.get('Net VAT payable / (refundable)')!;
      assert.equal(plain(net.getCell(2)), (exp.output - exp.input) / 100);
      assert.match(formulaOf(net.getCell(2)) ?? '', /^B\d+-B\d+$/);
      assert.equal(net.getCell(2).numFmt, CURRENCY);
      assert.equal(byLabel.get('VAT-able categories')!.getCell(2).value, DEFAULT_VAT.vatCategories.join(', '));
    });
  });

  it('without VAT and with a title: no VAT columns or sheet, title row above a frozen header', async () => {
    const rows = makeRows(30, 5);
    const opts: RenderOptions = { includeVat: false, vat: DEFAULT_VAT, title: 'ACME (Pty) Ltd — March' };
    const exp = expectedFigures(rows, opts);
    const { wb, outcome } = await render(rows, opts);
    assert.deepEqual(
      wb.worksheets.map((w) => w.name),
      ['Transactions', 'Summary', 'Monthly'],
    );
    const tx = sheet(wb, 'Transactions');
    assert.equal(tx.getRow(1).getCell(1).value, 'ACME (Pty) Ltd — March');
    assert.deepEqual(rowValues(tx, 2, 6), ['Date', 'Description', 'Category', 'Amount', 'Balance', null]);
    assert.equal(tx.getRow(3).getCell(4).value, rows[0].amountCents / 100);
    assertFrozen(tx, 2);
    assert.equal(tx.autoFilter, 'A2:E32');
    const summary = sheet(wb, 'Summary');
    assert.deepEqual(rowValues(summary, 2, 6), ['Category', 'Transactions', 'Money in', 'Money out', 'Net', null]);
    assertFrozen(summary, 2);
    assert.equal(sheet(wb, 'Monthly').getRow(1).getCell(1).value, 'ACME (Pty) Ltd — March');
    assert.equal(outcome.totals.vatInputCents, 0);
    assert.equal(outcome.totals.vatOutputCents, 0);
    assert.equal(outcome.totals.netCents, exp.moneyIn - exp.moneyOut);
  });

  it('spills past the per-sheet row limit onto "Transactions (2)", ... with the same layout', async () => {
    const rows = makeRows(10, 3);
    const { wb, outcome } = await render(rows, WITH_VAT, 4);
    assert.deepEqual(
      wb.worksheets.map((w) => w.name),
      ['Transactions', 'Transactions (2)', 'Transactions (3)', 'Summary', 'Monthly', 'VAT'],
    );
    assert.equal(wb.views[0]?.activeTab, 3, 'still opens on Summary');
    const sheets = wb.worksheets.slice(0, 3);
    assert.deepEqual(
      sheets.map((s) => s.autoFilter),
      ['A1:G5', 'A1:G5', 'A1:G3'],
    );
    const descriptions = sheets.flatMap((s) => {
      assert.equal(s.getRow(1).getCell(1).value, 'Date');
      assertFrozen(s, 1);
      const out: unknown[] = [];
      s.eachRow((row, n) => n > 1 && out.push(row.getCell(2).value));
      return out;
    });
    assert.deepEqual(descriptions, rows.map((r) => r.description));
    assert.equal(outcome.rowsWritten, 10);
    assert.equal(plain(sheet(wb, 'Summary').getRow(CATEGORY_ORDER.length + 2).getCell(2)), 10);
  });

  it('renders an empty statement as headers and zero totals (no SUM over an empty range)', async () => {
    const { wb, outcome } = await render([], WITH_VAT);
    assert.equal(outcome.rowsWritten, 0);
    assert.deepEqual(outcome.totals, { moneyInCents: 0, moneyOutCents: 0, netCents: 0, vatInputCents: 0, vatOutputCents: 0 });
    assert.equal(sheet(wb, 'Transactions').autoFilter, 'A1:G1');
    const summary = sheet(wb, 'Summary');
    assert.deepEqual(rowValues(summary, 2, 6), ['Total', 0, 0, 0, 0, 0]);
    assert.equal(formulaOf(summary.getRow(2).getCell(3)), undefined);
    assert.equal(plain(sheet(wb, 'VAT').getRow(2).getCell(1)), 'Total');
  });

  it('keeps unicode, drops XML-illegal control characters and truncates over-long text to Excel\'s limit', async () => {
    const long = 'x'.repeat(32_766) + '🚀tail';
    const rows: ReportRow[] = [
      { date: '2024-05-01', description: 'Café — 日本 🍜 "quoted" <b> & co', category: 'Dining', amountCents: -100, balanceCents: null },
      { date: '2024-05-01', description: 'bell\u0007 nul\u0000 end', category: null, amountCents: 100, balanceCents: 0 },
      { date: '2024-05-01', description: long, category: null, amountCents: 100, balanceCents: 0 },
      { date: '2024-05-01', description: '=HYPERLINK("http://evil")', category: null, amountCents: 1, balanceCents: 0 },
    ];
    // (No entity-like text such as "&amp;" here: the file is right — exceljs writes
    // "&amp;amp;" — but exceljs's READER decodes it twice, so it could not be checked.)
    const { wb } = await render(rows, WITH_VAT);
    const tx = sheet(wb, 'Transactions');
    assert.equal(tx.getRow(2).getCell(2).value, 'Café — 日本 🍜 "quoted" <b> & co');
    assert.equal(tx.getRow(3).getCell(2).value, 'bell nul end');
    const truncated = tx.getRow(4).getCell(2).value as string;
    assert.equal(truncated.length, 32_766, 'the emoji straddling the limit is dropped whole');
    assert.equal(truncated, 'x'.repeat(32_766));
    // In xlsx a string cell is data, never a formula: it stays verbatim.
    assert.equal(tx.getRow(5).getCell(2).value, '=HYPERLINK("http://evil")');
    assert.equal(formulaOf(tx.getRow(5).getCell(2)), undefined);
  });

  it('applies the configured rate and categories, matching case-insensitively', async () => {
    const rows: ReportRow[] = [
      { date: '2024-06-01', description: 'a', category: 'DINING', amountCents: -10750, balanceCents: null },
      { date: '2024-06-02', description: 'b', category: 'Fuel', amountCents: -11500, balanceCents: null },
      { date: '2024-06-03', description: 'c', category: 'dining', amountCents: 2150, balanceCents: null },
    ];
    const opts: RenderOptions = { includeVat: true, vat: { ratePercent: 7.5, vatCategories: [' dining '] } };
    const { wb, outcome } = await render(rows, opts);
    const tx = sheet(wb, 'Transactions');
    assert.deepEqual(
      [2, 3, 4].map((r) => tx.getRow(r).getCell(6).value),
      [-7.5, 0, 1.5], // 10750 × 7.5 / 107.5 = 750; Fuel is not configured here; 2150 -> 150
    );
    assert.deepEqual(outcome.totals, {
      moneyInCents: 2150,
      moneyOutCents: 22250,
      netCents: -20100,
      vatInputCents: 750,
      vatOutputCents: 150,
    });
    const vat = sheet(wb, 'VAT');
    assert.deepEqual(rowValues(vat, 2, 6), ['DINING', 21.5, 1.5, 107.5, 7.5, -6]);
  });

  for (const [label, bad, message] of [
    ['an impossible date', { date: '2024-02-30' }, /row 2: date/],
    ['a non-ISO date', { date: '2024/02/01' }, /row 2: date/],
    ['a fractional amount', { amountCents: 12.5 }, /row 2: amountCents/],
    ['a NaN balance', { balanceCents: Number.NaN }, /row 2: balanceCents/],
  ] as const) {
    it(`rejects ${label} with a non-retryable REPORT_BAD_ROW error and does not end the sink`, async () => {
      const good: ReportRow = { date: '2024-02-01', description: 'ok', category: null, amountCents: 1, balanceCents: 1 };
      const sink = new MemorySink();
      await assert.rejects(
        renderExcelReport(fromArray([good, { ...good, ...bad }]), sink, WITH_VAT),
        (err: Error & { code?: string }) => {
          assert.equal(err.name, 'TaskInputError');
          assert.equal(err.code, 'REPORT_BAD_ROW');
          assert.match(err.message, message);
          return true;
        },
      );
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sink.writableEnded, false, 'a failed render must not look like a complete file');
    });
  }

  it('rejects invalid VAT settings before writing anything', async () => {
    const sink = new MemorySink();
    await assert.rejects(
      renderExcelReport(fromArray([]), sink, { includeVat: true, vat: { ratePercent: 150, vatCategories: [] } }),
      RangeError,
    );
    assert.equal(sink.writes, 0);
  });
});
