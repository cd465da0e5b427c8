/**
 * The public shapes of the statement parser. Pages travel between activities as JSON
 * (see activities/parse-pdf.ts), so everything here is plain data.
 */

/** One run of text as the PDF (or, later, OCR) places it. Coordinates are PDF points. */
export interface TextItem {
  str: string;
  /** Left edge, from the left of the page. */
  x: number;
  /** Top edge of the text box, measured from the top of the page (baseline = y + height). */
  y: number;
  width: number;
  /** Font size in points, i.e. the box from the baseline up. */
  height: number;
}

export interface PositionedPage {
  /** 1-based page number in the document. */
  page: number;
  width: number;
  height: number;
  items: TextItem[];
  /** False when the page has no usable text layer (a scan): OCR may replace `items`. */
  hasText: boolean;
  /** Set when OCR read `items` from the page's image (domain/ocr). */
  /** Read by OCR: mean word confidence, a blank sheet, and the clockwise turn it was read at when scanned turned. */
  ocr?: { confidence: number; blank: boolean; rotated?: 90 | 180 | 270 };
}

export interface ParsedTransaction {
  /** 1-based order in the statement. */
  seq: number;
  /** YYYY-MM-DD */
  date: string;
  description: string;
  /** Integer cents; negative = money out. */
  amountCents: number;
  /** The balance the statement prints after this row, or null when it prints none. */
  balanceCents: number | null;
  page: number;
  /** 1-based line on the page (lines are numbered top to bottom over all text on the page). */
  line: number;
  /** The row's text as read: cells separated by " | ", continuation lines by "\n". */
  rawText: string;
}

export interface ParseWarning {
  page: number;
  line: number;
  code: string;
  message: string;
}

export interface SkippedRow {
  page: number;
  line: number;
  text: string;
  reason: string;
}

export interface ParsedStatement {
  bankSource: string;
  /** The account number the header prints, digits only (account.ts); null when none was found. Never stored as is. */
  accountNumber: string | null;
  transactions: ParsedTransaction[];
  openingBalanceCents: number | null;
  closingBalanceCents: number | null;
  periodStart: string | null;
  periodEnd: string | null;
  reconciled: boolean;
  warnings: ParseWarning[];
  skippedRows: SkippedRow[];
}
