/**
 * The Transactions sheet(s), streamed: each row becomes XML text at once, batched into
 * chunks for the zip entry, so memory holds one chunk, never the rows. An Excel sheet
 * holds at most 1,048,576 rows; beyond that the rows continue on "Transactions (2)", ...
 * with the same header (REPORT_MAX_ROWS allows two million rows).
 */
import { transactionColumns, type TransactionColumn } from '../columns';
import type { RenderPacer } from '../pacing';
import { centsToNumberText, type PreparedRow } from '../rows';
import { columnLetter, excelSerial, fill, inlineText, numberTemplate, textTemplate, type CellTemplate } from './cells';
import { MAX_SHEET_ROWS, autoFilterRef, sheetHeading, type SheetColumn, type SheetHeading } from './layout';
import { sheetEnd, sheetStart } from './sheet-xml';
import { sheetPartName } from './package-parts';
import { STYLE } from './styles';
import type { ZipEntry, ZipWriter } from './zip/writer';

export const TRANSACTIONS_SHEET = 'Transactions';

/**
 * Characters of XML per write into the deflater: big enough that per-write costs vanish,
 * small enough that the deflater always has a next chunk queued while we build this one.
 */
const CHUNK_CHARS = 64 * 1024;

export class TransactionsSheets {
  private readonly columns: TransactionColumn[];
  private readonly templates: CellTemplate[];
  private readonly heading: SheetHeading;
  /** Names of the sheets written, in tab order. */
  private readonly names: string[] = [];
  private entry: ZipEntry | null = null;
  private pending = '';
  private rowsInSheet = 0;
  /** The last date's serial as text: rows come in runs of the same day. */
  private serialDayMs = Number.NaN;
  private serialText = '';

  constructor(
    private readonly zip: ZipWriter,
    private readonly pacer: RenderPacer,
    includeVat: boolean,
    title: string | undefined,
    /** Data rows per sheet; only tests lower it, to exercise the spill without a million rows. */
    private readonly maxDataRows = MAX_SHEET_ROWS - (title ? 2 : 1),
  ) {
    this.columns = transactionColumns(includeVat);
    this.templates = this.columns.map((c, i) => {
      const letter = columnLetter(i + 1);
      if (c.kind === 'date') return numberTemplate(letter, STYLE.date);
      return c.kind === 'money' ? numberTemplate(letter, STYLE.currency) : textTemplate(letter, STYLE.plain);
    });
    const sheetColumns: SheetColumn[] = this.columns.map((c) => ({
      header: c.header,
      width: c.width,
      format: c.kind === 'money' ? 'currency' : c.kind === 'date' ? 'date' : undefined,
    }));
    this.heading = sheetHeading(sheetColumns, title, false);
  }

  /** Opens the first sheet now, so it is the first tab even for an empty statement. */
  async open(): Promise<void> {
    if (!this.entry) await this.openNext();
  }

  /** Adds one row; returns a promise only when the caller has to wait (chunk written, sheet full). */
  add(row: PreparedRow): Promise<void> | undefined {
    if (!this.entry || this.rowsInSheet >= this.maxDataRows) return this.spillThenAdd(row);
    this.rowsInSheet += 1;
    this.pending += this.rowXml(row, this.heading.headerRow + this.rowsInSheet);
    return this.pending.length >= CHUNK_CHARS ? this.flush() : undefined;
  }

  /** Finishes the last sheet; returns the names of all Transactions sheets, in tab order. */
  async close(): Promise<string[]> {
    await this.open();
    await this.finishCurrent();
    return [...this.names];
  }

  private rowXml(row: PreparedRow, rowNumber: number): string {
    const r = String(rowNumber);
    let xml = `<row r="${r}">`;
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) {
      const col = columns[i];
      const template = this.templates[i];
      switch (col.kind) {
        case 'date':
          if (row.dayMs !== this.serialDayMs) {
            this.serialDayMs = row.dayMs;
            this.serialText = String(excelSerial(row.dayMs));
          }
          xml += fill(template, r, this.serialText);
          break;
        case 'money': {
          const cents = col.value(row) as number | null;
          if (cents !== null) xml += fill(template, r, centsToNumberText(cents));
          break;
        }
        default: {
          // Empty text is an empty cell rather than a zero-length string.
          const text = col.value(row) as string;
          if (text !== '') xml += fill(template, r, inlineText(text));
        }
      }
    }
    return `${xml}</row>`;
  }

  private async spillThenAdd(row: PreparedRow): Promise<void> {
    await this.openNext();
    await this.add(row);
  }

  /** Hands the pending XML to the deflater, then lets it (and the sink) catch up. */
  private async flush(): Promise<void> {
    const entry = this.entry!;
    const accepted = entry.write(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
    // Even when the deflater has room, give the event loop a turn: its callbacks hand the
    // next chunk to the thread pool, which is what lets compression run beside us.
    await (accepted ? this.pacer.yieldTurn() : entry.drained());
    this.pacer.check();
  }

  private async openNext(): Promise<void> {
    await this.finishCurrent();
    const index = this.names.length;
    this.names.push(index === 0 ? TRANSACTIONS_SHEET : `${TRANSACTIONS_SHEET} (${index + 1})`);
    // Transactions sheets are the first tabs, so their index is their part's index.
    this.entry = await this.zip.openEntry(sheetPartName(index));
    this.rowsInSheet = 0;
    this.pending = sheetStart(this.heading.frame) + this.heading.rowsXml;
  }

  private async finishCurrent(): Promise<void> {
    if (!this.entry) return;
    const { headerRow } = this.heading;
    this.pending += sheetEnd(autoFilterRef(headerRow, this.columns.length, headerRow + this.rowsInSheet));
    await this.flush();
    await this.zip.closeEntry();
    this.entry = null;
  }
}
