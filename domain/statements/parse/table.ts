/**
 * Walks every line of the document once, in order, and sorts it into: table headers,
 * transaction rows (with their continuation lines), balance markers (opening, brought
 * and carried forward, closing), printed totals, rows that could not be read, and lines
 * outside the table (left for the summary reader). Linear in the number of lines.
 *
 * The table starts at the first header. A page that repeats the header restarts the
 * table below it (lines above are page furniture or summary); a page without a header
 * continues the table from its top.
 */
import type { BankLayout } from '../banks/types';
import type { PartialDate } from '../grammar/date';
import { matchHeader, type TableLayout } from '../layout/columns';
import { fitColumnsToData } from '../layout/fit-columns';
import { lineRawText, type Line } from '../layout/lines';
import type { SkippedRow } from '../types';
import { continues, type Anchor } from './continuation';
import {
  hasAnyMoney,
  hasMovement,
  isTotalsRow,
  markerOf,
  readerFor,
  readRow,
  rememberingReader,
  type MarkerKind,
  type RowRead,
} from './row';
import { hasSummaryLabel, type Located, type SummaryField } from './summary';

export interface RowDraft {
  page: number;
  line: number;
  date: PartialDate;
  /** The row had no date of its own and took the one above (layouts that allow it). */
  dateInherited: boolean;
  description: string[];
  reference: string[];
  money: RowRead['money'];
  raw: string[];
}

export interface Marker {
  kind: MarkerKind;
  cents: number;
  /** Printed with no sign at all: how to read it is the balance column's convention. */
  bare: boolean;
  page: number;
  line: number;
}

export type TableEvent = { type: 'row'; row: RowDraft } | { type: 'marker'; marker: Marker };

export interface TableResult {
  events: TableEvent[];
  skipped: SkippedRow[];
  /** Lines that are not part of the table, for the summary reader. */
  outside: Line[];
  /** Totals printed in a "Totals" row of the table. */
  totals: Partial<Record<SummaryField, Located[]>>;
  /** Skipped rows with no money on them ("15 Jan  Interest rate now 7.5%"): they cannot unbalance anything. */
  moneyless: Set<SkippedRow>;
}

/** A text line this much taller than the table's rows is a heading, not part of the table. */
const HEADING_SCALE = 1.15;

/** One phrase of words, set larger than the rows: a section heading (a band of marks read off a scan is not). */
function isHeading(line: Line, rowHeight: number): boolean {
  return line.height > HEADING_SCALE * rowHeight && line.cells.length === 1 && /\p{L}{4}/u.test(line.text);
}

/** A page's furniture (layout/furniture.ts), given where its table starts below its column header. */
export type PageFurniture = (tableStart: number | null) => { has(line: Line): boolean };

/**
 * Fed one page at a time, in order, so a long statement need not be held in memory whole
 * (parse/statement.ts streams its pages through here). `inferred` is a layout found
 * without a header (layout/infer-columns.ts): the table then starts at the first row it
 * was inferred from.
 */
export function tableReader(bank: BankLayout, inferred?: TableLayout): { page(lines: Line[], furnitureOf: PageFurniture): void; finish(): TableResult } {
  const reader = readerFor(bank);
  const result: TableResult = { events: [], skipped: [], outside: [], totals: {}, moneyless: new Set() };
  let layout: TableLayout | null = null;
  let pending = inferred ?? null;
  /** What continuation lines attach to: a transaction, or a row we had to skip. */
  let open: { anchor: Anchor; draft?: RowDraft; skipped?: SkippedRow } | null = null;
  let lastDate: PartialDate | null = null;
  /** The type size of the table's rows, to tell a section heading from a row's text. */
  let rowHeight: number | null = null;
  /** Skipped rows without a date: below the last transaction they are notes, not rows. */
  const undated: { row: SkippedRow; line: Line }[] = [];

  const page = (lines: Line[], furnitureOf: PageFurniture): void => {
    const cells = rememberingReader(reader);
    const headers = new Map<number, TableLayout>();
    let tableStart: number | null = null; // the first line below the page's first header
    for (let i = 0; i < lines.length; i++) {
      const h = matchHeader(lines, i, bank.headers, bank.accepts);
      if (!h) continue;
      headers.set(i, h);
      tableStart ??= i + h.lineCount;
      i += h.lineCount - 1;
    }
    // Each header's columns where its rows' values are, down to the next header.
    const starts = [...headers.keys()];
    starts.forEach((at, n) => {
      const h = headers.get(at)!;
      headers.set(at, fitColumnsToData(h, lines, at + h.lineCount, starts[n + 1] ?? lines.length, cells));
    });
    const furniture = furnitureOf(tableStart);
    let inTable = layout !== null && headers.size === 0;
    let contentOnPage = false;

    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (pending && line.page === pending.page && line.index === pending.line) {
        layout = pending;
        pending = null;
        inTable = true;
      }
      const header = headers.get(i);
      if (header) {
        layout = header;
        inTable = true;
        i += header.lineCount - 1;
        continue;
      }
      if (!inTable || !layout) {
        result.outside.push(line);
        continue;
      }
      const read = readRow(line, layout, cells);
      const raw = lineRawText(line);

      const marker = markerOf(read);
      if (marker) {
        result.events.push({ type: 'marker', marker: { ...marker, page: line.page, line: line.index } });
        open = null;
        contentOnPage = true;
        continue;
      }
      if (isTotalsRow(read)) {
        const add = (f: SummaryField, cents: number | undefined) => {
          if (cents !== undefined) (result.totals[f] ??= []).push({ value: cents, page: line.page, line: line.index });
        };
        add('totalDebits', read.money.debit ? -read.money.debit.cents : undefined);
        add('totalCredits', read.money.credit?.cents);
        add('totalFees', read.money.fee ? -read.money.fee.cents : undefined);
        open = null;
        continue;
      }
      const textOnly = read.date === null && !hasAnyMoney(read);
      if (textOnly && furniture.has(line)) continue;
      if (textOnly && read.problems.length === 0) {
        if (open && continues(open.anchor, line, read, contentOnPage)) {
          if (open.draft) {
            open.draft.description.push(...read.texts);
            open.draft.reference.push(...read.refs);
            open.draft.raw.push(raw);
          } else if (open.skipped) {
            open.skipped.text += `\n${raw}`;
          }
          open.anchor = { page: line.page, bottom: line.bottom };
        } else {
          result.outside.push(line);
          // A heading in a larger type ("Pending Card Transactions") starts another
          // section: what follows on the page is not the transaction table.
          if (rowHeight !== null && isHeading(line, rowHeight)) inTable = false;
        }
        continue;
      }
      if (read.date === null && hasSummaryLabel(line)) {
        result.outside.push(line); // "Total debits  1,234.56" below the table
        open = null;
        continue;
      }
      contentOnPage = true;
      const skip = (reason: string) => {
        const row: SkippedRow = { page: line.page, line: line.index, text: raw, reason };
        result.skipped.push(row);
        // A movement AND a running balance make a transaction whose date could not be
        // read (a speck before it in a scan), never a note: it stays a skipped row.
        if (read.date === null && !(hasMovement(read) && read.money.balance)) undated.push({ row, line });
        open = { anchor: { page: line.page, bottom: line.bottom }, skipped: row };
      };
      if (read.problems.length > 0) {
        skip(read.problems.join('; '));
        continue;
      }
      // A fee taken with the row is itself a movement (Capitec's "Monthly fee" rows).
      const moves = hasMovement(read) || (read.money.fee !== undefined && bank.feeMode !== 'informational');
      let date = read.date;
      let inherited = false;
      if (!date && moves && bank.inheritDate && lastDate) {
        date = lastDate;
        inherited = true;
      }
      if (!date) {
        skip(moves ? 'the row has an amount but no date' : 'the row has a balance but no date');
        continue;
      }
      if (!moves) {
        skip(read.money.balance ? 'the row has a balance but no amount' : 'the row has a date but no amount');
        if (!hasAnyMoney(read) && read.money.fee === undefined) result.moneyless.add(result.skipped[result.skipped.length - 1]);
        continue;
      }
      lastDate = date;
      rowHeight = line.height;
      const draft: RowDraft = {
        page: line.page,
        line: line.index,
        date,
        dateInherited: inherited,
        description: read.texts,
        reference: read.refs,
        money: read.money,
        raw: [raw],
      };
      result.events.push({ type: 'row', row: draft });
      open = { anchor: { page: line.page, bottom: line.bottom }, draft };
    }
  };
  return {
    page,
    finish() {
      afterLastRow(result, undated);
      return result;
    },
  };
}

/**
 * Lines with money but no date under the last transaction ("Overdraft limit 5,000.00",
 * "Interest earned this year 123.45") are statement notes: they go to the summary reader
 * instead of the skipped rows.
 */
function afterLastRow(result: TableResult, undated: { row: SkippedRow; line: Line }[]): void {
  let last: RowDraft | null = null;
  for (const e of result.events) if (e.type === 'row') last = e.row;
  const after = (l: Line) => !last || l.page > last.page || (l.page === last.page && l.index > last.line);
  const notes = new Set(undated.filter((u) => after(u.line)).map((u) => u.row));
  if (notes.size === 0) return;
  result.skipped = result.skipped.filter((r) => !notes.has(r));
  for (const u of undated) if (notes.has(u.row)) result.outside.push(u.line);
  result.outside.sort((a, b) => a.page - b.page || a.index - b.index);
}
