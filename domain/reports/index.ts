/**
 * Report renderers: pure functions from a stream of transactions to an xlsx or csv byte
 * stream, or one of the exports for accounting software (exports/: OFX, QIF, Xero's and
 * Sage's CSV, camt.053). No database, no Temporal — the activity that calls them owns both.
 *
 * Contract with the caller, for every renderer:
 *  - rows are pulled one at a time and never held (memory is flat in the row count);
 *    the output's backpressure is honoured, so a slow store slows the pull, not the heap;
 *  - on success `out` has been ended and has emitted 'finish' before the promise resolves;
 *  - on failure (abort -> rejects with `signal.reason`; a malformed row -> TaskInputError
 *    code REPORT_BAD_ROW, non-retryable; an xlsx past the zip32 limits (4 GiB) ->
 *    TaskInputError code REPORT_TOO_LARGE, non-retryable; the sink's own error) nothing
 *    more is written and `out` is NOT ended, so a partial file never looks complete:
 *    discard it (destroy it, drop its chunks);
 *  - the row iterator is closed (return()) on every exit, releasing a database cursor.
 */
export type { RenderOptions, RenderOutcome, RenderTotals, ReportRow, VatSettings } from './types';
export { vatFromInclusiveCents, isVatCategory } from './vat';
export { renderCsvReport } from './csv/writer';
export { renderExcelReport, TOO_LARGE_CODE } from './excel/workbook';
export { DEFAULT_PROGRESS_EVERY } from './pacing';
export { BAD_ROW_CODE } from './rows';
export { CORRECTED_NOTE, reportTitle } from './title';
export * from './exports';
