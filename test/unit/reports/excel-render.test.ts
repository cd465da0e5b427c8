import assert from 'node:assert/strict';
import type ExcelJS from 'exceljs';
import { CATEGORY_ORDER, expectedFigures, makeRows } from './dataset';
import { CURRENCY, WITH_VAT, assertFrozen, render, rowValues, sheet } from './excel-helpers';
import { DEFAULT_VAT, formulaOf, plain, zipEntryText } from './helpers';

describe('reports: Excel workbook', function () {
  this.timeout(60_000);

  describe('with VAT, 400 rows', () => {
    const rows = makeRows(400, 11);
    const exp = expectedFigures(rows, WITH_VAT);
    let wb: ExcelJS.Workbook;
    let bytes: Buffer;
    let outcome: Awaited<ReturnType<typeof render>>['outcome'];
    before(async () => {
      ({ wb, outcome, bytes } = await render(rows, WITH_VAT));
    });

    it('has Transactions, Summary, Monthly, VAT in that order and opens on Summary', () => {
      assert.deepEqual(
        wb.worksheets.map((w) => w.name),
        ['Transactions', 'Summary', 'Monthly', 'VAT'],
      );
      assert.equal(wb.views[0]?.activeTab, 1);
      // exceljs's reader drops tabSelected, so read the sheet XML: it must agree with activeTab.
      const selected = [1, 2, 3, 4].map((n) => /<sheetView[^>]*tabSelected="1"/.test(zipEntryText(bytes, `xl/worksheets/sheet${n}.xml`)));
      assert.deepEqual(selected, [false, true, false, false], 'only the Summary tab is selected');
      assert.match(zipEntryText(bytes, 'xl/workbook.xml'), /<workbookView[^>]*activeTab="1"/);
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
});
