import assert from 'node:assert/strict';
import { rowPreparer } from '../../../domain/reports/rows';
import { SummaryAccumulator } from '../../../domain/reports/summary';
import type { RenderOptions, ReportRow } from '../../../domain/reports';
import { DEFAULT_VAT } from './helpers';

function accumulate(rows: ReportRow[], opts: RenderOptions): SummaryAccumulator {
  const prepare = rowPreparer(opts);
  const acc = new SummaryAccumulator();
  rows.forEach((r, i) => acc.add(prepare(r, i)));
  return acc;
}

const row = (date: string, category: string | null, amountCents: number): ReportRow => ({
  date,
  description: 'x',
  category,
  amountCents,
  balanceCents: null,
});

describe('reports: summary accumulator', () => {
  const opts: RenderOptions = { includeVat: true, vat: DEFAULT_VAT };

  it('groups categories case-insensitively under the first spelling seen, Uncategorized last', () => {
    const acc = accumulate(
      [
        row('2024-01-01', 'fuel', -11500),
        row('2024-01-02', null, 100),
        row('2024-01-03', ' FUEL ', -2300),
        row('2024-01-04', 'Bank Fees', -500),
        row('2024-01-05', '', 50),
        row('2024-01-06', 'Zebra', 1),
        row('2024-01-07', 'apples', 1),
      ],
      opts,
    );
    const list = acc.categoryList();
    assert.deepEqual(
      list.map((c) => [c.label, c.count]),
      [
        ['apples', 1],
        ['Bank Fees', 1],
        ['fuel', 2],
        ['Zebra', 1],
        ['Uncategorized', 2],
      ],
    );
    const fuel = list[2];
    assert.equal(fuel.moneyOutCents, 13800);
    assert.equal(fuel.vatInputCents, 1500 + 300); // 11500 -> 1500, 2300 -> 300
    assert.equal(fuel.vatOutputCents, 0);
  });

  it('counts VAT on income in a VAT-able category as output VAT, and none on other income', () => {
    const acc = accumulate(
      [row('2024-02-01', 'Groceries', 11500), row('2024-02-01', 'Salary', 1_150_000), row('2024-02-01', 'Groceries', -2300)],
      opts,
    );
    assert.deepEqual(acc.totals(), {
      moneyInCents: 1_161_500,
      moneyOutCents: 2300,
      netCents: 1_159_200,
      vatInputCents: 300,
      vatOutputCents: 1500,
    });
    const groceries = acc.categoryList().find((c) => c.label === 'Groceries')!;
    assert.equal(groceries.vatableInCents, 11500);
    assert.equal(groceries.vatableOutCents, 2300);
    assert.equal(acc.categoryList().find((c) => c.label === 'Salary')!.vatable, false);
  });

  it('computes no VAT at all without includeVat', () => {
    const acc = accumulate([row('2024-02-01', 'Fuel', -11500)], { ...opts, includeVat: false });
    assert.equal(acc.totals().vatInputCents, 0);
    assert.equal(acc.categoryList()[0].vatable, false);
  });

  it('orders months chronologically across a year end and ignores zero amounts in in/out', () => {
    const acc = accumulate(
      [row('2024-01-15', null, 500), row('2023-12-31', null, -200), row('2023-02-01', null, 0), row('2024-01-01', null, -1)],
      opts,
    );
    assert.deepEqual(acc.monthList(), [
      { month: '2023-02', count: 1, incomeCents: 0, expensesCents: 0 },
      { month: '2023-12', count: 1, incomeCents: 0, expensesCents: 200 },
      { month: '2024-01', count: 2, incomeCents: 500, expensesCents: 1 },
    ]);
    assert.equal(acc.rows, 4);
  });
});
