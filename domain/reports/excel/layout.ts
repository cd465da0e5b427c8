/**
 * Look and scaffolding shared by every sheet: number formats, header and totals styles,
 * and the title/header/frozen-pane/autofilter layout. Kept in one place so all four sheets
 * read alike and the tests can assert against the same constants.
 */
import type ExcelJS from 'exceljs';

/**
 * Rand with thousands separators. The issue's `R #,##0.00` with the R quoted: an unquoted
 * letter in a number format is not a documented literal (Excel may reject or "repair" the
 * file); `"R"` is the form Excel itself writes for the en-ZA currency format and displays
 * exactly the same, "R 1,234.50" / "-R 12.50".
 */
export const CURRENCY_FORMAT = '"R" #,##0.00';
/** ISO dates: unambiguous whatever the reader's locale. */
export const DATE_FORMAT = 'yyyy-mm-dd';
export const MONTH_FORMAT = 'mmm yyyy';
export const COUNT_FORMAT = '#,##0';
export const PERCENT_FORMAT = '0.00%';

/** Excel's hard limits. */
export const MAX_SHEET_ROWS = 1_048_576;
export const MAX_CELL_CHARS = 32_767;

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
  border: { bottom: { style: 'thin' } },
  alignment: { vertical: 'middle' },
};
const TITLE_FONT: Partial<ExcelJS.Font> = { bold: true, size: 14 };
export const TOTAL_FONT: Partial<ExcelJS.Font> = { bold: true };
export const TOTAL_BORDER: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, bottom: { style: 'double' } };

export interface SheetColumn {
  header: string;
  width: number;
  /** Number format for the column's data cells (headers are text, unaffected). */
  numFmt?: string;
}

export interface SheetLayout {
  ws: ExcelJS.Worksheet;
  /** 1-based row of the header; data starts on the next row. */
  headerRow: number;
  columnCount: number;
}

/**
 * Creates a sheet with an optional title row and a header row, both frozen. The frozen
 * view has to be passed to addWorksheet: the streaming writer writes <sheetViews> as soon
 * as the sheet is created. Column widths/formats likewise go out with the first row.
 */
export function startSheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: readonly SheetColumn[],
  title: string | undefined,
  /** The tab the workbook opens on: must agree with the workbook view's activeTab. */
  selected = false,
): SheetLayout {
  const headerRow = title ? 2 : 1;
  // tabSelected is honoured by exceljs's sheet-view writer but missing from its typings.
  const view = { state: 'frozen', xSplit: 0, ySplit: headerRow, activeCell: `A${headerRow + 1}`, tabSelected: selected };
  const ws = wb.addWorksheet(name, { views: [view as Partial<ExcelJS.WorksheetView>] });
  ws.columns = columns.map((c) => ({ width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  if (title) {
    const row = ws.addRow([clampText(title)]);
    row.getCell(1).font = TITLE_FONT;
    row.commit();
  }
  const header = ws.addRow(columns.map((c) => c.header));
  for (let i = 1; i <= columns.length; i++) header.getCell(i).style = HEADER_STYLE;
  header.commit();
  return { ws, headerRow, columnCount: columns.length };
}

/** Autofilter over the header and data rows (never the totals row, which sorting would move). */
export function setAutoFilter(layout: SheetLayout, lastDataRow: number): void {
  const last = Math.max(lastDataRow, layout.headerRow);
  layout.ws.autoFilter = `A${layout.headerRow}:${columnLetter(layout.columnCount)}${last}`;
}

/** Per column of a totals row: a label, nothing, or a SUM of the data above with its known result. */
export type TotalCell = string | { sum: number } | null;

/** A bold totals row under the data. */
export function addTotalsRow(layout: SheetLayout, lastDataRow: number, cells: readonly TotalCell[]): ExcelJS.Row {
  const first = layout.headerRow + 1;
  const row = layout.ws.addRow(
    cells.map((c, i) => {
      if (c === null || typeof c === 'string') return c;
      const result = c.sum;
      // A live SUM lets the accountant audit the figure; the cached result is what readers
      // without a calculation engine (and our tests) see. No data rows: no range to sum.
      if (lastDataRow < first) return result;
      const col = columnLetter(i + 1);
      return { formula: `SUM(${col}${first}:${col}${lastDataRow})`, result };
    }),
  );
  for (let i = 1; i <= cells.length; i++) {
    const cell = row.getCell(i);
    cell.font = TOTAL_FONT;
    cell.border = TOTAL_BORDER;
  }
  return row;
}

/** Width that fits the longest text of a column, within sane bounds. */
export function fitWidth(texts: Iterable<string>, min: number, max: number): number {
  let longest = 0;
  for (const t of texts) longest = Math.max(longest, t.length);
  return Math.min(max, Math.max(min, longest + 2));
}

/** Excel refuses cells over 32,767 characters; truncating beats an unopenable file. */
export function clampText(text: string): string {
  if (text.length <= MAX_CELL_CHARS) return text;
  // Do not split a surrogate pair (an emoji) into a lone half.
  const code = text.charCodeAt(MAX_CELL_CHARS - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_CELL_CHARS - 1 : MAX_CELL_CHARS);
}

export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
