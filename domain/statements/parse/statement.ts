/**
 * parseStatement: positioned pages in, transactions with their checks out.
 *
 *   lines per page → which bank (name on page 1 + its own header) → one pass over the
 *   table → summary from the lines outside it → years, signs and fees → three-way check.
 *
 * Pure and synchronous; linear in the number of text items apart from sorting each page.
 *
 * The pages are read twice, one at a time (parseStatementFrom): the first pass counts
 * the lines repeated in page margins and finds the bank and its header, the second reads
 * the table. Neither holds more than one page's lines, so a 5,000-page statement costs
 * the memory of its transactions, not of its text (the parse step reads the pages from
 * the extraction's work files, page by page). A statement the caller can hold is read
 * once instead, the first pass's lines kept for the second (ParseOptions.keepLines).
 */
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';
import { findAccountNumber } from '../account';
import { BankDetector, generic, type BankLayout, type Detection } from '../banks';
import { dayNumber, fromIso, toIso, YearResolver, type CalendarDate, type DateFormat, type PartialDate } from '../grammar/date';
import { FurnitureCounts } from '../layout/furniture';
import { LayoutInference } from '../layout/infer-columns';
import { buildLines, type Line } from '../layout/lines';
import { pageHasText } from '../text-layer';
import type { ParsedStatement, ParsedTransaction, ParseWarning, PositionedPage, TextItem } from '../types';
import { resolveRows } from './resolve';
import { readSummary, type SummaryField } from './summary';
import { tableReader, type TableEvent } from './table';
import { runToEnd, runYielding } from './steps';
import { validate } from './validate';
import { orientWithoutBalance } from './without-balance';

/** Readable pages searched for the account number (above the table): banks print it on the first page, a few on the second. */
const ACCOUNT_PAGES = 2;

/** The pages of a document in page order, each once; called once per pass. */
export type PageSource = () => Iterable<PositionedPage>;

export interface ParseOptions {
  /**
   * Columns inferred without a header are accepted only if the balance chain then holds
   * (an invoice's lines do not chain). A caller that mends the figures first (the OCR
   * repair) asks for the result anyway and applies that test itself, after mending.
   */
  keepUnchainedInference?: boolean;
  /**
   * Keep the first pass's lines for the second, reading the source once: lines are not
   * built twice (~15% of a parse's time), at the memory of every page's lines (about that
   * of their text items). For statements the caller holds anyway or judges short enough.
   */
  keepLines?: boolean;
}

/** The parse of pages all at hand (their lines kept for the second pass: they are held anyway). */
export function parseStatement(input: PositionedPage[], options: ParseOptions = {}): ParsedStatement {
  const pages = [...input].sort((a, b) => a.page - b.page);
  return parseStatementFrom(() => pages, { keepLines: true, ...options });
}

/** The parse, run to its end at once. */
export function parseStatementFrom(source: PageSource, options: ParseOptions = {}): ParsedStatement {
  return runToEnd(parseStatementSteps(source, options));
}

/** The same parse inside an activity: the event loop is handed back between slices of pages (steps.ts). */
export function parseStatementYielding(source: PageSource, between: () => void, options: ParseOptions = {}): Promise<ParsedStatement> {
  return runYielding(parseStatementSteps(source, options), between);
}

/** The parse as steps: it yields before each page of each pass. */
export function* parseStatementSteps(source: PageSource, options: ParseOptions = {}): Generator<void, ParsedStatement, void> {
  const warnings: ParseWarning[] = [];
  // Pass 1: margins counted, bank and header found, columns inferred in case there is none.
  const counts = new FurnitureCounts();
  const detector = new BankDetector();
  let inference: { bank: BankLayout; formats: DateFormat[]; layout: LayoutInference } | null = null;
  const head: Line[][] = []; // the first pages, until the bank they name is known
  let firstReadable: number | null = null;
  const accountPages: PositionedPage[] = [];
  /** Each readable page's lines, for the second pass, when kept (options.keepLines). */
  const kept: Line[][] | null = options.keepLines ? [] : null;
  let last = 0;
  for (const p of source()) {
    yield;
    if (!(p.page > last)) throw new Error(`parseStatementFrom: page ${p.page} after page ${last}: pages must come in order, each once`);
    last = p.page;
    // Judged on the items, not the flag: OCR may have filled a page that had no text layer.
    if (!pageHasText(p.items)) {
      warnings.push({
        page: p.page,
        line: 0,
        code: 'PAGE_NO_TEXT',
        message: `Page ${p.page} has no text layer (it looks like a scanned image); any transactions on it were not read`,
      });
      continue;
    }
    firstReadable ??= p.page;
    if (accountPages.length < ACCOUNT_PAGES) accountPages.push(p);
    const lines = buildLines(p);
    kept?.push(lines);
    counts.add(lines);
    detector.add(lines);
    if (inference) inference.layout.add(lines);
    else if (head.push(lines) >= 2) inference = startInference(detector, head);
  }
  if (firstReadable === null) {
    throw new TaskInputError(
      TaskErrorCodes.PDF_NO_TEXT,
      'The PDF has no text to read: its pages look like scanned images. Upload the statement as downloaded from the bank (not a scan or photo), or a PDF with selectable text.',
    );
  }
  inference ??= startInference(detector, head);

  const detection = detector.result() ?? withoutHeader(inference);
  if (!detection) throw notAStatement();
  const { bank } = detection;
  const accountNumber = findAccountNumber(aboveTable(accountPages, detection.header));
  if (detection.inferred) {
    warnings.push({
      page: detection.header.page,
      line: detection.header.line,
      code: 'COLUMNS_INFERRED',
      message: `No column header was recognised; the columns were inferred from the dated rows starting on page ${detection.header.page}, line ${detection.header.line}`,
    });
  }

  // Pass 2: the table, page by page, with each page's furniture left out.
  const reader = tableReader(bank, detection.inferred ? detection.header : undefined);
  for (const lines of kept ?? linesOf(source)) {
    yield;
    reader.page(lines, (tableStart) => counts.ofPage(lines, tableStart));
  }
  const table = reader.finish();
  // Transaction histories printed newest first are read oldest first: the balance chain
  // and the years of yearless dates run forward in time.
  if (newestFirst(table.events)) table.events.reverse();
  const summary = readSummary(table.outside);
  const printed = { ...summary.values };
  for (const [field, list] of Object.entries(table.totals) as [SummaryField, NonNullable<(typeof printed)[SummaryField]>][]) {
    printed[field] = [...(printed[field] ?? []), ...list];
  }

  const yearless = table.events.some((e) => e.type === 'row' && e.row.date.year === null);
  if (yearless && !summary.periodStart && summary.anyYear === null) {
    warnings.push({
      page: firstReadable,
      line: 0,
      code: 'YEAR_ASSUMED',
      message: 'The statement prints dates without a year and no statement period or other date was found; the current year was assumed',
    });
  }
  const years = new YearResolver(summary.periodStart, summary.periodEnd, summary.anyYear ?? new Date().getUTCFullYear());
  const firstRow = table.events.findIndex((e) => e.type === 'row');
  const tableOpening = table.events.find((e, i) => e.type === 'marker' && e.marker.kind === 'forward' && (firstRow < 0 || i < firstRow));
  const openingHint = tableOpening?.type === 'marker' ? tableOpening.marker.cents : (printed.opening?.[0]?.value ?? null);

  const resolved = resolveRows(table.events, bank, years, openingHint);
  if (!detection.header.columns.some((c) => c.kind === 'balance')) {
    // No running balance: the printed opening and closing balance are all there is to go by.
    const oriented = orientWithoutBalance(resolved.entries, printed, resolved.warnings);
    if (!oriented) throw notAStatement();
    resolved.entries = oriented.entries;
    resolved.warnings = oriented.warnings;
    Object.assign(printed, oriented.printed);
  }
  const skippedRows = [...table.skipped, ...resolved.skipped].sort((a, b) => a.page - b.page || a.line - b.line);
  const transactions = resolved.entries.flatMap((e) => (e.type === 'tx' ? [e.tx] : []));
  transactions.forEach((t, i) => (t.seq = i + 1));

  if (transactions.length === 0 && skippedRows.length === 0 && openingHint === null && !printed.closing) {
    throw new TaskInputError(
      TaskErrorCodes.NOT_A_STATEMENT,
      'This PDF does not look like a bank statement: it has a table header but no transactions or balances under it.',
    );
  }

  warnings.push(...outsidePeriod(transactions, summary.periodStart, summary.periodEnd));
  const checked = validate({
    entries: resolved.entries,
    printed,
    skippedCount: skippedRows.filter((r) => !table.moneyless.has(r)).length,
  });
  if (detection.inferred && !options.keepUnchainedInference && !inferredChainHolds(transactions.length, checked.warnings)) throw notAStatement();
  warnings.push(...resolved.warnings, ...checked.warnings);
  warnings.sort((a, b) => a.page - b.page || a.line - b.line);
  return {
    bankSource: bank.name, // the bank's own name, as clients of the Celery service show it ("Standard Bank")
    accountNumber,
    transactions,
    openingBalanceCents: checked.openingCents,
    closingBalanceCents: checked.closingCents,
    periodStart: summary.periodStart ? toIso(summary.periodStart) : null,
    periodEnd: summary.periodEnd ? toIso(summary.periodEnd) : null,
    reconciled: checked.reconciled && !warnings.some((w) => w.code === 'PAGE_NO_TEXT' || w.code === 'SIGN_ASSUMED'),
    warnings,
    skippedRows,
  };
}

/** Each readable page's lines, built as the source is read again. */
function* linesOf(source: PageSource): Generator<Line[]> {
  for (const p of source()) if (pageHasText(p.items)) yield buildLines(p);
}

/**
 * The text of these pages above the transaction table: where a bank prints the account.
 * Below it, descriptions name other accounts ("Transfer from savings account 62…").
 */
function aboveTable(pages: readonly PositionedPage[], header: { page: number; line: number }): TextItem[][] {
  return pages
    .filter((p) => p.page <= header.page)
    .map((p) => {
      if (p.page < header.page) return p.items;
      const top = buildLines(p).find((l) => l.index === header.line)?.top ?? Infinity;
      return p.items.filter((i) => i.y < top);
    });
}

export function notAStatement(): TaskInputError {
  return new TaskInputError(
    TaskErrorCodes.NOT_A_STATEMENT,
    'This PDF does not look like a bank statement: no transaction table was found (dated rows with amounts and a running balance, under a header such as Date, Description, Amount, Balance). If it is a statement, its layout is not supported yet.',
  );
}

/**
 * Column inference, started once the first pages have named the bank: that bank (or the
 * generic layout) still decides the date forms and sign conventions.
 */
function startInference(detector: BankDetector, head: Line[][]): { bank: BankLayout; formats: DateFormat[]; layout: LayoutInference } {
  const bank = detector.namedBanks()[0] ?? generic;
  const formats = [...new Set([...bank.dateFormats, ...generic.dateFormats])];
  const layout = new LayoutInference(formats);
  for (const lines of head.splice(0)) layout.add(lines);
  return { bank, formats, layout };
}

/** No header matched: try the columns that dated rows with balances imply. */
function withoutHeader(inference: { bank: BankLayout; formats: DateFormat[]; layout: LayoutInference }): (Detection & { inferred: true }) | null {
  const header = inference.layout.result();
  return header ? { bank: { ...inference.bank, dateFormats: inference.formats }, header, inferred: true } : null;
}

/** An inferred layout must read as a statement: enough rows, and balances that follow. */
export function inferredChainHolds(rows: number, warnings: readonly ParseWarning[]): boolean {
  const breaks = warnings.filter((w) => w.code === 'BALANCE_MISMATCH').length;
  return rows >= 3 && breaks <= rows * 0.2;
}

/** Most neighbouring rows step back in time: the list is newest first. */
function newestFirst(events: TableEvent[]): boolean {
  const key = (d: PartialDate) => (d.year ?? 0) * 372 + d.month * 31 + d.day;
  let back = 0;
  let forward = 0;
  let previous: number | null = null;
  for (const e of events) {
    if (e.type !== 'row') continue;
    const k = key(e.row.date);
    if (previous !== null && k < previous) back++;
    if (previous !== null && k > previous) forward++;
    previous = k;
  }
  return back >= 3 && back > 4 * forward;
}

/** Days a row may fall outside the printed period (late postings) before it is remarked on. */
const PERIOD_SLACK_DAYS = 7;

/** A date far outside the period usually means a misread year; it is reported, not changed. */
function outsidePeriod(txs: ParsedTransaction[], start: CalendarDate | null, end: CalendarDate | null): ParseWarning[] {
  if (!start || !end) return [];
  const lo = dayNumber(start) - PERIOD_SLACK_DAYS;
  const hi = dayNumber(end) + PERIOD_SLACK_DAYS;
  return txs
    .filter((t) => {
      const n = dayNumber(fromIso(t.date));
      return n < lo || n > hi;
    })
    .map((t) => ({
      page: t.page,
      line: t.line,
      code: 'DATE_OUTSIDE_PERIOD',
      message: `Page ${t.page}, line ${t.line}: the date ${t.date} is outside the statement period ${toIso(start)} to ${toIso(end)}`,
    }));
}
