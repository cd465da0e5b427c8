/** What a session keeps of a recheck: null when proven, else every problem (naming its row) and the counts. */
import assert from 'node:assert/strict';
import { recheckRows, reviewOfRecheck } from '../../../domain/statements/recheck';

const row = (id: number, amountCents: number, balanceCents: number | null) => ({ id, page: 1, line: id + 10, amountCents, balanceCents });

describe('statements: the review of a recheck', () => {
  it('is null for rows that prove themselves', () => {
    assert.equal(reviewOfRecheck(recheckRows(1000, 1300, [row(1, 100, 1100), row(2, 200, 1300)])), null);
  });

  it('names the row each problem is on and counts the problems per kind', () => {
    const review = reviewOfRecheck(recheckRows(1000, 1300, [row(1, 100, 1100), row(2, 250, 1300)]))!;
    assert.deepEqual(review.counts, { balance_breaks: 1, totals_differ: 1 });
    assert.deepEqual(review.problems.map((p) => [p.code, p.transactionId]), [['BALANCE_MISMATCH', 2], ['OPENING_CLOSING_MISMATCH', 2]]);
    assert.equal(review.unexplainedCents, -50);
  });

  it('says there is nothing to check rows without any balance against', () => {
    const review = reviewOfRecheck(recheckRows(null, null, [row(1, 100, null)]))!;
    assert.deepEqual([review.counts, review.problems.map((p) => p.code)], [{ nothing_to_check: 1 }, ['NOTHING_TO_CHECK']]);
  });
});
