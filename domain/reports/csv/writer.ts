/**
 * The Transactions sheet as CSV: UTF-8 with a BOM (without it Excel reads UTF-8 as the
 * local ANSI code page and mangles é, ü, emoji), CRLF records, RFC 4180 quoting, text
 * fields neutralized against formula injection, amounts as plain `-1234.50` (no currency
 * sign or thousands separator, so every spreadsheet and parser reads them as numbers).
 * Summary figures are accumulated as in the workbook so both renderers return the same
 * totals for the same rows.
 */
import { finished } from 'node:stream/promises';
import { transactionColumns, type TransactionColumn } from '../columns';
import { RenderPacer } from '../pacing';
import { centsToDecimal, rowPreparer, type PreparedRow } from '../rows';
import { SummaryAccumulator } from '../summary';
import type { RenderOptions, RenderOutcome, ReportRow } from '../types';
import { csvRecord, quoteField, textField } from './escape';

export const UTF8_BOM = '\uFEFF';
/** Batch records into ~64 KiB writes: one write per row costs more than the formatting. */
const CHUNK_CHARS = 64 * 1024;

export async function renderCsvReport(
  rows: AsyncIterable<ReportRow>,
  out: NodeJS.WritableStream,
  opts: RenderOptions,
): Promise<RenderOutcome> {
  const pacer = new RenderPacer(opts, out);
  try {
    const prepare = rowPreparer(opts);
    const columns = transactionColumns(opts.includeVat);
    const summary = new SummaryAccumulator();
    pacer.check();

    const write = async (text: string): Promise<void> => {
      // Honour the sink's backpressure: the caller's store may be much slower than we are.
      if (!out.write(text, 'utf8')) await pacer.drain(out);
      pacer.check();
    };

    let pending = UTF8_BOM + csvRecord(columns.map((c) => textField(c.header)));
    let count = 0;
    for await (const raw of rows) {
      pacer.check();
      const row = prepare(raw, count);
      summary.add(row);
      pending += formatRecord(columns, row);
      count += 1;
      if (pending.length >= CHUNK_CHARS) {
        await write(pending);
        pending = '';
      }
      const progress = pacer.rowDone(count);
      if (progress) await progress;
    }
    if (pending) await write(pending);
    out.end();
    await pacer.race(finished(out, { readable: false }));
    await pacer.finish(count);
    return { rowsWritten: count, totals: summary.totals() };
  } finally {
    pacer.dispose();
  }
}

function formatRecord(columns: readonly TransactionColumn[], row: PreparedRow): string {
  const fields = columns.map((col) => {
    const v = col.value(row);
    if (col.kind === 'money') return v === null ? '' : centsToDecimal(v as number);
    // Dates are validated YYYY-MM-DD, so they need neither quoting nor neutralizing.
    if (col.kind === 'date') return quoteField(String(v));
    return textField(String(v));
  });
  return csvRecord(fields);
}
