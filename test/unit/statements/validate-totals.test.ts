/**
 * The printed totals and counts against the rows read, on hand-built entries: banks total
 * fees with or without the debits, and a row with a fee taken from it gross or net, so
 * every one of those readings must pass, and a figure that matches none must not.
 */
import assert from 'node:assert/strict';
import type { Entry } from '../../../domain/statements/parse/resolve';
import type { SummaryField } from '../../../domain/statements/parse/summary';
import { validate } from '../../../domain/statements/parse/validate';

let line = 10;
function tx(amountCents: number, balanceCents: number | null, extra: { fee?: true; feeCents?: number } = {}): Entry {
  line += 1;
  const t = { seq: 0, date: '2024-01-02', description: 'row', amountCents, balanceCents, page: 1, line, rawText: 'row' };
  return extra.fee ? { type: 'tx', fee: true, tx: t } : { type: 'tx', fee: false, feeCents: extra.feeCents ?? 0, tx: t };
}

// Opening R10.00. A credit; a debit of R3.00 with a R0.50 fee taken with it; a fee row of
// R0.20; a credit of R5.00 with R0.10 taken from it.
const entries: Entry[] = [tx(1000, 2000), tx(-350, 1650, { feeCents: 50 }), tx(-20, 1630, { fee: true }), tx(490, 2120, { feeCents: 10 })];

const READINGS: Record<Exclude<SummaryField, 'opening' | 'closing'>, number[]> = {
  totalCredits: [1490, 1500], // net, gross
  totalDebits: [350, 370, 300, 380], // without the fee row, with it, gross, gross with every fee
  totalFees: [80], // the fee row and the fees taken with rows
  creditCount: [2],
  debitCount: [1, 2],
  transactionCount: [3, 4], // without the fee row, with it
};

const check = (field: SummaryField, value: number) =>
  validate({ entries, printed: { opening: [{ value: 1000, page: 1, line: 2 }], [field]: [{ value, page: 1, line: 40 }] }, skippedCount: 0 });

describe('statements: printed totals and counts', () => {
  for (const [field, values] of Object.entries(READINGS) as [SummaryField, number[]][]) {
    it(`accepts each reading of ${field} (${values.join(', ')}), printed with either sign`, () => {
      for (const v of values) {
        for (const printed of [v, -v]) {
          const r = check(field, printed);
          assert.deepEqual(r.warnings, [], `${field} printed as ${printed}`);
          assert.equal(r.reconciled, true);
        }
      }
    });
  }

  it('reports a total that matches no reading, with the figure the rows give', () => {
    const r = check('totalDebits', 360);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.line]),
      [['TOTAL_MISMATCH', 40]],
    );
    assert.match(r.warnings[0].message, /total of debits is R3\.60 but the transactions read give R3\.80/);
    assert.equal(r.reconciled, false);
  });

  it('reports a count that matches no reading', () => {
    for (const [field, wrong] of [['creditCount', 3], ['debitCount', 3], ['transactionCount', 2], ['totalFees', 60], ['totalCredits', 1000]] as const) {
      const r = check(field, wrong);
      assert.equal(r.warnings.length, 1, field);
      assert.match(r.warnings[0].code, /^(TOTAL|COUNT)_MISMATCH$/);
    }
  });

  it('takes the closing balance from the last row that prints one', () => {
    const r = validate({ entries: [...entries, tx(-100, null)], printed: {}, skippedCount: 0 });
    assert.equal(r.closingCents, 2120);
  });
});
