/**
 * The renderers' public types. Money is always integer cents so that totals and VAT
 * never drift; it becomes a decimal only at the edge (an Excel number or a CSV field).
 */

/** One statement transaction as the caller streams it out of the database. */
export interface ReportRow {
  /** Calendar date, `YYYY-MM-DD` (no time zone: it is a booking date, not an instant). */
  date: string;
  description: string;
  /** null or blank means uncategorized. */
  category: string | null;
  /** Signed and VAT-inclusive: money in > 0, money out < 0. */
  amountCents: number;
  balanceCents: number | null;
  /**
   * The transaction's stable id (domain/statements/fitid.ts): the same in every statement
   * that prints the row. The xlsx and CSV reports ignore it; the exports require it.
   */
  fitid?: string | null;
}

export interface VatSettings {
  /** e.g. 15. Up to 4 decimal places (7.5 and 14.25 work); 0..100. */
  ratePercent: number;
  /** Categories whose amounts include VAT; matched case-insensitively, ignoring outer spaces. */
  vatCategories: string[];
}

export interface RenderOptions {
  includeVat: boolean;
  vat: VatSettings;
  /** When given, a title row sits above the header row of every sheet (not in the CSV). */
  title?: string;
  /**
   * Called with the number of transaction rows written so far, every `progressEvery`
   * rows and once more at the end if the last call did not already report the total.
   * Awaited: a slow heartbeat slows the render rather than piling up.
   */
  onProgress?: (rows: number) => void | Promise<void>;
  /** Default 5000; must be a positive integer. */
  progressEvery?: number;
  /** When aborted, the renderer stops within a few rows and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

export interface RenderTotals {
  /** Sum of positive amounts. */
  moneyInCents: number;
  /** Sum of the magnitudes of negative amounts (a positive number). */
  moneyOutCents: number;
  /** moneyIn - moneyOut. */
  netCents: number;
  /** VAT contained in money out in VAT-able categories (positive; 0 without includeVat). */
  vatInputCents: number;
  /** VAT contained in money in in VAT-able categories (positive; 0 without includeVat). */
  vatOutputCents: number;
}

export interface RenderOutcome {
  rowsWritten: number;
  totals: RenderTotals;
}
