/**
 * The Excel report, written with exceljs's streaming WorkbookWriter (styles on, shared
 * strings off: a shared-string table would hold every distinct description in memory).
 *
 * Sheet order: Transactions, [Transactions (2) ...], Summary, Monthly, [VAT].
 * Why Transactions first, although a summary-first workbook reads nicer: the streaming
 * writer appends each sheet's XML to the zip the moment the sheet is CREATED, and the zip
 * is written strictly entry by entry. Creating Summary up front and filling it last would
 * block the zip on Summary's entry until the end, so every transaction row would queue
 * in memory behind it — the opposite of streaming. So the Summary, Monthly and VAT sheets
 * are created after the transactions are done (their figures only exist then anyway),
 * and the workbook is set to OPEN on the Summary tab, which is what a reader wants first.
 */
import type ExcelJS from 'exceljs';

// Loaded on first use: workers that never render a report do not carry exceljs (~30 MB).
const loadExcel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
import type { Readable, Writable } from 'node:stream';
import { RenderPacer } from '../pacing';
import { rowPreparer } from '../rows';
import { SummaryAccumulator } from '../summary';
import type { RenderOptions, RenderOutcome, ReportRow } from '../types';
import { writeMonthlySheet, writeSummarySheet } from './summary-sheets';
import { TransactionsSheets } from './transactions-sheet';
import { writeVatSheet } from './vat-sheet';

/** Check the zip backlog every this many rows; cheap, but not free. */
const PACE_EVERY_ROWS = 256;
/** Above this much uncompressed XML waiting, stop pulling rows... */
const BACKLOG_HIGH_BYTES = 4 * 1024 * 1024;
/** ...until it is down to this. */
const BACKLOG_LOW_BYTES = 1024 * 1024;
/** Poll the backlog from 1 ms up to this while waiting: prompt, but no busy loop on a dead sink. */
const BACKLOG_POLL_MAX_MS = 25;
/**
 * archiver buffers 1 MiB each side of its Transform by default: ~2 MiB of COMPRESSED xml
 * (~20 MiB of sheet XML) that a stalled sink would let us produce beyond the backlog
 * brake. 64 KiB keeps the whole pipeline's buffering in single-digit megabytes.
 */
const ZIP_HIGH_WATER_MARK = 64 * 1024;

export interface ExcelInternals {
  /** Data rows per Transactions sheet; tests lower it to exercise the spill-over. */
  maxRowsPerSheet?: number;
}

export async function renderExcelReport(
  rows: AsyncIterable<ReportRow>,
  out: NodeJS.WritableStream,
  opts: RenderOptions,
  internals: ExcelInternals = {},
): Promise<RenderOutcome> {
  const pacer = new RenderPacer(opts, out);
  let zip: Readable | undefined;
  try {
    const prepare = rowPreparer(opts);
    // Nothing is written to `out` if we are cancelled before starting.
    pacer.check();
    const wb = new ((await loadExcel()).stream.xlsx.WorkbookWriter)({
      stream: out as unknown as Writable,
      useStyles: true,
      useSharedStrings: false,
      // highWaterMark is passed through to archiver but missing from exceljs's typings.
      zip: { highWaterMark: ZIP_HIGH_WATER_MARK } as Partial<ExcelJS.stream.xlsx.ArchiverZipOptions>,
    });
    wb.creator = 'Statementflow';
    if (opts.title) wb.title = opts.title;
    zip = (wb as unknown as { zip: Readable }).zip;
    // exceljs listens for zip errors only while finalizing; an earlier one would be an
    // unhandled 'error' event and take the worker down.
    zip.on('error', (err: unknown) => pacer.fail(err));

    const tx = new TransactionsSheets(wb, opts.includeVat, opts.title, internals.maxRowsPerSheet);
    tx.open();
    const summary = new SummaryAccumulator();
    let count = 0;
    for await (const raw of rows) {
      pacer.check();
      const row = prepare(raw, count);
      tx.add(row);
      summary.add(row);
      count += 1;
      if (count % PACE_EVERY_ROWS === 0) await pace(pacer, tx);
      const progress = pacer.rowDone(count);
      if (progress) await progress;
    }
    const transactionSheets = tx.close();

    writeSummarySheet(wb, summary, opts.includeVat, opts.title);
    writeMonthlySheet(wb, summary, opts.title);
    if (opts.includeVat) writeVatSheet(wb, summary, opts.vat, opts.title);
    // 0-based tab index of Summary, right after the Transactions sheet(s).
    wb.views = [{ activeTab: transactionSheets, firstSheet: 0, x: 0, y: 0, width: 24000, height: 16000, visibility: 'visible' }];

    // Resolves when `out` has emitted 'finish', i.e. every byte is flushed to the sink.
    await pacer.race(wb.commit());
    await pacer.finish(count);
    return { rowsWritten: count, totals: summary.totals() };
  } catch (err) {
    if (zip) abandon(zip, out);
    throw err;
  } finally {
    pacer.dispose();
  }
}

/** Lets compression and the sink catch up; waits while the XML backlog is too large. */
async function pace(pacer: RenderPacer, tx: TransactionsSheets): Promise<void> {
  await pacer.yieldTurn();
  if (tx.backlogBytes() <= BACKLOG_HIGH_BYTES) return;
  for (let wait = 1; tx.backlogBytes() > BACKLOG_LOW_BYTES; wait = Math.min(wait * 2, BACKLOG_POLL_MAX_MS)) {
    await pacer.sleep(wait);
  }
}

/**
 * Stops the zip from writing anything more to the caller's stream. Unpipe first: archiver's
 * abort() ends its output, and through the pipe that would end `out` — making a truncated
 * file look complete to a caller that finalizes on 'finish'. `out` itself is left open
 * for the caller to discard (it owns it).
 */
function abandon(zip: Readable, out: NodeJS.WritableStream): void {
  zip.unpipe(out as unknown as Writable);
  zip.on('error', () => undefined);
  const abortable = zip as unknown as { abort?: () => void };
  try {
    abortable.abort?.();
  } catch {
    // Best effort: the render has already failed with the error we are rethrowing.
  }
}
