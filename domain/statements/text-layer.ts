/**
 * Whether a page has a usable text layer. A scanned page often still carries a few
 * characters of text (a page number stamped by the scanner, an invisible "Page 1"), so a
 * handful of characters does not count: OCR should still run on such a page.
 *
 * The pdf.js thread judges the pages it reads by the same rule (pdf/pdfjs-positions.mjs,
 * plain JavaScript that cannot import this file); a test holds the two together.
 */
import type { TextItem } from './types';

export const MIN_TEXT_CHARS = 10;

export function pageHasText(items: readonly TextItem[]): boolean {
  let n = 0;
  for (const it of items) {
    n += it.str.replace(/\s+/g, '').length;
    if (n >= MIN_TEXT_CHARS) return true;
  }
  return false;
}
