/**
 * How the balance chain judges a parse during OCR repair: which warnings count as breaks,
 * where on the OCR'd pages they sit, how many problems a parse has, and whether a trial
 * parse only took problems away. The repair adopts a reading only when these say so, so
 * they are the whole of its notion of "proven".
 */
import type { ParsedStatement } from '../types';

/** Warnings that mean the figures do not add up, or a row could not be read. */
const CHAIN_CODES = new Set([
  'BALANCE_MISMATCH',
  'BROUGHT_FORWARD_MISMATCH',
  'CARRIED_FORWARD_MISMATCH',
  'CLOSING_MISMATCH',
  'OPENING_CLOSING_MISMATCH',
  'OPENING_MISMATCH',
  'TOTAL_MISMATCH',
  'COUNT_MISMATCH',
]);

/** Breaks that sit on a row or a balance marker of the table. */
const ROW_CODES = new Set(['BALANCE_MISMATCH', 'BROUGHT_FORWARD_MISMATCH', 'CARRIED_FORWARD_MISMATCH']);

/** A break the repair may try to mend: a row or balance marker on an OCR'd page. */
export interface Spot {
  page: number;
  line: number;
  code: string;
  /** For a skipped row: why it was skipped. */
  reason?: string;
}

/** Statement order: whether `a` comes before `b` (by page, then line). */
export const before = (a: { page: number; line: number }, b: { page: number; line: number }) => a.page < b.page || (a.page === b.page && a.line < b.line);

/** How many problems a parse has: breaks, skipped rows, dates out of period or out of order. */
export function trouble(p: ParsedStatement): number {
  let n = p.skippedRows.length;
  for (const w of p.warnings) if (CHAIN_CODES.has(w.code) || w.code === 'DATE_OUTSIDE_PERIOD') n++;
  for (let i = 1; i < p.transactions.length; i++) if (p.transactions[i].date < p.transactions[i - 1].date) n++;
  return n;
}

/**
 * A correction may only take problems away: every warning and skipped row after it was
 * there before (same code, page and line), and no transaction is lost. Fewer problems
 * alone is not enough: a figure bent to silence one check could upset another.
 */
export function onlyRemoves(before: ParsedStatement, after: ParsedStatement): boolean {
  if (after.transactions.length < before.transactions.length) return false;
  const had = new Set(before.warnings.map((w) => `${w.code}:${w.page}:${w.line}`));
  if (after.warnings.some((w) => !had.has(`${w.code}:${w.page}:${w.line}`))) return false;
  const skipped = new Set(before.skippedRows.map((r) => `${r.page}:${r.line}`));
  return after.skippedRows.every((r) => skipped.has(`${r.page}:${r.line}`));
}

/** The breaks of a parse that sit on OCR'd pages, in statement order. */
export function spotsOf(p: ParsedStatement, ocrPages: ReadonlySet<number>): Spot[] {
  const out: Spot[] = [];
  // Rows and balance markers only: a summary figure is checked against totals of rows that
  // may themselves be missing, which is too weak a proof to rewrite it.
  for (const w of p.warnings) if (ROW_CODES.has(w.code) && w.line > 0 && ocrPages.has(w.page)) out.push({ page: w.page, line: w.line, code: w.code });
  for (const s of p.skippedRows) if (ocrPages.has(s.page)) out.push({ page: s.page, line: s.line, code: 'SKIPPED', reason: s.reason });
  return out.sort((a, b) => a.page - b.page || a.line - b.line);
}

/** Identifies a break across re-parses (the same row and code is the same break). */
export const keyOf = (s: Spot) => `${s.page}:${s.line}:${s.code}`;
