/**
 * Whether an account's statements follow on from each other: each statement's period
 * should start where the one before it ended (banks print the boundary day in both, or
 * start the day after), and its opening balance should be the closing balance before it.
 * Pure: the sessions in, one link per consecutive pair out.
 */

export interface StatementSpan {
  sessionId: string;
  /** YYYY-MM-DD, or null when the statement prints no period. */
  periodStart: string | null;
  periodEnd: string | null;
  openingCents: number | null;
  closingCents: number | null;
}

export type DatesVerdict = 'continuous' | 'gap' | 'overlap' | 'unknown';
export type BalancesVerdict = 'match' | 'mismatch' | 'unknown';

export interface ContinuityLink {
  from: string;
  to: string;
  dates: DatesVerdict;
  /** Calendar days no statement covers (a gap), else 0. */
  gapDays: number;
  /** Days both statements cover beyond a shared boundary day (an overlap), else 0. */
  overlapDays: number;
  balances: BalancesVerdict;
  /** Next opening minus this closing, in cents; null when either is unknown. */
  differenceCents: number | null;
}

const DAY_MS = 86_400_000;
const day = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;

/** In statement order: by period start (statements without one last, in the order given), then period end. */
export function inStatementOrder<T extends StatementSpan>(spans: readonly T[]): T[] {
  return spans
    .map((s, i) => ({ s, i }))
    .sort((a, b) => {
      if (a.s.periodStart === null || b.s.periodStart === null) return (a.s.periodStart === null ? 1 : 0) - (b.s.periodStart === null ? 1 : 0) || a.i - b.i;
      return a.s.periodStart.localeCompare(b.s.periodStart) || (a.s.periodEnd ?? '').localeCompare(b.s.periodEnd ?? '') || a.i - b.i;
    })
    .map(({ s }) => s);
}

/** One link per consecutive pair of `ordered` (see inStatementOrder). */
export function continuityLinks(ordered: readonly StatementSpan[]): ContinuityLink[] {
  const links: ContinuityLink[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1];
    const b = ordered[i];
    let dates: DatesVerdict = 'unknown';
    let gapDays = 0;
    let overlapDays = 0;
    if (a.periodEnd && b.periodStart) {
      const step = day(b.periodStart) - day(a.periodEnd);
      // 0: the boundary day printed in both; 1: the next day. Either leaves nothing out.
      if (step === 0 || step === 1) dates = 'continuous';
      else if (step > 1) {
        dates = 'gap';
        gapDays = step - 1;
      } else {
        dates = 'overlap';
        overlapDays = -step;
      }
    }
    const differenceCents = a.closingCents === null || b.openingCents === null ? null : b.openingCents - a.closingCents;
    links.push({
      from: a.sessionId,
      to: b.sessionId,
      dates,
      gapDays,
      overlapDays,
      balances: differenceCents === null ? 'unknown' : differenceCents === 0 ? 'match' : 'mismatch',
      differenceCents,
    });
  }
  return links;
}
