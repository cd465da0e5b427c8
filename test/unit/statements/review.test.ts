/** A statement that does not prove itself is flagged for review, with what stops it. */
import assert from 'node:assert/strict';
import { fullReviewOf, reviewOf } from '../../../domain/statements/review';
import type { ParsedStatement, ParseWarning } from '../../../domain/statements';

const tx = (seq: number, amountCents: number, balanceCents: number | null, page = 1, line = seq + 10) => ({
  seq,
  date: '2024-03-01',
  description: `row ${seq}`,
  amountCents,
  balanceCents,
  page,
  line,
  rawText: '',
});
const warning = (page: number, line: number, code: string): ParseWarning => ({ page, line, code, message: `${code} at ${page}:${line}` });

function statement(over: Partial<ParsedStatement>): ParsedStatement {
  return {
    bankSource: 'FNB',
    accountNumber: null,
    transactions: [tx(1, -1000, 9000), tx(2, -500, 8500)],
    openingBalanceCents: 10_000,
    closingBalanceCents: 8500,
    periodStart: '2024-03-01',
    periodEnd: '2024-03-31',
    reconciled: true,
    warnings: [],
    skippedRows: [],
    ...over,
  };
}

describe('statements: review of an unproven statement', () => {
  it('has nothing to say about a statement that reconciled, whatever it was told in passing', () => {
    assert.equal(reviewOf(statement({ warnings: [warning(1, 0, 'YEAR_ASSUMED')] })), null);
  });

  it('counts each kind of problem, lists them in statement order, and says what the rows leave unexplained', () => {
    const r = reviewOf(
      statement({
        reconciled: false,
        closingBalanceCents: 9000, // the rows explain 8500: R5 is missing
        warnings: [warning(2, 7, 'BALANCE_MISMATCH'), warning(1, 30, 'CARRIED_FORWARD_MISMATCH'), warning(3, 40, 'OPENING_CLOSING_MISMATCH'), warning(1, 0, 'COLUMNS_INFERRED'), warning(3, 2, 'OCR_UNPROVEN')],
        skippedRows: [{ page: 2, line: 3, text: '?', reason: 'no amount could be read' }],
      }),
    )!;
    assert.deepEqual(r.counts, { balance_breaks: 2, totals_differ: 1, skipped_rows: 1, ocr_unproven: 1 });
    assert.equal(r.unexplainedCents, 500);
    assert.equal(r.problemCount, 5);
    assert.ok(r.problems.every((p) => !('text' in p)), 'the summary carries no row text');
    assert.equal(fullReviewOf(statement({ reconciled: false, skippedRows: [{ page: 2, line: 3, text: 'the row as read', reason: 'x' }] }))!.problems[0].text, 'the row as read');
    assert.deepEqual(r.problems.map((p) => [p.page, p.line, p.kind]), [
      [1, 30, 'balance_breaks'],
      [2, 3, 'skipped_rows'],
      [2, 7, 'balance_breaks'],
      [3, 2, 'ocr_unproven'],
      [3, 40, 'totals_differ'],
    ]);
  });

  it('lists the first five problems and counts them all', () => {
    const warnings = Array.from({ length: 14 }, (_, i) => warning(1 + Math.floor(i / 5), 10 + i, 'BALANCE_MISMATCH'));
    const r = reviewOf(statement({ reconciled: false, warnings }))!;
    assert.equal(r.problemCount, 14);
    assert.equal(r.problems.length, 5);
    assert.deepEqual(r.counts, { balance_breaks: 14 });
  });

  it('flags a statement with nothing to check its rows against', () => {
    const r = reviewOf(statement({ reconciled: false, openingBalanceCents: null, closingBalanceCents: null }))!;
    assert.deepEqual(r.counts, { nothing_to_check: 1 });
    assert.equal(r.unexplainedCents, null);
  });
});
