/**
 * What every export (OFX, QIF, the Xero and Sage CSVs, camt.053) is told about the
 * statement besides its rows. The caller resolves it before the first row is written:
 * the XML formats print the period and the balances ahead of the transactions.
 */
import type { ReportType } from '../../../contract/tasks';
import type { RenderOptions } from '../types';

export type ExportType = Exclude<ReportType, 'excel' | 'csv'>;

export interface ExportStatement {
  /** The bank as the parser named it (e.g. "Standard Bank"); '' when unknown. */
  bankName: string;
  /** The account as it may be printed, e.g. "XXXX5678" (last four digits); null when the statement printed none. */
  accountId: string | null;
  /** `YYYY-MM-DD`: the first and last day the statement (or statements) cover. */
  periodStart: string;
  periodEnd: string;
  /** Before the first transaction; null when the statement did not print it. */
  openingBalanceCents: number | null;
  /** After the last transaction; null when the statement did not print it. */
  closingBalanceCents: number | null;
  /** When the file is made (the XML formats' creation time). */
  createdAt: Date;
  /** Unique per file, at most 35 characters of [A-Za-z0-9] (camt.053's MsgId, OFX's TRNUID). */
  messageId: string;
}

export interface ExportOptions extends Pick<RenderOptions, 'onProgress' | 'progressEvery' | 'signal'> {
  statement: ExportStatement;
}
