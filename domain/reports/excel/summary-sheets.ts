/**
 * Summary (per category) and Monthly (per month) sheets, written after the transactions
 * from the accumulated figures. Money out and expenses are shown as positive magnitudes
 * with Net = in - out, the way a management summary reads; VAT per category is the VAT
 * contained in that category's net (signed like it), so the VAT column totals to the net
 * VAT position on the VAT sheet.
 */
import type { SummaryAccumulator } from '../summary';
import { excelSerial } from './cells';
import { fitWidth, type SheetColumn } from './layout';
import type { CellValue } from './sheet-xml';
import { TableSheet, type TotalCell } from './table-sheet';

export const SUMMARY_SHEET = 'Summary';
export const MONTHLY_SHEET = 'Monthly';

/** The Summary sheet's XML; `selected` because the workbook opens on it. */
export function summarySheetXml(summary: SummaryAccumulator, includeVat: boolean, title: string | undefined): string {
  const categories = summary.categoryList();
  const columns: SheetColumn[] = [
    { header: 'Category', width: fitWidth(categories.map((c) => c.label), 16, 40) },
    { header: 'Transactions', width: 14, format: 'count' },
    { header: 'Money in', width: 16, format: 'currency' },
    { header: 'Money out', width: 16, format: 'currency' },
    { header: 'Net', width: 16, format: 'currency' },
  ];
  if (includeVat) columns.push({ header: 'VAT', width: 14, format: 'currency' });
  const sheet = new TableSheet(columns, title, true);

  const totals = { count: 0, in: 0, out: 0, vat: 0 };
  for (const c of categories) {
    const vat = c.vatOutputCents - c.vatInputCents;
    const values: CellValue[] = [
      c.label,
      c.count,
      c.moneyInCents / 100,
      c.moneyOutCents / 100,
      (c.moneyInCents - c.moneyOutCents) / 100,
    ];
    if (includeVat) values.push(vat / 100);
    sheet.addDataRow(values);
    totals.count += c.count;
    totals.in += c.moneyInCents;
    totals.out += c.moneyOutCents;
    totals.vat += vat;
  }
  const cells: TotalCell[] = [
    'Total',
    { sum: totals.count },
    { sum: totals.in / 100 },
    { sum: totals.out / 100 },
    { sum: (totals.in - totals.out) / 100 },
  ];
  if (includeVat) cells.push({ sum: totals.vat / 100 });
  sheet.addTotalsRow(cells);
  return sheet.xml();
}

export function monthlySheetXml(summary: SummaryAccumulator, title: string | undefined): string {
  const months = summary.monthList();
  const sheet = new TableSheet(
    [
      { header: 'Month', width: 12, format: 'month' },
      { header: 'Income', width: 16, format: 'currency' },
      { header: 'Expenses', width: 16, format: 'currency' },
      { header: 'Net', width: 16, format: 'currency' },
    ],
    title,
  );
  let income = 0;
  let expenses = 0;
  for (const m of months) {
    // The first of the month as a real date: sortable and filterable as a date in Excel.
    const first = excelSerial(Date.UTC(+m.month.slice(0, 4), +m.month.slice(5, 7) - 1, 1));
    sheet.addDataRow([first, m.incomeCents / 100, m.expensesCents / 100, (m.incomeCents - m.expensesCents) / 100]);
    income += m.incomeCents;
    expenses += m.expensesCents;
  }
  sheet.addTotalsRow(['Total', { sum: income / 100 }, { sum: expenses / 100 }, { sum: (income - expenses) / 100 }]);
  return sheet.xml();
}
