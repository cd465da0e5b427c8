/**
 * Bank-statement parsing: positioned text out of a PDF, transactions out of the text.
 *
 *   inspectPdf(data)                 page count; PDF_ENCRYPTED / PDF_UNREADABLE
 *   extractPages(data, first, last)  positioned text per page, with a hasText flag for OCR
 *   extractPagesText(data, f, l)     the same as JSON text (a work file), and the pages without text
 *   extractWholePdf(data, max)       page count, and every page's text if there are at most max
 *   parseStatement(pages)            transactions, balances, checks; NOT_A_STATEMENT / PDF_NO_TEXT
 *   parseStatementFrom(source)       the same, reading the pages twice one at a time (long statements)
 *   parseWithOcr(pages)              the same for pages OCR read, mended by the balance chain
 *
 * Pure code: no database, no Temporal. Money is integer cents throughout.
 */
export type {
  TextItem,
  PositionedPage,
  ParsedTransaction,
  ParseWarning,
  SkippedRow,
  ParsedStatement,
} from './types';
export { inspectPdf, extractPages, extractPagesText, extractWholePdf, type PagesText } from './pdf/extract';
export { releasePdfThreadIfIdle } from './pdf/thread';
export { parseStatement, parseStatementFrom, parseStatementYielding, type PageSource } from './parse/statement';
export { parseWithOcr, parseWithOcrYielding, isOcrPage } from './ocr-repair/repair';
