/**
 * Report renderers: pure functions from a stream of transactions to an xlsx or csv byte
 * stream. No database, no Temporal — the activity that calls them owns both.
 */
export type { RenderOptions, RenderOutcome, RenderTotals, ReportRow, VatSettings } from './types';
export { vatFromInclusiveCents, isVatCategory } from './vat';
export { renderCsvReport } from './csv/writer';
export { DEFAULT_PROGRESS_EVERY } from './pacing';
export { BAD_ROW_CODE } from './rows';

import { renderExcelReport as renderExcel } from './excel/workbook';
import type { RenderOptions, RenderOutcome, ReportRow } from './types';

/** The Excel report (see excel/workbook.ts for the sheet order and streaming notes). */
export async function renderExcelReport(
  rows: AsyncIterable<ReportRow>,
  out: NodeJS.WritableStream,
  opts: RenderOptions,
): Promise<RenderOutcome> {
  return renderExcel(rows, out, opts);
}
