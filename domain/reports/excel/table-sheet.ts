/**
 * A small sheet built in memory — Summary, Monthly, VAT: a few rows per category or
 * month, so the whole XML is one string written as a single zip entry.
 */
import { columnLetter } from './cells';
import { autoFilterRef, sheetHeading, type SheetColumn } from './layout';
import { rowXml, sheetEnd, sheetStart, type CellValue } from './sheet-xml';
import { dataStyle, totalStyle, type StyleName, STYLE } from './styles';

/** Per column of a totals row: a label, nothing, or a SUM of the data above with its known result. */
export type TotalCell = string | { sum: number } | null;

export class TableSheet {
  readonly headerRow: number;
  private readonly parts: string[];
  private lastRow: number;
  private lastDataRow: number;

  constructor(
    private readonly columns: readonly SheetColumn[],
    title: string | undefined,
    selected = false,
  ) {
    const heading = sheetHeading(columns, title, selected);
    this.headerRow = heading.headerRow;
    this.lastRow = heading.headerRow;
    this.lastDataRow = heading.headerRow;
    this.parts = [sheetStart(heading.frame), heading.rowsXml];
  }

  /** A data row under the header: numbers take their column's format, text is plain. */
  addDataRow(values: readonly CellValue[]): number {
    const row = this.addRow(values);
    this.lastDataRow = row;
    return row;
  }

  /**
   * A row below the table; `styles` names a style per cell where the column's own
   * (its number format for numbers, plain for text) is not wanted.
   */
  addRow(values: readonly CellValue[], styles: ReadonlyArray<StyleName | undefined> = []): number {
    const row = ++this.lastRow;
    const ids = values.map((v, i) => {
      const named = styles[i];
      if (named) return STYLE[named];
      return typeof v === 'string' ? STYLE.plain : dataStyle(this.columns[i]?.format);
    });
    this.parts.push(rowXml(row, values, ids));
    return row;
  }

  skipRow(): void {
    this.lastRow += 1;
  }

  /** The bold totals row under the data, each sum a live SUM over the data rows. */
  addTotalsRow(cells: readonly TotalCell[]): number {
    const row = ++this.lastRow;
    const first = this.headerRow + 1;
    const values = cells.map((c, i): CellValue => {
      if (c === null || typeof c === 'string') return c;
      // A live SUM lets the accountant audit the figure; the cached result is what readers
      // without a calculation engine see. No data rows: no range to sum.
      if (this.lastDataRow < first) return c.sum;
      const col = columnLetter(i + 1);
      return { formula: `SUM(${col}${first}:${col}${this.lastDataRow})`, result: c.sum };
    });
    this.parts.push(
      rowXml(
        row,
        values,
        cells.map((c, i) => (typeof c === 'string' ? STYLE.total : totalStyle(this.columns[i]?.format))),
      ),
    );
    return row;
  }

  /** The finished sheet, with the autofilter over the header and data rows. */
  xml(): string {
    return this.parts.join('') + sheetEnd(autoFilterRef(this.headerRow, this.columns.length, this.lastDataRow));
  }
}
