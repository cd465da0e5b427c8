/**
 * Continuation lines: a wrapped description or a reference printed under a transaction,
 * with no date and no money of its own. A text-only line belongs to the row above when
 *  - it starts in a description (or reference) column, and
 *  - it sits right under that row (within about two line heights), or
 *  - it is the first thing in the table on a new page, after the repeated page header:
 *    that is a row whose continuation fell onto the next page.
 * Anything else in the table area that is only text (a sub-heading, a notice, a footer
 * that is not repeated) is left out of the transactions.
 */
import { TEXT_KINDS } from '../layout/columns';
import type { Line } from '../layout/lines';
import type { RowRead } from './row';

/** Baseline-to-baseline distance, in line heights, that still counts as "right under". */
const MAX_GAP_LINES = 2.2;

export interface Anchor {
  page: number;
  /** Baseline of the row's last line so far. */
  bottom: number;
}

export function continues(anchor: Anchor, line: Line, read: RowRead, tableContentOnPage: boolean): boolean {
  if (!read.firstTextColumn || !TEXT_KINDS.has(read.firstTextColumn.kind)) return false;
  if (read.texts.length === 0 && read.refs.length === 0) return false;
  if (line.page === anchor.page) return line.bottom - anchor.bottom <= MAX_GAP_LINES * line.height;
  return line.page === anchor.page + 1 && !tableContentOnPage;
}
