/**
 * Summary (per category) and Monthly (per month) sheets, written after the transactions
 * from the accumulated figures. Money out and expenses are shown as positive magnitudes
 * with Net = in - out, the way a management summary reads; VAT per category is the VAT
 * contained in that category's net (signed like it), so the VAT column totals to the net
 * VAT position on the VAT sheet.
 */
import type ExcelJS from 'exceljs';
import type { SummaryAccumulator } from '../summary';
import {
  COUNT_FORMAT,
  CURRENCY_FORMAT,
  MONTH_FORMAT,
  addTotalsRow,
  clampText,
  fitWidth,
  setAutoFilter,
  startSheet,
  type SheetColumn,
  type TotalCell,
} from './layout';

export const SUMMARY_SHEET = 'Summary';
export const MONTHLY_SHEET = 'Monthly';

export function writeSummarySheet(
  wb: ExcelJS.Workbook,
  summary: SummaryAccumulator,
  includeVat: boolean,
  title: string | undefined,
): void {
  const categories = summary.categoryList();
  const columns: SheetColumn[] = [
    { header: 'Category', width: fitWidth(categories.map((c) => c.label), 16, 40) },
    { header: 'Transactions', width: 14, numFmt: COUNT_FORMAT },
    { header: 'Money in', width: 16, numFmt: CURRENCY_FORMAT },
    { header: 'Money out', width: 16, numFmt: CURRENCY_FORMAT },
    { header: 'Net', width: 16, numFmt: CURRENCY_FORMAT },
  ];
  if (includeVat) columns.push({ header: 'VAT', width: 14, numFmt: CURRENCY_FORMAT });
  const layout = startSheet(wb, SUMMARY_SHEET, columns, title, true);

  const totals = { count: 0, in: 0, out: 0, vat: 0 };
  for (const c of categories) {
    const vat = c.vatOutputCents - c.vatInputCents;
    const values: ExcelJS.CellValue[] = [
      clampText(c.label),
      c.count,
      c.moneyInCents / 100,
      c.moneyOutCents / 100,
      (c.moneyInCents - c.moneyOutCents) / 100,
    ];
    if (includeVat) values.push(vat / 100);
    layout.ws.addRow(values).commit();
    totals.count += c.count;
    totals.in += c.moneyInCents;
    totals.out += c.moneyOutCents;
    totals.vat += vat;
  }
  const lastDataRow = layout.headerRow + categories.length;
  setAutoFilter(layout, lastDataRow);
  const cells: TotalCell[] = [
    'Total',
    { sum: totals.count },
    { sum: totals.in / 100 },
    { sum: totals.out / 100 },
    { sum: (totals.in - totals.out) / 100 },
  ];
  if (includeVat) cells.push({ sum: totals.vat / 100 });
  addTotalsRow(layout, lastDataRow, cells).commit();
  layout.ws.commit();
}

export function writeMonthlySheet(wb: ExcelJS.Workbook, summary: SummaryAccumulator, title: string | undefined): void {
  const months = summary.monthList();
  const layout = startSheet(
    wb,
    MONTHLY_SHEET,
    [
      { header: 'Month', width: 12, numFmt: MONTH_FORMAT },
      { header: 'Income', width: 16, numFmt: CURRENCY_FORMAT },
      { header: 'Expenses', width: 16, numFmt: CURRENCY_FORMAT },
      { header: 'Net', width: 16, numFmt: CURRENCY_FORMAT },
    ],
    title,
  );
  let income = 0;
  let expenses = 0;
  for (const m of months) {
    // The first of the month as a real date: sortable and filterable as a date in Excel.
    const first = new Date(Date.UTC(+m.month.slice(0, 4), +m.month.slice(5, 7) - 1, 1));
    layout.ws
      .addRow([first, m.incomeCents / 100, m.expensesCents / 100, (m.incomeCents - m.expensesCents) / 100])
      .commit();
    income += m.incomeCents;
    expenses += m.expensesCents;
  }
  const lastDataRow = layout.headerRow + months.length;
  setAutoFilter(layout, lastDataRow);
  addTotalsRow(layout, lastDataRow, [
    'Total',
    { sum: income / 100 },
    { sum: expenses / 100 },
    { sum: (income - expenses) / 100 },
  ]).commit();
  layout.ws.commit();
}
