/**
 * Reading and checking rows, on hand-built pages: the balance decides ambiguous signs and
 * fees, breaks are reported where they are (never fixed), printed totals and counts are
 * compared, unreadable rows are set aside with their text.
 */
import assert from 'node:assert/strict';
import { parseStatement, type ParsedStatement } from '../../../domain/statements';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { page, rejects, table, type Spec } from './helpers';

const HEADER: [string, number, 'r'?][] = [['Date', 36], ['Description', 100], ['Amount', 400, 'r'], ['Balance', 500, 'r']];
const TOP: Spec[] = [
  ['Mutual Savings Bank', 36, 60],
  ['Statement period: 01/01/2024 to 31/01/2024', 36, 120],
  ['Opening Balance: R1,000.00', 36, 140],
];
const rows = (...r: (string | null)[][]) => table(HEADER, r);
const parse = (...specs: Spec[][]): ParsedStatement => parseStatement(specs.map((s, i) => page(i + 1, s)));
const amounts = (p: ParsedStatement) => p.transactions.map((t) => t.amountCents);
const codes = (p: ParsedStatement) => p.warnings.map((w) => w.code);

describe('statements: signs, fees and the balance chain', () => {
  it('lets the balance decide the sign of bare amounts', () => {
    const p = parse([
      ...TOP,
      ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Rent', '200.00', '1,300.00'], ['04/01/2024', 'Coffee', '35.50', '1,264.50']),
    ]);
    assert.deepEqual(amounts(p), [50000, -20000, -3550]);
    assert.equal(p.bankSource, 'Other bank');
    assert.equal(p.openingBalanceCents, 100000);
    assert.equal(p.closingBalanceCents, 126450);
    assert.deepEqual([p.periodStart, p.periodEnd], ['2024-01-01', '2024-01-31']);
    assert.deepEqual(p.warnings, []);
    assert.equal(p.reconciled, true);
  });

  it('says so when nothing can decide a sign, and does not call that reconciled', () => {
    const p = parse([TOP[0], TOP[1], ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Rent', '200.00', '1,300.00'])]);
    assert.deepEqual(codes(p), ['SIGN_ASSUMED']);
    assert.equal(p.warnings[0].line, 4, 'the first row, under the header on line 3');
    assert.deepEqual(amounts(p), [50000, -20000]);
    assert.equal(p.reconciled, false);
  });

  it('reports a row that breaks the chain at its page and line, and does not fix it', () => {
    const p = parse([
      ...TOP,
      ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Rent', '-200.00', '1,400.00'], ['04/01/2024', 'Coffee', '-35.50', '1,364.50']),
    ]);
    assert.deepEqual(amounts(p), [50000, -20000, -3550], 'amounts as printed');
    assert.deepEqual(p.transactions.map((t) => t.balanceCents), [150000, 140000, 136450], 'balances as printed');
    assert.deepEqual(codes(p), ['BALANCE_MISMATCH', 'OPENING_CLOSING_MISMATCH']);
    const w = p.warnings[0];
    assert.deepEqual([w.page, w.line], [1, 6]);
    assert.match(w.message, /R1,500\.00 \+ -R200\.00 = R1,300\.00, but the statement shows R1,400\.00/);
    assert.equal(p.reconciled, false);
  });

  it('compares the totals and counts the bank prints', () => {
    const p = parse([
      ...TOP,
      ['Total Debits', 36, 150],
      ['235.50', 200, 150, 'r'],
      ['Total Credits', 36, 160],
      ['600.00', 200, 160, 'r'],
      ['Number of debits', 250, 150],
      ['2', 360, 150, 'r'],
      ['Number of credits', 250, 160],
      ['2', 360, 160, 'r'],
      ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Rent', '-200.00', '1,300.00'], ['04/01/2024', 'Coffee', '-35.50', '1,264.50']),
    ]);
    assert.deepEqual(codes(p).sort(), ['COUNT_MISMATCH', 'TOTAL_MISMATCH']);
    const total = p.warnings.find((w) => w.code === 'TOTAL_MISMATCH')!;
    assert.match(total.message, /total of credits is R600\.00 but the transactions read give R500\.00/);
    assert.equal(total.line, 5);
    assert.equal(p.reconciled, false);
  });

  it('checks brought- and carried-forward rows against the chain', () => {
    const header: Spec[] = HEADER.map(([t, x, a]) => [t, x, 50, a]);
    const p = parse(
      [...TOP, ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], [null, 'Balance carried forward', null, '1,500.00'])],
      [...header, ['Balance brought forward', 100, 64], ['1,600.00', 500, 64, 'r'], ['05/01/2024', 36, 76], ['Rent', 100, 76], ['-200.00', 400, 76, 'r'], ['1,300.00', 500, 76, 'r']],
    );
    assert.deepEqual(amounts(p), [50000, -20000]);
    const w = p.warnings.find((x) => x.code === 'BROUGHT_FORWARD_MISMATCH')!;
    assert.deepEqual([w.page, w.line], [2, 2]);
    assert.ok(codes(p).includes('BALANCE_MISMATCH'), 'and the row after it, which follows from the true balance');
  });

  it('decides per row whether a fee moved the balance, and counts a taken fee in its row', () => {
    const header: [string, number, 'r'?][] = [['Date', 36], ['Description', 100], ['Fee', 300, 'r'], ['Debit', 360, 'r'], ['Credit', 420, 'r'], ['Balance', 500, 'r']];
    const p = parse([
      ...TOP,
      ...table(header, [
        ['02/01/2024', 'Cash withdrawal', '5.00', '100.00', null, '895.00'],
        ['03/01/2024', 'Card purchase', '5.00', '100.00', null, '795.00'],
        ['04/01/2024', 'Monthly admin fee', '7.50', null, null, '787.50'],
      ]),
    ]);
    assert.deepEqual(
      p.transactions.map((t) => [t.description, t.amountCents, t.balanceCents, t.line]),
      [
        ['Cash withdrawal', -10500, 89500, 5],
        ['Card purchase', -10000, 79500, 6],
        ['Monthly admin fee', -750, 78750, 7],
      ],
    );
    assert.equal(p.reconciled, true);
  });

  it('gives a row without a date the date above it, where the layout prints dates once a day', () => {
    const p = parse([...TOP, ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], [null, 'Rent', '-200.00', '1,300.00'])]);
    assert.deepEqual(p.transactions.map((t) => t.date), ['2024-01-02', '2024-01-02']);
    assert.equal(p.reconciled, true);
  });

  it('sets aside rows it cannot read, with their text, and keeps their continuation lines with them', () => {
    const p = parse([
      ...TOP,
      ...rows(
        ['02/01/2024', 'Salary ACME', '500.00', '1,500.00'],
        ['03/01/2024', 'Rent', '-2OO.00', '1,300.00'],
        [null, 'Ref 2024-01 flat 12', null, null],
        ['04/01/2024', 'Interest rate changed to 7.5%', null, null],
        ['05/01/2024', 'Coffee', '-35.50', '1,264.50'],
      ),
    ]);
    assert.deepEqual(
      p.skippedRows.map((s) => [s.page, s.line, s.text, s.reason]),
      [
        [1, 6, '03/01/2024 | Rent | -2OO.00 | 1,300.00\nRef 2024-01 flat 12', '"-2OO.00" under amount is not an amount'],
        [1, 8, '04/01/2024 | Interest rate changed to 7.5%', 'the row has a date but no amount'],
      ],
    );
    assert.deepEqual(p.transactions.map((t) => t.description), ['Salary ACME', 'Coffee']);
    assert.equal(p.reconciled, false);
    assert.ok(codes(p).includes('BALANCE_MISMATCH'), 'the missing row breaks the chain after it');
  });

  it('reads rows written as one string padded with spaces (flat producers)', () => {
    // 4 points a character, as helpers.ts measures: columns start/end where the header says.
    const flat = (date: string, desc: string, amount: string, balance: string) => {
      const left = `${date.padEnd(16)}${desc}`;
      const toAmountEnd = left.padEnd(91 - amount.length) + amount;
      return toAmountEnd.padEnd(116 - balance.length) + balance;
    };
    const p = parse([
      ...TOP,
      ...HEADER.map(([t, x, a]): Spec => [t, x, 200, a]),
      [flat('02/01/2024', 'Salary ACME', '500.00', '1,500.00'), 36, 214],
      [flat('03/01/2024', 'Rent', '-200.00', '1,300.00'), 36, 226],
    ]);
    assert.deepEqual(p.transactions.map((t) => [t.date, t.description, t.amountCents, t.balanceCents]), [
      ['2024-01-02', 'Salary ACME', 50000, 150000],
      ['2024-01-03', 'Rent', -20000, 130000],
    ]);
  });

  it('peels an amount off a description written in the same string', () => {
    const header: [string, number, 'r'?][] = [['Date', 36], ['Description', 100], ['Amount', 220, 'r'], ['Balance', 320, 'r']];
    const p = parse([
      ...TOP,
      ...table(header, [['02/01/2024', null, null, '850.00']]),
      ['Checkers Rosebank -150.00', 116, 214],
      ['03/01/2024', 36, 226],
      // Description, amount and (after a run of spaces) balance in one string.
      [`Spar Parkhurst -50.00${' '.repeat(19)}800.00`, 116, 226],
    ]);
    assert.deepEqual(p.transactions.map((t) => [t.description, t.amountCents, t.balanceCents]), [
      ['Checkers Rosebank', -15000, 85000],
      ['Spar Parkhurst', -5000, 80000],
    ]);
    assert.equal(p.reconciled, true);
  });

  it('keeps amounts, dates and numbers inside descriptions as description', () => {
    const p = parse([...TOP, ...rows(['02/01/2024', 'ATM 15 Jan R500.00 ref 2024-01-15 -1,000.00', '-500.00', '500.00'])]);
    assert.deepEqual(p.transactions.map((t) => [t.description, t.amountCents]), [['ATM 15 Jan R500.00 ref 2024-01-15 -1,000.00', -50000]]);
  });
});

describe('statements: what is not a statement', () => {
  it('refuses a letter that names a bank but has no transaction table', async () => {
    const err = await rejects(
      () =>
        parse([
          ['First National Bank', 36, 60],
          ['Dear Mr Smith, your FNB account 62812345678 has been upgraded.', 36, 120],
          ['Your new monthly fee from 01/02/2024 is R 105.00.', 36, 132],
        ]),
      TaskErrorCodes.NOT_A_STATEMENT,
    );
    assert.match(err.message, /does not look like a bank statement/);
  });

  it('refuses a header with nothing under it', async () => {
    await rejects(() => parse([TOP[0], ...HEADER.map(([t, x, a]): Spec => [t, x, 200, a])]), TaskErrorCodes.NOT_A_STATEMENT);
  });

  it('refuses pages with no text at all', async () => {
    await rejects(() => parseStatement([page(1, []), page(2, [['1', 36, 800]])]), TaskErrorCodes.PDF_NO_TEXT);
  });
});

describe('statements: notes under the table', () => {
  it('reads money lines below the last transaction as notes, not as rows it could not read', () => {
    const p = parse([
      ...TOP,
      ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Rent', '-200.00', '1,300.00']),
      ['Overdraft limit', 100, 260],
      ['5,000.00', 500, 260, 'r'],
      ['Closing Balance', 100, 272],
      ['1,300.00', 500, 272, 'r'],
    ]);
    assert.deepEqual(p.skippedRows, []);
    assert.equal(p.closingBalanceCents, 130000);
    assert.equal(p.reconciled, true);
  });

  it('keeps a last row whose date cannot be read as a skipped row, not a note: it has an amount and a balance', () => {
    const p = parse([
      ...TOP,
      ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['-O3/01/2024', 'Rent', '-200.00', '1,300.00']),
    ]);
    assert.deepEqual(p.transactions.map((t) => t.description), ['Salary ACME']);
    assert.equal(p.skippedRows.length, 1);
    assert.match(p.skippedRows[0].text, /Rent/);
    assert.equal(p.reconciled, false, 'a row is missing');
  });
});

describe('statements: dates and the period', () => {
  it('reads dates with a time, and dates in another form than the bank usually prints', () => {
    const p = parse([...TOP, ...rows(['02/01/2024 10:32', 'Salary ACME', '500.00', '1,500.00'], ['2024-01-03', 'Rent', '-200.00', '1,300.00'], ['4 Jan 24', 'Coffee', '-35.50', '1,264.50'])]);
    assert.deepEqual(p.transactions.map((t) => t.date), ['2024-01-02', '2024-01-03', '2024-01-04']);
    assert.equal(p.reconciled, true);
  });

  it('lists a dated row with no money as skipped without calling the statement unreconciled', () => {
    const p = parse([...TOP, ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2024', 'Interest rate now 7.5%', null, null], ['04/01/2024', 'Coffee', '-35.50', '1,464.50'])]);
    assert.deepEqual(p.skippedRows.map((r) => r.reason), ['the row has a date but no amount']);
    assert.equal(p.reconciled, true);
  });

  it('remarks on a row dated far outside the statement period, without changing it', () => {
    const p = parse([...TOP, ...rows(['02/01/2024', 'Salary ACME', '500.00', '1,500.00'], ['03/01/2023', 'Rent', '-200.00', '1,300.00'])]);
    assert.deepEqual(p.warnings.map((w) => [w.code, w.line]), [['DATE_OUTSIDE_PERIOD', 6]]);
    assert.equal(p.transactions[1].date, '2023-01-03');
  });
});

describe('statements: a transaction history printed newest first', () => {
  it('is read oldest first, so the balance chain runs forward and proves it', () => {
    const p = parseStatement([
      page(1, [
        ...TOP,
        ...rows(
          ['05/01/2024', 'Coffee', '-35.50', '1,264.50'],
          ['04/01/2024', 'Rent', '-200.00', '1,300.00'],
          ['03/01/2024', 'Groceries', '-300.00', '1,500.00'],
          ['02/01/2024', 'Salary ACME', '800.00', '1,800.00'],
        ),
      ]),
    ]);
    assert.deepEqual(p.transactions.map((t) => [t.date, t.amountCents, t.balanceCents, t.seq]), [
      ['2024-01-02', 80000, 180000, 1],
      ['2024-01-03', -30000, 150000, 2],
      ['2024-01-04', -20000, 130000, 3],
      ['2024-01-05', -3550, 126450, 4],
    ]);
    assert.equal(p.openingBalanceCents, 100000);
    assert.equal(p.closingBalanceCents, 126450);
    assert.equal(p.reconciled, true);
  });
});
