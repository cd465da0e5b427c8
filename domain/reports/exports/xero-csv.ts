/**
 * Xero's bank statement import (its "precoded" CSV template, first six columns):
 * `*Date,*Amount,Payee,Description,Reference,Cheque Number`, dates DD/MM/YYYY, amounts
 * signed (money out negative) with no currency sign or thousands separator. The payee is
 * the statement's description and the reference the row's stable id, so a row imported
 * twice is recognisable. Xero takes at most 1,000 lines per import: the file is not split
 * (docs/exports.md says how to import a longer one).
 */
import type { RenderOutcome, ReportRow } from '../types';
import { centsToDecimal } from '../rows';
import { csvRecord, textField } from '../csv/escape';
import { streamExport, type ExportFormat } from './stream';
import { dayFirst, singleLine } from './text';
import type { ExportOptions } from './types';

export const XERO_HEADER = ['*Date', '*Amount', 'Payee', 'Description', 'Reference', 'Cheque Number'] as const;

export function renderXeroCsv(rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions): Promise<RenderOutcome> {
  return streamExport(rows, out, opts, xeroFormat);
}

function xeroFormat(): ExportFormat {
  return {
    // No BOM: Xero matches the header by name, and a BOM would make the first one "\uFEFF*Date".
    head: () => csvRecord([...XERO_HEADER]),
    record: (r) => csvRecord([dayFirst(r.date), centsToDecimal(r.amountCents), textField(singleLine(r.description)), '', textField(r.fitid), '']),
    tail: () => '',
  };
}
