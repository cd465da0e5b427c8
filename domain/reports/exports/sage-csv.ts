/**
 * Sage Business Cloud Accounting's four-column bank statement CSV:
 * `Date,Description,Money In,Money Out`, dates DD/MM/YYYY, each amount as a positive
 * figure in the one column it belongs to and the other left empty (a zero amount goes in
 * Money In). No currency sign or thousands separator, no BOM.
 */
import type { RenderOutcome, ReportRow } from '../types';
import { csvRecord, textField } from '../csv/escape';
import { streamExport, type ExportFormat } from './stream';
import { dayFirst, magnitude, singleLine } from './text';
import type { ExportOptions } from './types';

export const SAGE_HEADER = ['Date', 'Description', 'Money In', 'Money Out'] as const;

export function renderSageCsv(rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions): Promise<RenderOutcome> {
  return streamExport(rows, out, opts, sageFormat);
}

function sageFormat(): ExportFormat {
  return {
    head: () => csvRecord([...SAGE_HEADER]),
    record: (r) => {
      const value = magnitude(r.amountCents);
      const [moneyIn, moneyOut] = r.amountCents < 0 ? ['', value] : [value, ''];
      return csvRecord([dayFirst(r.date), textField(singleLine(r.description)), moneyIn, moneyOut]);
    },
    tail: () => '',
  };
}
