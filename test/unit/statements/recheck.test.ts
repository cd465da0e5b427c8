/** The proof after a correction: the balance chain and opening + rows = closing. */
import assert from 'node:assert/strict';
import { recheckRows, type RecheckRow } from '../../../domain/statements/recheck';

const row = (id: number, amountCents: number, balanceCents: number | null): RecheckRow => ({ id, page: 1, line: id + 10, amountCents, balanceCents });

describe('statements: recheck after a correction', () => {
  const good = [row(1, -1000, 9000), row(2, 500, 9500), row(3, -200, null), row(4, -300, 9000)];

  it('proves rows whose chain and totals hold, balances missing on some rows included', () => {
    assert.deepEqual(recheckRows(10_000, 9000, good), { proven: true, problems: [], unexplainedCents: 0 });
  });

  it('finds the row whose balance breaks the chain, once, and the totals that no longer add up', () => {
    const wrong = [row(1, -1000, 9000), row(2, 5000, 9500), row(3, -200, null), row(4, -300, 9000)];
    const r = recheckRows(10_000, 9000, wrong);
    assert.equal(r.proven, false);
    assert.deepEqual(r.problems.map((p) => [p.line, p.code]), [
      [12, 'BALANCE_MISMATCH'],
      [14, 'OPENING_CLOSING_MISMATCH'],
    ]);
    assert.equal(r.unexplainedCents, -4500);
  });

  it('takes the opening from the first balance when none is printed, and proves nothing without any balance', () => {
    assert.equal(recheckRows(null, 9000, good).proven, true);
    assert.deepEqual(recheckRows(null, null, [row(1, -100, null)]), { proven: false, problems: [], unexplainedCents: null });
  });
});
