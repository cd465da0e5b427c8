/**
 * QIF, bank account type: `!Type:Bank`, then per transaction D (date), T (signed amount),
 * P (the description as payee), L (the category, when set) and `^`. Dates are DD/MM/YYYY:
 * QIF has no way to say which order it uses, and South African software (Sage among
 * others) asks the user on import; docs/exports.md tells them to pick day-first. UTF-8
 * without a BOM, CRLF lines; no blank lines (some readers stop at the first).
 */
import { centsToDecimal } from '../rows';
import type { RenderOutcome, ReportRow } from '../types';
import { streamExport, type ExportFormat } from './stream';
import { dayFirst, singleLine } from './text';
import type { ExportOptions } from './types';

export function renderQif(rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions): Promise<RenderOutcome> {
  return streamExport(rows, out, opts, qifFormat);
}

function qifFormat(): ExportFormat {
  return {
    head: () => '!Type:Bank\r\n',
    record: (r) => {
      const payee = singleLine(r.description);
      const category = r.category === null ? '' : singleLine(r.category);
      return `D${dayFirst(r.date)}\r\nT${centsToDecimal(r.amountCents)}\r\n${payee ? `P${payee}\r\n` : ''}${category ? `L${category}\r\n` : ''}^\r\n`;
    },
    tail: () => '',
  };
}
