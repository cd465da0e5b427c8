/** Continuity across an account's statements: periods that follow on, balances that chain. */
import assert from 'node:assert/strict';
import { continuityLinks, inStatementOrder, type StatementSpan } from '../../../domain/statements/continuity';

const span = (sessionId: string, periodStart: string | null, periodEnd: string | null, openingCents: number | null, closingCents: number | null): StatementSpan => ({
  sessionId,
  periodStart,
  periodEnd,
  openingCents,
  closingCents,
});

describe('statements: continuity of an account', () => {
  it('follows on when the next period starts on the boundary day or the day after, and the balance carries', () => {
    const links = continuityLinks([span('a', '2025-11-13', '2025-12-13', 100, 500), span('b', '2025-12-13', '2026-01-13', 500, 900), span('c', '2026-01-14', '2026-02-13', 900, 50)]);
    assert.deepEqual(links.map((l) => [l.from, l.to, l.dates, l.balances, l.differenceCents]), [
      ['a', 'b', 'continuous', 'match', 0],
      ['b', 'c', 'continuous', 'match', 0],
    ]);
  });

  it('reports a gap in days, an overlap in days, and a balance that does not carry by how much', () => {
    const [gap, overlap] = continuityLinks([span('a', '2024-02-14', '2024-03-14', 0, 1000), span('b', '2024-08-14', '2024-09-14', 2500, 3000), span('c', '2024-09-01', '2024-10-01', 3000, 0)]);
    assert.deepEqual([gap.dates, gap.gapDays, gap.overlapDays, gap.balances, gap.differenceCents], ['gap', 152, 0, 'mismatch', 1500]);
    assert.deepEqual([overlap.dates, overlap.gapDays, overlap.overlapDays, overlap.balances], ['overlap', 0, 13, 'match']);
  });

  it('says unknown when a statement prints no period or balance', () => {
    const [l] = continuityLinks([span('a', null, null, null, null), span('b', '2024-01-01', '2024-01-31', 5, 6)]);
    assert.deepEqual([l.dates, l.balances, l.differenceCents], ['unknown', 'unknown', null]);
  });

  it('orders statements by period, those without one last', () => {
    const order = inStatementOrder([span('x', null, null, 0, 0), span('c', '2024-03-01', '2024-03-31', 0, 0), span('a', '2024-01-01', '2024-01-31', 0, 0), span('b', '2024-02-01', '2024-02-29', 0, 0)]);
    assert.deepEqual(order.map((s) => s.sessionId), ['a', 'b', 'c', 'x']);
  });
});
