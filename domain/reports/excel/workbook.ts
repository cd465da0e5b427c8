/**
 * The Excel report: an xlsx package written by us straight into the caller's stream — the
 * Transactions sheet streamed row by row as XML, the small parts from templates, all
 * deflated into a zip as they come (zip/writer.ts).
 *
 * Sheet order: Transactions, [Transactions (2) ...], Summary, Monthly, [VAT].
 * Why Transactions first, although a summary-first workbook reads nicer: the zip is
 * written strictly entry by entry, and the Summary figures only exist once every row has
 * gone by. Writing Summary first would mean holding every row until the end. So the
 * workbook is set to OPEN on the Summary tab, which is what a reader wants first.
 */
import { TaskInputError } from '../../../contract/errors';
import { RenderPacer } from '../pacing';
import { rowPreparer } from '../rows';
import { SummaryAccumulator } from '../summary';
import type { RenderOptions, RenderOutcome, ReportRow } from '../types';
import {
  appPropertiesXml,
  contentTypesXml,
  corePropertiesXml,
  rootRelsXml,
  sheetPartName,
  workbookRelsXml,
  workbookXml,
} from './package-parts';
import { stylesXml } from './styles';
import { MONTHLY_SHEET, SUMMARY_SHEET, monthlySheetXml, summarySheetXml } from './summary-sheets';
import { TransactionsSheets } from './transactions-sheet';
import { VAT_SHEET, vatSheetXml } from './vat-sheet';
import type { ZipLimits } from './zip/records';
import { ZipLimitError, ZipWriter } from './zip/writer';

const CREATOR = 'Statementflow';
/** A workbook past a zip32 limit: not retried, the same rows would fail again. */
export const TOO_LARGE_CODE = 'REPORT_TOO_LARGE';

export interface ExcelInternals {
  /** Data rows per Transactions sheet; tests lower it to exercise the spill-over. */
  maxRowsPerSheet?: number;
  /** The zip's size limits; tests lower them to reach them. */
  zipLimits?: ZipLimits;
}

export async function renderExcelReport(
  rows: AsyncIterable<ReportRow>,
  out: NodeJS.WritableStream,
  opts: RenderOptions,
  internals: ExcelInternals = {},
): Promise<RenderOutcome> {
  const pacer = new RenderPacer(opts, out);
  let zip: ZipWriter | undefined;
  try {
    const prepare = rowPreparer(opts);
    // Nothing is written to `out` if we are cancelled before starting.
    pacer.check();
    const now = new Date();
    zip = new ZipWriter(out, pacer, now, internals.zipLimits);
    await zip.addEntry('_rels/.rels', rootRelsXml());

    const tx = new TransactionsSheets(zip, pacer, opts.includeVat, opts.title, internals.maxRowsPerSheet);
    await tx.open();
    const summary = new SummaryAccumulator();
    let count = 0;
    for await (const raw of rows) {
      pacer.check();
      const row = prepare(raw, count);
      const written = tx.add(row);
      if (written) await written;
      summary.add(row);
      count += 1;
      const progress = pacer.rowDone(count);
      if (progress) await progress;
    }
    const names = await tx.close();

    const summaryTab = names.length;
    const small: Array<[string, string]> = [
      [SUMMARY_SHEET, summarySheetXml(summary, opts.includeVat, opts.title)],
      [MONTHLY_SHEET, monthlySheetXml(summary, opts.title)],
    ];
    if (opts.includeVat) small.push([VAT_SHEET, vatSheetXml(summary, opts.vat, opts.title)]);
    for (const [name, xml] of small) {
      await zip.addEntry(sheetPartName(names.length), xml);
      names.push(name);
    }
    await zip.addEntry('xl/styles.xml', stylesXml());
    await zip.addEntry('xl/workbook.xml', workbookXml(names, summaryTab));
    await zip.addEntry('xl/_rels/workbook.xml.rels', workbookRelsXml(names.length));
    await zip.addEntry('docProps/core.xml', corePropertiesXml(CREATOR, opts.title, now));
    await zip.addEntry('docProps/app.xml', appPropertiesXml(CREATOR));
    await zip.addEntry('[Content_Types].xml', contentTypesXml(names.length));
    // Resolves when `out` has emitted 'finish', i.e. every byte is flushed to the sink.
    await zip.finish();
    await pacer.finish(count);
    return { rowsWritten: count, totals: summary.totals() };
  } catch (err) {
    // `out` is left open for the caller to discard: a truncated file must not look complete.
    zip?.abandon();
    if (err instanceof ZipLimitError) throw new TaskInputError(TOO_LARGE_CODE, `The report is too large for an xlsx file: ${err.message}`);
    throw err;
  } finally {
    pacer.dispose();
  }
}
