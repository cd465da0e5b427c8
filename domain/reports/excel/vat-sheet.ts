/**
 * The VAT sheet: per VAT-able category, the VAT-inclusive money in and out and the VAT in
 * each, then the position an accountant carries to the return: output VAT - input VAT,
 * positive = payable, negative = refundable. See summary.ts for why money in in a
 * VAT-able category counts as output VAT.
 */
import type { SummaryAccumulator } from '../summary';
import type { VatSettings } from '../types';
import { fitWidth } from './layout';
import { TableSheet } from './table-sheet';

export const VAT_SHEET = 'VAT';

export const VAT_POSITION_LABELS = {
  heading: 'VAT position',
  rate: 'VAT rate',
  output: 'Output VAT (on money in)',
  input: 'Input VAT (on money out)',
  net: 'Net VAT payable / (refundable)',
  categories: 'VAT-able categories',
} as const;

export function vatSheetXml(summary: SummaryAccumulator, vat: VatSettings, title: string | undefined): string {
  const categories = summary.categoryList().filter((c) => c.vatable);
  const labels = Object.values(VAT_POSITION_LABELS);
  const sheet = new TableSheet(
    [
      // Column A also carries the position labels below the table, so fit those too.
      { header: 'Category', width: fitWidth([...categories.map((c) => c.label), ...labels], 16, 40) },
      { header: 'Money in (incl. VAT)', width: 20, format: 'currency' },
      { header: 'Output VAT', width: 16, format: 'currency' },
      { header: 'Money out (incl. VAT)', width: 21, format: 'currency' },
      { header: 'Input VAT', width: 16, format: 'currency' },
      { header: 'Net VAT', width: 16, format: 'currency' },
    ],
    title,
  );

  const t = { in: 0, out: 0, output: 0, input: 0 };
  for (const c of categories) {
    sheet.addDataRow([
      c.label,
      c.vatableInCents / 100,
      c.vatOutputCents / 100,
      c.vatableOutCents / 100,
      c.vatInputCents / 100,
      (c.vatOutputCents - c.vatInputCents) / 100,
    ]);
    t.in += c.vatableInCents;
    t.out += c.vatableOutCents;
    t.output += c.vatOutputCents;
    t.input += c.vatInputCents;
  }
  const totalsRow = sheet.addTotalsRow([
    'Total',
    { sum: t.in / 100 },
    { sum: t.output / 100 },
    { sum: t.out / 100 },
    { sum: t.input / 100 },
    { sum: (t.output - t.input) / 100 },
  ]);

  sheet.skipRow();
  sheet.addRow([VAT_POSITION_LABELS.heading], ['bold']);
  sheet.addRow([VAT_POSITION_LABELS.rate, vat.ratePercent / 100], [undefined, 'percent']);
  // Output and input point at the table's totals, so editing a row flows through.
  const outputRow = sheet.addRow([VAT_POSITION_LABELS.output, { formula: `C${totalsRow}`, result: t.output / 100 }]);
  const inputRow = sheet.addRow([VAT_POSITION_LABELS.input, { formula: `E${totalsRow}`, result: t.input / 100 }]);
  sheet.addRow(
    [VAT_POSITION_LABELS.net, { formula: `B${outputRow}-B${inputRow}`, result: (t.output - t.input) / 100 }],
    ['total', 'totalCurrency'],
  );
  sheet.addRow([VAT_POSITION_LABELS.categories, vat.vatCategories.join(', ')]);
  return sheet.xml();
}
