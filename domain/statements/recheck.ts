/**
 * The proof of a statement after a person corrected its rows: the balance chain (each
 * printed balance is the one before plus the row's amount) and the opening balance plus
 * every row giving the closing balance. The parse's own checks had more to go on (printed
 * totals and counts, carried-forward lines); what a correction can change is the rows, and
 * these two checks are what the rows must satisfy. Pure.
 */
import type { FullReview, ReviewKind, ReviewProblem } from './review';

export interface RecheckRow {
  id: number;
  page: number | null;
  line: number | null;
  amountCents: number;
  balanceCents: number | null;
}

export interface Recheck {
  proven: boolean;
  problems: ReviewProblem[];
  /** Closing minus opening minus the rows; null when either balance is unknown. */
  unexplainedCents: number | null;
}

const rand = (c: number) => `R ${(c / 100).toFixed(2)}`;

export function recheckRows(openingCents: number | null, closingCents: number | null, rows: readonly RecheckRow[]): Recheck {
  const problems: ReviewProblem[] = [];
  let checks = 0;
  // Without a printed opening balance, the first printed balance implies it (as the parse does).
  let opening = openingCents;
  if (opening === null) {
    let sum = 0;
    for (const r of rows) {
      sum += r.amountCents;
      if (r.balanceCents !== null) {
        opening = r.balanceCents - sum;
        break;
      }
    }
  }
  let running = opening;
  for (const r of rows) {
    if (running !== null) running += r.amountCents;
    if (r.balanceCents === null) continue;
    if (running !== null) {
      checks++;
      if (running !== r.balanceCents) {
        problems.push({
          page: r.page ?? 1,
          line: r.line ?? 0,
          kind: 'balance_breaks',
          code: 'BALANCE_MISMATCH',
          transactionId: r.id,
          message: `The row's balance is ${rand(r.balanceCents)} but the balance before it plus its amount is ${rand(running)}`,
        });
      }
    }
    running = r.balanceCents;
  }
  const sum = rows.reduce((s, r) => s + r.amountCents, 0);
  const unexplainedCents = opening === null || closingCents === null ? null : closingCents - opening - sum;
  if (unexplainedCents !== null) {
    checks++;
    if (unexplainedCents !== 0) {
      const last = rows.at(-1);
      problems.push({
        page: last?.page ?? 1,
        line: last?.line ?? 0,
        kind: 'totals_differ',
        code: 'OPENING_CLOSING_MISMATCH',
        ...(last ? { transactionId: last.id } : {}),
        message: `The opening balance plus the ${rows.length} rows gives ${rand(opening! + sum)}, but the closing balance is ${rand(closingCents!)} (difference ${rand(unexplainedCents)})`,
      });
    }
  }
  return { proven: checks > 0 && problems.length === 0, problems, unexplainedCents };
}

/**
 * What a session keeps of a recheck (as fullReviewOf for a parse): null when proven,
 * otherwise every problem with the counts per kind. Rows with nothing to check them
 * against prove nothing, and say so.
 */
export function reviewOfRecheck(r: Recheck): FullReview | null {
  if (r.proven) return null;
  const problems: ReviewProblem[] =
    r.problems.length > 0
      ? r.problems
      : [{ page: 1, line: 0, kind: 'nothing_to_check', code: 'NOTHING_TO_CHECK', message: 'The statement has no balances to check the rows against' }];
  const counts: Partial<Record<ReviewKind, number>> = {};
  for (const p of problems) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return { counts, unexplainedCents: r.unexplainedCents, problems };
}
