/**
 * OCR_MAX_PAGES applies to the whole statement, while extraction sees one chunk of pages
 * at a time. So when a chunk finds pages without text, the rest of the document is
 * checked too (text extraction only, which costs milliseconds a page against seconds for
 * OCR), and a scan over the limit fails at once, before any page is read.
 *
 * The check re-reads the document's other pages, so it is kept to what the answer needs:
 * it stops as soon as the count is over the limit (a 5,000-page scan is refused after
 * about `max` pages, not 5,000), it reads in bounded batches, each one a pdf.js request
 * under the thread's time limits, and the caller runs it once per document (the parse
 * activity keeps the result with the task's work files).
 */
import { TaskInputError } from '../../contract/errors/task-errors';
import { extractPages } from '../statements';
import type { PdfReadOptions } from '../statements/pdf/extract';

export const OCR_TOO_MANY_PAGES = 'OCR_TOO_MANY_PAGES';

/**
 * Pages read per request while counting: few enough that the count stops soon after the
 * limit and other tasks' requests to the shared thread get their turn in between.
 */
const COUNT_BATCH_PAGES = 50;

export interface ScannedPageCount {
  /** Pages without a text layer found; when `complete` is false, a lower bound already over `max`. */
  scanned: number;
  /** Whether every page was looked at (false: the count stopped once it was over the limit). */
  complete: boolean;
}

/**
 * Pages without a text layer in the document, given what one chunk already found,
 * counted until there are more than `max` (unset: all of them).
 */
export async function scannedPageCount(
  data: Uint8Array,
  chunk: { first: number; last: number; textless: number },
  pageCount: number,
  options: PdfReadOptions & { max?: number } = {},
): Promise<ScannedPageCount> {
  const { max = Infinity, ...read } = options;
  let scanned = chunk.textless;
  // Pages after the chunk first: the workflow reads chunks in order, and a scanned page in
  // an earlier chunk would have had the count made then, so more are likelier after it.
  const others: [number, number][] = [];
  if (chunk.last < pageCount) others.push([chunk.last + 1, pageCount]);
  if (chunk.first > 1) others.push([1, chunk.first - 1]);
  for (const [a, b] of others) {
    for (let first = a; first <= b; first += COUNT_BATCH_PAGES) {
      if (scanned > max) return { scanned, complete: false };
      const last = Math.min(b, first + COUNT_BATCH_PAGES - 1);
      scanned += (await extractPages(data, first, last, read)).filter((p) => !p.hasText).length;
    }
  }
  return { scanned, complete: true };
}

/** `complete` false: the count stopped once over the limit, so the message says "more than". */
export function tooManyScannedPages(scanned: number, max: number, complete = true): TaskInputError {
  const has = complete ? `${scanned}` : `more than ${max}`;
  return new TaskInputError(
    OCR_TOO_MANY_PAGES,
    `The PDF has ${has} scanned pages (pages that are images, without text); at most ${max} are read by OCR in one statement. Upload the statement as downloaded from the bank, or split the scan into parts of at most ${max} pages.`,
  );
}
