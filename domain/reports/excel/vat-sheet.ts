/**
 * The VAT sheet: per VAT-able category, the VAT-inclusive money in and out and the VAT in
 * each, then the position an accountant carries to the return: output VAT - input VAT,
 * positive = payable, negative = refundable. See summary.ts for why money in in a
 * VAT-able category counts as output VAT.
 */
import type ExcelJS from 'exceljs';
import type { SummaryAccumulator } from '../summary';
import type { VatSettings } from '../types';
import {
  CURRENCY_FORMAT,
  PERCENT_FORMAT,
  TOTAL_BORDER,
  TOTAL_FONT,
  addTotalsRow,
  clampText,
  fitWidth,
  setAutoFilter,
  startSheet,
} from './layout';

export const VAT_SHEET = 'VAT';

export const VAT_POSITION_LABELS = {
  heading: 'VAT position',
  rate: 'VAT rate',
  output: 'Output VAT (on money in)',
  input: 'Input VAT (on money out)',
  net: 'Net VAT payable / (refundable)',
  categories: 'VAT-able categories',
} as const;

export function writeVatSheet(
  wb: ExcelJS.Workbook,
  summary: SummaryAccumulator,
  vat: VatSettings,
  title: string | undefined,
): void {
  const categories = summary.categoryList().filter((c) => c.vatable);
  const labels = Object.values(VAT_POSITION_LABELS);
  const layout = startSheet(
    wb,
    VAT_SHEET,
    [
      // Column A also carries the position labels below the table, so fit those too.
      { header: 'Category', width: fitWidth([...categories.map((c) => c.label), ...labels], 16, 40) },
      { header: 'Money in (incl. VAT)', width: 20, numFmt: CURRENCY_FORMAT },
      { header: 'Output VAT', width: 16, numFmt: CURRENCY_FORMAT },
      { header: 'Money out (incl. VAT)', width: 21, numFmt: CURRENCY_FORMAT },
      { header: 'Input VAT', width: 16, numFmt: CURRENCY_FORMAT },
      { header: 'Net VAT', width: 16, numFmt: CURRENCY_FORMAT },
    ],
    title,
  );
  const { ws } = layout;

  const t = { in: 0, out: 0, output: 0, input: 0 };
  for (const c of categories) {
    ws.addRow([
      clampText(c.label),
      c.vatableInCents / 100,
      c.vatOutputCents / 100,
      c.vatableOutCents / 100,
      c.vatInputCents / 100,
      (c.vatOutputCents - c.vatInputCents) / 100,
    ]).commit();
    t.in += c.vatableInCents;
    t.out += c.vatableOutCents;
    t.output += c.vatOutputCents;
    t.input += c.vatInputCents;
  }
  const lastDataRow = layout.headerRow + categories.length;
  setAutoFilter(layout, lastDataRow);
  const totalsRow = addTotalsRow(layout, lastDataRow, [
    'Total',
    { sum: t.in / 100 },
    { sum: t.output / 100 },
    { sum: t.out / 100 },
    { sum: t.input / 100 },
    { sum: (t.output - t.input) / 100 },
  ]);
  const totalsRowNumber = totalsRow.number;
  totalsRow.commit();

  ws.addRow([]).commit();
  const heading = ws.addRow([VAT_POSITION_LABELS.heading]);
  heading.getCell(1).font = TOTAL_FONT;
  heading.commit();

  const rate = ws.addRow([VAT_POSITION_LABELS.rate, vat.ratePercent / 100]);
  rate.getCell(2).numFmt = PERCENT_FORMAT;
  rate.commit();

  // Output and input point at the table's totals, so editing a row flows through.
  const outputRow = ws.addRow([
    VAT_POSITION_LABELS.output,
    { formula: `C${totalsRowNumber}`, result: t.output / 100 },
  ]);
  const outputRowNumber = outputRow.number;
  outputRow.commit();
  const inputRow = ws.addRow([VAT_POSITION_LABELS.input, { formula: `E${totalsRowNumber}`, result: t.input / 100 }]);
  const inputRowNumber = inputRow.number;
  inputRow.commit();

  const net = ws.addRow([
    VAT_POSITION_LABELS.net,
    { formula: `B${outputRowNumber}-B${inputRowNumber}`, result: (t.output - t.input) / 100 },
  ]);
  for (const i of [1, 2]) {
    net.getCell(i).font = TOTAL_FONT;
    net.getCell(i).border = TOTAL_BORDER;
  }
  net.commit();

  ws.addRow([VAT_POSITION_LABELS.categories, clampText(vat.vatCategories.join(', '))]).commit();
  ws.commit();
}
