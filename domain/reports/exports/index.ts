/**
 * Exports for accounting software (docs/exports.md): the same stream of rows as the
 * reports, written as OFX, QIF, Xero's or Sage's bank statement CSV, or camt.053. Every
 * renderer keeps the contract of ../index.ts, and each row must carry its fitid.
 */
import type { RenderOutcome, ReportRow } from '../types';
import { renderCamt053 } from './camt053';
import { renderOfx } from './ofx';
import { renderQif } from './qif';
import { renderSageCsv } from './sage-csv';
import { renderXeroCsv } from './xero-csv';
import type { ExportOptions, ExportType } from './types';

export type { ExportOptions, ExportStatement, ExportType } from './types';
export { renderCamt053, CAMT053_NAMESPACE } from './camt053';
export { renderOfx, ofxBankId } from './ofx';
export { renderQif } from './qif';
export { renderSageCsv, SAGE_HEADER } from './sage-csv';
export { renderXeroCsv, XERO_HEADER } from './xero-csv';
export { printableAccount, UNKNOWN_ACCOUNT } from './text';

export type ExportRenderer = (rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions) => Promise<RenderOutcome>;

export const EXPORT_RENDERERS: Record<ExportType, ExportRenderer> = {
  ofx: renderOfx,
  qif: renderQif,
  csv_xero: renderXeroCsv,
  csv_sage: renderSageCsv,
  camt053: renderCamt053,
};

export const EXPORT_CONTENT_TYPES: Record<ExportType, string> = {
  ofx: 'application/x-ofx',
  qif: 'application/qif',
  csv_xero: 'text/csv; charset=utf-8',
  csv_sage: 'text/csv; charset=utf-8',
  camt053: 'application/xml',
};

export const isExportType = (t: string): t is ExportType => Object.hasOwn(EXPORT_RENDERERS, t);

/**
 * Whether the export can be made with these balances: OFX's LEDGERBAL and camt.053's Bal
 * are required, so one of the two must be known; QIF and the CSVs carry no balance.
 */
export function hasNeededBalance(type: ExportType, s: { openingBalanceCents: number | null; closingBalanceCents: number | null }): boolean {
  return (type !== 'ofx' && type !== 'camt053') || s.openingBalanceCents !== null || s.closingBalanceCents !== null;
}
