/**
 * Statements the running balance cannot check: a credit card's (Date | Description |
 * Amount, no balance column) is proven by its printed opening and closing balance and
 * totals instead; a statement with no transactions at all by its balances alone. Neither
 * may let an invoice through.
 */
import assert from 'node:assert/strict';
import { parseStatement } from '../../../domain/statements';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { page, rejects, table, type Spec } from './helpers';

const CARD_HEADER: [string, number, 'r'?][] = [['Transaction Date', 36], ['Description', 130], ['Amount', 480, 'r']];

function card(rows: (string | null)[][], closing: string): Spec[] {
  return [
    ['Mutual Card Services', 36, 60],
    ['Credit Card Statement', 36, 80],
    ['Statement period: 01/03/2024 to 31/03/2024', 36, 120],
    ['Opening Balance', 36, 140],
    ['R1,000.00', 480, 140, 'r'],
    ['Closing Balance', 36, 152],
    [closing, 480, 152, 'r'],
    ...table(CARD_HEADER, rows),
  ];
}

describe('statements: without a running balance', () => {
  it('reads a credit card statement and proves it by opening + sum = closing', () => {
    const p = parseStatement([
      page(1, card([
        ['02/03/2024', 'Coffee Shop', '-45.50'],
        ['05/03/2024', 'Payment received thank you', '500.00'],
        ['09/03/2024', 'Fuel Station', '-350.25'],
      ], 'R1,104.25')),
    ]);
    assert.deepEqual(p.transactions.map((t) => [t.date, t.amountCents, t.balanceCents]), [
      ['2024-03-02', -4550, null],
      ['2024-03-05', 50000, null],
      ['2024-03-09', -35025, null],
    ]);
    assert.equal(p.openingBalanceCents, 100000);
    assert.equal(p.closingBalanceCents, 110425);
    assert.equal(p.reconciled, true);
  });

  it('reads a card statement printed as a debt (purchases bare, payments Cr): money out negative, the balance owed negative', () => {
    const p = parseStatement([
      page(1, card([
        ['02/03/2024', 'Coffee Shop', '45.50'],
        ['05/03/2024', 'Payment received thank you', '500.00 Cr'],
        ['09/03/2024', 'Fuel Station', '350.25'],
      ], 'R895.75')),
    ]);
    assert.deepEqual(p.transactions.map((t) => t.amountCents), [-4550, 50000, -35025]);
    assert.equal(p.openingBalanceCents, -100000);
    assert.equal(p.closingBalanceCents, -89575);
    assert.equal(p.reconciled, true);
  });

  it('does not reconcile a card statement whose rows do not add up to its closing balance', () => {
    const p = parseStatement([page(1, card([['02/03/2024', 'Coffee Shop', '-45.50'], ['09/03/2024', 'Fuel Station', '-350.25']], 'R700.00'))]);
    assert.equal(p.reconciled, false);
    assert.ok(p.warnings.some((w) => w.code === 'OPENING_CLOSING_MISMATCH'));
  });

  it('refuses a date | description | amount table with no balances anywhere (an invoice)', async () => {
    const specs: Spec[] = [
      ['Acme Supplies', 36, 60],
      ['Tax Invoice 1234', 36, 80],
      ...table(CARD_HEADER, [['02/03/2024', 'Widgets', '45.50'], ['02/03/2024', 'Delivery', '100.00']]),
      ['Total due', 36, 300],
      ['R145.50', 480, 300, 'r'],
    ];
    await rejects(() => parseStatement([page(1, specs)]), TaskErrorCodes.NOT_A_STATEMENT);
  });

  it('reads a statement with no transactions: its opening and closing balance agree', () => {
    const p = parseStatement([
      page(1, [
        ['Mutual Savings Bank', 36, 60],
        ['Statement period: 01/03/2024 to 31/03/2024', 36, 120],
        ['Opening Balance', 36, 140],
        ['R2,500.00', 480, 140, 'r'],
        ['Closing Balance', 36, 152],
        ['R2,500.00', 480, 152, 'r'],
        ...table([['Date', 36], ['Description', 100], ['Amount', 400, 'r'], ['Balance', 500, 'r']], []),
        ['No transactions for this period', 100, 230],
      ]),
    ]);
    assert.equal(p.transactions.length, 0);
    assert.equal(p.openingBalanceCents, 250000);
    assert.equal(p.closingBalanceCents, 250000);
    assert.equal(p.reconciled, true);
  });
});
