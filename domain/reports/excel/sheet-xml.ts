/**
 * The parts of a worksheet's XML around its rows, and a general-purpose row. The element
 * order is the schema's (sheetViews, sheetFormatPr, cols, sheetData, autoFilter,
 * pageMargins): everything that precedes the rows is known before the first row, and
 * the autofilter, which needs the last row number, comes after them — so a sheet can
 * be streamed row by row.
 */
import { columnLetter, fill, formulaCell, inlineText, numberTemplate, textTemplate } from './cells';
import { dataStyle, type NumberFormat } from './styles';

export interface FrameColumn {
  /** Width in characters: fixed, since <cols> precedes the first row. */
  width: number;
  /** Number format of the column's cells, also for cells a user types in later. */
  format?: NumberFormat;
}

export interface SheetFrame {
  columns: readonly FrameColumn[];
  /** Rows kept in view while scrolling (the title and header rows). */
  frozenRows: number;
  /** The tab the workbook opens on: must agree with the workbook view's activeTab. */
  selected: boolean;
}

/** A cell's content: text, a number (dates as serials), a formula with its result, or nothing. */
export type CellValue = string | number | { formula: string; result: number } | null;

export function sheetStart(frame: SheetFrame): string {
  const top = `A${frame.frozenRows + 1}`;
  const pane =
    frame.frozenRows > 0
      ? `<pane ySplit="${frame.frozenRows}" topLeftCell="${top}" activePane="bottomLeft" state="frozen"/>` +
        `<selection pane="bottomLeft" activeCell="${top}" sqref="${top}"/>`
      : '';
  const cols = frame.columns
    .map((c, i) => {
      const style = dataStyle(c.format);
      return `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"${style ? ` style="${style}"` : ''}/>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' +
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    `<sheetViews><sheetView workbookViewId="0"${frame.selected ? ' tabSelected="1"' : ''}>${pane}</sheetView></sheetViews>` +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    `<cols>${cols}</cols>` +
    '<sheetData>'
  );
}

/** Closes the rows; `autoFilter` is a range such as `A1:G401`. */
export function sheetEnd(autoFilter: string | null): string {
  return (
    '</sheetData>' +
    (autoFilter ? `<autoFilter ref="${autoFilter}"/>` : '') +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    '</worksheet>'
  );
}

/**
 * One row; `styles[i]` is cell i's style (an empty cell is left out). Not for the
 * Transactions data rows, which have their own faster writer.
 */
export function rowXml(row: number, values: readonly CellValue[], styles: readonly number[]): string {
  let cells = '';
  values.forEach((v, i) => {
    if (v === null || v === '') return;
    const column = columnLetter(i + 1);
    if (typeof v === 'string') cells += fill(textTemplate(column, styles[i]), row, inlineText(v));
    else if (typeof v === 'number') cells += fill(numberTemplate(column, styles[i]), row, String(v));
    else cells += formulaCell(column, row, v.formula, v.result, styles[i]);
  });
  return `<row r="${row}">${cells}</row>`;
}
