/**
 * What the repair tells the reader: a warning for every reading it adopted, and for every
 * break no reading mended, a warning naming the row to check against the scan (with the
 * amount the balances imply where that is known). Also which breaks are not in doubt
 * themselves, because an unreadable row just above them explains them.
 */
import type { ParsedStatement, ParseWarning, PositionedPage } from '../types';
import { formatCents, parseAmount, signedCents } from '../grammar/amount';
import { buildLines } from '../layout/lines';
import type { Edit } from './candidate-edits';
import { before, type Spot } from './chain-proof';

/** The OCR_CORRECTED warning for an adopted reading: what OCR read, and what it now reads. */
export function describe(e: Edit): ParseWarning {
  const at = `Page ${e.page}, line ${e.line}`;
  const message =
    e.to === ''
      ? `${at}: OCR read marks of dust or noise as "${e.from}" beside the figures; without them the row agrees with the balance chain`
      : e.fix === 'date'
      ? `${at}: OCR read the date as "${e.from}"; it was read as "${e.to}", with which the row's amounts agree with the balance chain`
      : e.fix === 'sign'
        ? `${at}: OCR read "${e.from}" without its sign (a minus or Cr/Dr lost in the scan); it was corrected to "${e.to}", the only sign with which the balances before and after the row agree`
        : `${at}: OCR read "${e.from}"; it was corrected to "${e.to}", the one reading of those characters that the balances before and after the row agree with`;
  return { page: e.page, line: e.line, code: 'OCR_CORRECTED', message };
}

/** The OCR_UNPROVEN warning for a break no reading mends: the row a person must check. */
export function unproven(s: Spot, implied: number | null): ParseWarning {
  const at = `Page ${s.page}, line ${s.line}`;
  const imply = implied === null ? '' : ` (the balances around it imply a movement of ${formatCents(implied)})`;
  const message =
    s.code === 'SKIPPED'
      ? `${at}: this row was read by OCR but could not be used (${s.reason}); no reading of it agrees with the balance chain, which therefore breaks here${imply}. Check this row against the scan.`
      : s.code === 'BALANCE_MISMATCH'
        ? `${at}: the figures OCR read on this row do not agree with the balance chain, and no reading of them does; the row is unproven. Check it against the scan.`
        : `${at}: the balance OCR read here does not agree with the transactions above it, and no reading of it does. Check it against the scan.`;
  return { page: s.page, line: s.line, code: 'OCR_UNPROVEN', message };
}

/** Balance before the first transaction after `spot`, and the balance that row's own figures imply. */
function around(p: ParsedStatement, spot: Spot): { before: number | null; nextIndex: number } {
  const txs = p.transactions;
  const nextIndex = txs.findIndex((t) => before(spot, t));
  let sum = 0;
  for (let j = (nextIndex < 0 ? txs.length : nextIndex) - 1; j >= 0; j--) {
    if (txs[j].balanceCents !== null) return { before: txs[j].balanceCents! + sum, nextIndex };
    sum += txs[j].amountCents;
  }
  return { before: p.openingBalanceCents === null ? null : p.openingBalanceCents + sum, nextIndex };
}

/** What an unreadable row must have moved, if the next printed balance is right. */
export function impliedAmount(p: ParsedStatement, spot: Spot): number | null {
  const { before: r, nextIndex } = around(p, spot);
  const next = p.transactions[nextIndex];
  if (r === null || !next || next.balanceCents === null) return null;
  // Only when the skipped row is the only one missing between the two balances.
  const skippedBetween = p.skippedRows.filter((s) => s.page === spot.page && s.line !== spot.line && before(s, next) && !before(s, spot));
  if (skippedBetween.length > 0) return null;
  const v = next.balanceCents - next.amountCents - r;
  return v === 0 ? null : v;
}

/** A break at a row that agrees with the balance printed on the unreadable row just above it. */
export function explainedBySkipped(p: ParsedStatement, spot: Spot, pages: PositionedPage[]): boolean {
  const k = p.transactions.findIndex((t) => t.page === spot.page && t.line === spot.line);
  if (k < 0) return false;
  const row = p.transactions[k];
  const prev = k > 0 ? p.transactions[k - 1] : null;
  const skipped = p.skippedRows.filter((s) => (prev === null || before(prev, s)) && before(s, row));
  if (skipped.length !== 1 || row.balanceCents === null) return false;
  const page = pages.find((pg) => pg.page === skipped[0].page);
  const line = page && buildLines(page).find((l) => l.index === skipped[0].line);
  if (!line) return false;
  return line.cells.some((c) => {
    const a = parseAmount(c.text);
    return a !== null && signedCents(a) + row.amountCents === row.balanceCents;
  });
}
