/**
 * The layout every sheet shares: an optional title row and a header row, both frozen,
 * above the data; an autofilter over the header and data rows. Kept in one place so all
 * sheets read alike, whether streamed (Transactions) or built in memory (the others).
 */
import { columnLetter } from './cells';
import { rowXml, type FrameColumn, type SheetFrame } from './sheet-xml';
import { STYLE } from './styles';

/** Excel's hard limit on rows per sheet. */
export const MAX_SHEET_ROWS = 1_048_576;

export interface SheetColumn extends FrameColumn {
  header: string;
}

export interface SheetHeading {
  frame: SheetFrame;
  /** The title row (if any) and the header row. */
  rowsXml: string;
  /** 1-based row of the header; data starts on the next row. */
  headerRow: number;
}

export function sheetHeading(columns: readonly SheetColumn[], title: string | undefined, selected: boolean): SheetHeading {
  const headerRow = title ? 2 : 1;
  const titleRow = title ? rowXml(1, [title], [STYLE.title]) : '';
  const header = rowXml(
    headerRow,
    columns.map((c) => c.header),
    columns.map(() => STYLE.header),
  );
  return { frame: { columns, frozenRows: headerRow, selected }, rowsXml: titleRow + header, headerRow };
}

/** The autofilter range: header and data rows, never a totals row (sorting would move it). */
export function autoFilterRef(headerRow: number, columnCount: number, lastDataRow: number): string {
  return `A${headerRow}:${columnLetter(columnCount)}${Math.max(lastDataRow, headerRow)}`;
}

/** Width that fits the longest text of a column, within sane bounds. */
export function fitWidth(texts: Iterable<string>, min: number, max: number): number {
  let longest = 0;
  for (const t of texts) longest = Math.max(longest, t.length);
  return Math.min(max, Math.max(min, longest + 2));
}
