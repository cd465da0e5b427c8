import assert from 'node:assert/strict';
import { renderExcelReport, type RenderOptions, type ReportRow } from '../../../domain/reports';
import { CATEGORY_ORDER, expectedFigures, makeRows } from './dataset';
import { WITH_VAT, assertFrozen, render, rowValues, sheet } from './excel-helpers';
import { DEFAULT_VAT, MemorySink, formulaOf, fromArray, plain, zipEntryText } from './helpers';

describe('reports: Excel workbook options and edge cases', function () {
  this.timeout(60_000);

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
    rows.push({ date: '2024-05-01', description: 'A &amp; B', category: null, amountCents: 1, balanceCents: 0 });
    rows.push({ date: '2024-05-01', description: '  padded\tcr\rlf\ncrlf\r\n ', category: null, amountCents: 1, balanceCents: 0 });
    const { wb, bytes } = await render(rows, WITH_VAT);
    // Entity-like text is escaped once more, not passed through as markup.
    assert.ok(zipEntryText(bytes, 'xl/worksheets/sheet1.xml').includes('<t>A &amp;amp; B</t>'));
    const tx = sheet(wb, 'Transactions');
    assert.equal(tx.getRow(6).getCell(2).value, 'A &amp; B');
    // A parser turns a literal CR into LF and Excel trims unpreserved outer spaces: both survive.
    assert.equal(tx.getRow(7).getCell(2).value, '  padded\tcr\rlf\ncrlf\r\n ');
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
