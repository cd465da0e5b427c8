/**
 * The loop every export shares, on the same terms as the CSV and xlsx renderers (see
 * ../index.ts): rows pulled one at a time and checked (rows.ts), output batched into
 * ~64 KiB writes with the sink's backpressure honoured, abort and sink failure seen within
 * one wait (pacing.ts), progress every `progressEvery` rows, and on failure `out` left
 * un-ended so a partial file never looks complete. A format only says what its head, each
 * record and its tail are.
 */
import { finished } from 'node:stream/promises';
import { TaskInputError } from '../../../contract/errors';
import { RenderPacer } from '../pacing';
import { BAD_ROW_CODE, rowPreparer, type PreparedRow } from '../rows';
import { SummaryAccumulator } from '../summary';
import type { RenderOutcome, ReportRow } from '../types';
import type { ExportOptions, ExportStatement } from './types';

export interface ExportRow extends PreparedRow {
  fitid: string;
}

/** What the tail may need of the rows that went before it. */
export interface ExportTally {
  count: number;
  /** Sum of the signed amounts. */
  netCents: number;
}

export interface ExportFormat {
  head(): string;
  record(row: ExportRow): string;
  tail(tally: ExportTally): string;
}

const CHUNK_CHARS = 64 * 1024;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Exports carry no VAT columns: the preparer's VAT figures stay 0. */
const NO_VAT = { includeVat: false, vat: { ratePercent: 0, vatCategories: [] } };

export async function streamExport(
  rows: AsyncIterable<ReportRow>,
  out: NodeJS.WritableStream,
  opts: ExportOptions,
  format: (statement: ExportStatement) => ExportFormat,
): Promise<RenderOutcome> {
  const pacer = new RenderPacer(opts, out);
  try {
    const s = opts.statement;
    if (!DATE_RE.test(s.periodStart) || !DATE_RE.test(s.periodEnd)) {
      throw new RangeError(`the statement period must be two YYYY-MM-DD dates, got ${s.periodStart} .. ${s.periodEnd}`);
    }
    if (!/^[A-Za-z0-9]{1,35}$/.test(s.messageId)) throw new RangeError(`messageId must be 1-35 letters or digits, got ${s.messageId}`);
    const writer = format(s);
    const prepare = rowPreparer(NO_VAT);
    const summary = new SummaryAccumulator();
    pacer.check();

    const write = async (text: string): Promise<void> => {
      if (!out.write(text, 'utf8')) await pacer.drain(out);
      pacer.check();
    };

    let pending = writer.head();
    let count = 0;
    let netCents = 0;
    for await (const raw of rows) {
      pacer.check();
      const row = prepare(raw, count);
      const fitid = raw.fitid;
      if (typeof fitid !== 'string' || fitid === '') {
        throw new TaskInputError(BAD_ROW_CODE, `report row ${count + 1}: the transaction has no id (fitid), which every export needs`);
      }
      summary.add(row);
      pending += writer.record({ ...row, fitid });
      count += 1;
      netCents += row.amountCents;
      if (pending.length >= CHUNK_CHARS) {
        await write(pending);
        pending = '';
      }
      const progress = pacer.rowDone(count);
      if (progress) await progress;
    }
    pending += writer.tail({ count, netCents });
    await write(pending);
    out.end();
    await pacer.race(finished(out, { readable: false }));
    await pacer.finish(count);
    return { rowsWritten: count, totals: summary.totals() };
  } finally {
    pacer.dispose();
  }
}
