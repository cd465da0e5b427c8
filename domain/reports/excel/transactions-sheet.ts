/**
 * The Transactions sheet(s), streamed: each row is committed as soon as it is added, so
 * exceljs keeps no row objects and memory stays flat in the row count. An Excel sheet
 * holds at most 1,048,576 rows; beyond that the rows continue on "Transactions (2)", ...
 * with the same header (REPORT_MAX_ROWS allows two million rows).
 */
import type ExcelJS from 'exceljs';
import { transactionColumns, type TransactionColumn } from '../columns';
import { centsToNumber, type PreparedRow } from '../rows';
import { sheetBacklogBytes } from './backlog';
import {
  CURRENCY_FORMAT,
  DATE_FORMAT,
  MAX_SHEET_ROWS,
  clampText,
  setAutoFilter,
  startSheet,
  type SheetColumn,
  type SheetLayout,
} from './layout';

export const TRANSACTIONS_SHEET = 'Transactions';

export class TransactionsSheets {
  private readonly columns: TransactionColumn[];
  private readonly sheetColumns: SheetColumn[];
  private current: SheetLayout | null = null;
  private rowsInSheet = 0;
  private sheets = 0;

  constructor(
    private readonly wb: ExcelJS.Workbook,
    includeVat: boolean,
    private readonly title: string | undefined,
    /** Data rows per sheet; only tests lower it, to exercise the spill without a million rows. */
    private readonly maxDataRows = MAX_SHEET_ROWS - (title ? 2 : 1),
  ) {
    this.columns = transactionColumns(includeVat);
    this.sheetColumns = this.columns.map((c) => ({
      header: c.header,
      width: c.width,
      numFmt: c.kind === 'money' ? CURRENCY_FORMAT : c.kind === 'date' ? DATE_FORMAT : undefined,
    }));
  }

  /** Opens the first sheet now, so it is the first zip entry and the first tab. */
  open(): void {
    if (!this.current) this.openNext();
  }

  add(row: PreparedRow): void {
    if (!this.current || this.rowsInSheet >= this.maxDataRows) this.openNext();
    const values = this.columns.map((col) => {
      const v = col.value(row);
      switch (col.kind) {
        case 'date':
          return row.day;
        case 'money':
          return v === null ? null : centsToNumber(v as number);
        default:
          // Empty text becomes an empty cell rather than a zero-length string.
          return v === '' ? null : clampText(v as string);
      }
    });
    this.current!.ws.addRow(values).commit();
    this.rowsInSheet += 1;
  }

  /** Sheet XML produced but not yet taken by the compressor (see backlog.ts). */
  backlogBytes(): number {
    return this.current ? sheetBacklogBytes(this.current.ws) : 0;
  }

  /** Finishes the last sheet; returns how many Transactions sheets there are. */
  close(): number {
    this.open();
    this.finishCurrent();
    return this.sheets;
  }

  private openNext(): void {
    this.finishCurrent();
    this.sheets += 1;
    const name = this.sheets === 1 ? TRANSACTIONS_SHEET : `${TRANSACTIONS_SHEET} (${this.sheets})`;
    this.current = startSheet(this.wb, name, this.sheetColumns, this.title);
    this.rowsInSheet = 0;
  }

  private finishCurrent(): void {
    if (!this.current) return;
    setAutoFilter(this.current, this.current.headerRow + this.rowsInSheet);
    // Committing ends this sheet's zip entry, letting archiver move on to the next one.
    this.current.ws.commit();
    this.current = null;
  }
}
