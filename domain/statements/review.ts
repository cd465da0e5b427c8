/**
 * What a person must look at before booking a statement that did not prove itself: a
 * parse that does not reconcile (a break in the balance chain, totals that disagree, rows
 * that could not be read, OCR rows the figures do not confirm, signs guessed) succeeds,
 * but is flagged for review with this summary — counts per kind and the first problems
 * with their page and line. Pure: built from the parse's own warnings and skipped rows.
 */
import type { ParsedStatement, ParseWarning } from './types';

export type ReviewKind = 'balance_breaks' | 'totals_differ' | 'skipped_rows' | 'ocr_unproven' | 'pages_unread' | 'signs_assumed' | 'nothing_to_check';

/** The warnings that leave a statement unproven, by kind. Others (a year assumed, columns inferred, OCR corrections the chain proved) inform only. */
const KIND_OF_CODE: Record<string, ReviewKind> = {
  BALANCE_MISMATCH: 'balance_breaks',
  CARRIED_FORWARD_MISMATCH: 'balance_breaks',
  BROUGHT_FORWARD_MISMATCH: 'balance_breaks',
  CLOSING_MISMATCH: 'balance_breaks',
  OPENING_MISMATCH: 'balance_breaks',
  NO_BALANCE_MOVEMENT: 'balance_breaks',
  OPENING_CLOSING_MISMATCH: 'totals_differ',
  TOTAL_MISMATCH: 'totals_differ',
  COUNT_MISMATCH: 'totals_differ',
  OCR_UNPROVEN: 'ocr_unproven',
  PAGE_NO_TEXT: 'pages_unread',
  SIGN_ASSUMED: 'signs_assumed',
};

export interface ReviewProblem {
  page: number;
  line: number;
  kind: ReviewKind;
  code: string;
  message: string;
  /** For a row that could not be read: its text as the parser saw it (the row's owner only). */
  text?: string;
  /** The row the problem is on, when a recheck found it (an inserted row has no line to find it by). */
  transactionId?: number;
}

export interface ReviewSummary {
  counts: Partial<Record<ReviewKind, number>>;
  /** Opening balance plus the rows read, minus the closing balance: what the rows fail to explain (null when either balance is unknown). */
  unexplainedCents: number | null;
  /** The first problems in statement order. */
  problems: ReviewProblem[];
  /** How many problems there are in all (`problems` holds the first few). */
  problemCount: number;
}

/** Problems listed in a summary; the review endpoint lists them all. */
export const REVIEW_SAMPLE = 5;

/** Every problem, in statement order, with the counts: what a session keeps (reviewOf's summary lists the first few). */
export interface FullReview {
  counts: Partial<Record<ReviewKind, number>>;
  unexplainedCents: number | null;
  problems: ReviewProblem[];
}

/** null when the statement proved itself (it reconciled); otherwise what stops it. */
export function reviewOf(parsed: Parameters<typeof fullReviewOf>[0]): ReviewSummary | null {
  const full = fullReviewOf(parsed);
  // The summary travels in the task's result: no row text there, only where and what.
  const problems = full?.problems.slice(0, REVIEW_SAMPLE).map(({ text: _text, ...p }) => p);
  return full && { counts: full.counts, unexplainedCents: full.unexplainedCents, problems: problems!, problemCount: full.problems.length };
}

/** As reviewOf, with every problem listed. */
export function fullReviewOf(parsed: Pick<ParsedStatement, 'reconciled' | 'warnings' | 'skippedRows' | 'transactions' | 'openingBalanceCents' | 'closingBalanceCents'>): FullReview | null {
  if (parsed.reconciled) return null;
  const problems: ReviewProblem[] = [];
  for (const w of parsed.warnings) {
    const kind = KIND_OF_CODE[w.code];
    if (kind) problems.push(problem(w, kind));
  }
  for (const s of parsed.skippedRows) problems.push({ page: s.page, line: s.line, kind: 'skipped_rows', code: 'SKIPPED', message: s.reason, text: s.text });
  // Not reconciled and nothing wrong found: there was nothing to check the rows against
  // (no balances, no totals), which proves nothing either.
  if (problems.length === 0) problems.push({ page: 1, line: 0, kind: 'nothing_to_check', code: 'NOTHING_TO_CHECK', message: 'The statement prints no balances or totals to check the rows against' });
  problems.sort((a, b) => a.page - b.page || a.line - b.line);
  const counts: Partial<Record<ReviewKind, number>> = {};
  for (const p of problems) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  const sum = parsed.transactions.reduce((s, t) => s + t.amountCents, 0);
  const unexplainedCents =
    parsed.openingBalanceCents === null || parsed.closingBalanceCents === null ? null : parsed.closingBalanceCents - parsed.openingBalanceCents - sum;
  return { counts, unexplainedCents, problems };
}

function problem(w: ParseWarning, kind: ReviewKind): ReviewProblem {
  return { page: w.page, line: w.line, kind, code: w.code, message: w.message };
}
