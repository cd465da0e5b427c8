/**
 * OCR_MAX_PAGES applies to the whole statement, while extraction sees one chunk of pages
 * at a time. So when a chunk finds pages without text, the rest of the document is
 * checked too (text extraction only, which costs milliseconds a page against seconds for
 * OCR), and a scan over the limit fails at once, before any page is read.
 */
import { TaskInputError } from '../../contract/errors/task-errors';
import { extractPages } from '../statements';

export const OCR_TOO_MANY_PAGES = 'OCR_TOO_MANY_PAGES';

/** Pages without a text layer in the document, given what one chunk already found. */
export async function scannedPageCount(
  data: Uint8Array,
  chunk: { first: number; last: number; textless: number },
  pageCount: number,
): Promise<number> {
  let n = chunk.textless;
  const others: [number, number][] = [];
  if (chunk.first > 1) others.push([1, chunk.first - 1]);
  if (chunk.last < pageCount) others.push([chunk.last + 1, pageCount]);
  for (const [a, b] of others) n += (await extractPages(data, a, b)).filter((p) => !p.hasText).length;
  return n;
}

export function tooManyScannedPages(scanned: number, max: number): TaskInputError {
  return new TaskInputError(
    OCR_TOO_MANY_PAGES,
    `The PDF has ${scanned} scanned pages (pages that are images, without text); at most ${max} are read by OCR in one statement. Upload the statement as downloaded from the bank, or split the scan into parts of at most ${max} pages.`,
  );
}
