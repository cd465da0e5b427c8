/**
 * A deterministic statement and the figures every sheet should show for it, computed
 * here with plain loops and the test-side VAT oracle — sharing no code with the renderer.
 */
import type { RenderOptions, ReportRow } from '../../../domain/reports';
import { oracleVat } from './helpers';
import { rng } from '../../support/random';

/** First spellings seen, fixed by the first rows of makeRows(). */
export const CATEGORY_ORDER = [
  'Bank Fees',
  'Clothing',
  'Dining',
  'Fuel',
  'GROCERIES',
  'Rent',
  'Salary',
  'Travel',
  'Uncategorized',
];

const SPELLINGS: Array<string | null> = [
  'Fuel',
  'fuel',
  ' FUEL ',
  'GROCERIES',
  'Groceries',
  'Salary',
  'Rent',
  'Bank Fees',
  'Dining',
  'Travel',
  'Clothing',
  null,
  '',
  '  ',
];
const DESCRIPTIONS = ['POS Shell Garage', 'Woolworths Café', 'EFT salary', '日本 ramen 🍜', 'Debit order, "gym"', 'FNB fee'];
const MONTHS = ['2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];

export function makeRows(n: number, seed = 1): ReportRow[] {
  const next = rng(seed);
  // The first rows pin the first-seen spelling of every category (see CATEGORY_ORDER).
  const rows: ReportRow[] = [
    { date: '2024-01-02', description: 'Opening fuel', category: 'Fuel', amountCents: -50000, balanceCents: 950000 },
    { date: '2024-01-02', description: 'Groceries', category: 'GROCERIES', amountCents: -11500, balanceCents: 938500 },
    { date: '2024-01-03', description: 'Pay', category: 'Salary', amountCents: 2500000, balanceCents: 3438500 },
    { date: '2024-01-04', description: 'Rent', category: 'Rent', amountCents: -900000, balanceCents: 2538500 },
    { date: '2024-01-05', description: 'Fee', category: 'Bank Fees', amountCents: -550, balanceCents: null },
    { date: '2024-01-06', description: 'Dinner', category: 'Dining', amountCents: -34567, balanceCents: null },
    { date: '2024-01-06', description: 'Flight', category: 'Travel', amountCents: -123456, balanceCents: null },
    { date: '2024-01-07', description: 'Jeans', category: 'Clothing', amountCents: -79999, balanceCents: null },
    { date: '2024-01-08', description: 'Unknown', category: null, amountCents: 1, balanceCents: null },
  ];
  let balance = 100000;
  while (rows.length < n) {
    const month = MONTHS[Math.floor(next() * MONTHS.length)];
    const day = 1 + Math.floor(next() * 28);
    const sign = next() < 0.3 ? 1 : -1;
    const magnitude = next() < 0.05 ? 0 : Math.floor(next() * 10 ** (1 + Math.floor(next() * 6)));
    const amount = magnitude === 0 ? 0 : sign * magnitude; // never -0: a database never returns one
    balance += amount;
    rows.push({
      date: `${month}-${String(day).padStart(2, '0')}`,
      description: DESCRIPTIONS[Math.floor(next() * DESCRIPTIONS.length)],
      category: SPELLINGS[Math.floor(next() * SPELLINGS.length)],
      amountCents: amount,
      balanceCents: next() < 0.1 ? null : balance,
    });
  }
  return rows;
}

export interface ExpectedCategory {
  count: number;
  inC: number;
  outC: number;
  vatC: number;
  vatable: boolean;
  vatInC: number;
  vatOutC: number;
  outputC: number;
  inputC: number;
}

export interface Expected {
  rowVat: number[];
  categories: Map<string, ExpectedCategory>;
  months: Map<string, { income: number; expenses: number }>;
  moneyIn: number;
  moneyOut: number;
  output: number;
  input: number;
}

export function expectedFigures(rows: readonly ReportRow[], opts: RenderOptions): Expected {
  const vatKeys = opts.vat.vatCategories.map((c) => c.trim().toLowerCase());
  const categories = new Map<string, ExpectedCategory>();
  const months = new Map<string, { income: number; expenses: number }>();
  const rowVat: number[] = [];
  let moneyIn = 0;
  let moneyOut = 0;
  let output = 0;
  let input = 0;
  for (const r of rows) {
    const key = (r.category ?? '').trim().toLowerCase();
    const vatable = opts.includeVat && key !== '' && vatKeys.includes(key);
    const vat = vatable ? oracleVat(r.amountCents, opts.vat.ratePercent) : 0;
    rowVat.push(vat);
    // Keyed by the label CATEGORY_ORDER uses.
    const label = key === '' ? 'Uncategorized' : CATEGORY_ORDER.find((l) => l.toLowerCase() === key)!;
    const c = categories.get(label) ?? { count: 0, inC: 0, outC: 0, vatC: 0, vatable: false, vatInC: 0, vatOutC: 0, outputC: 0, inputC: 0 };
    c.count += 1;
    if (r.amountCents > 0) c.inC += r.amountCents;
    if (r.amountCents < 0) c.outC += -r.amountCents;
    c.vatC += vat;
    if (vatable) {
      c.vatable = true;
      if (r.amountCents > 0) {
        c.vatInC += r.amountCents;
        c.outputC += vat;
        output += vat;
      } else if (r.amountCents < 0) {
        c.vatOutC += -r.amountCents;
        c.inputC += -vat;
        input += -vat;
      }
    }
    categories.set(label, c);
    const m = months.get(r.date.slice(0, 7)) ?? { income: 0, expenses: 0 };
    if (r.amountCents > 0) m.income += r.amountCents;
    if (r.amountCents < 0) m.expenses += -r.amountCents;
    months.set(r.date.slice(0, 7), m);
    if (r.amountCents > 0) moneyIn += r.amountCents;
    if (r.amountCents < 0) moneyOut += -r.amountCents;
  }
  return { rowVat, categories, months, moneyIn, moneyOut, output, input };
}
