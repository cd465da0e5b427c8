/**
 * Columns without a header. Some statements print their column labels as an image, or
 * use labels no dictionary knows ("Narration | Dr | Cr | Running Bal"). What every
 * statement still has is dated rows that end in money, the last of which is a balance.
 * Such rows are found, their money cells clustered by right edge (money is right-aligned,
 * so a column's amounts share one), and the clusters become columns: the rightmost is the
 * balance, the others amounts whose sign the balance movement decides.
 *
 * This only proposes a layout; parse/statement.ts accepts it only if the balance chain
 * then holds for most rows (an invoice's "qty  price  total" lines do not chain).
 */
import { parseAmount } from '../grammar/amount';
import { parseDate, type DateFormat } from '../grammar/date';
import { withRanges, type Column, type ColumnKind, type TableLayout } from './columns';
import type { Cell, Line } from './lines';
import { groupByRightEdge } from './right-edges';

interface Candidate {
  line: Line;
  date: Cell;
  text: Cell;
  money: Cell[];
}

/** Right edges closer than this share a column. */
const CLUSTER_GAP = 6;
const MIN_ROWS = 3;

/** A short cell after the balance that is no amount: a mark, or a figure a scan spoiled. */
const isStray = (c: Cell) => c.text.length <= 6 && !parseAmount(c.text);

function candidate(line: Line, formats: readonly DateFormat[]): Candidate | null {
  let cells = line.cells;
  while (cells.length > 3 && isStray(cells[cells.length - 1])) cells = cells.slice(0, -1);
  if (cells.length < 3 || !parseAmount(cells[cells.length - 1].text)) return null;
  const dateIndex = cells.findIndex((c) => parseDate(c.text, formats) !== null);
  if (dateIndex < 0 || dateIndex === cells.length - 1) return null;
  const textIndex = cells.findIndex((c, i) => i !== dateIndex && !parseAmount(c.text));
  if (textIndex < 0) return null;
  const money = cells.filter((c, i) => i > textIndex && i !== dateIndex && parseAmount(c.text) !== null);
  if (money.length < 2) return null;
  return { line, date: cells[dateIndex], text: cells[textIndex], money };
}

function clusters(cells: Cell[], minCount: number): Cell[][] {
  return groupByRightEdge(cells, (c) => c.right, CLUSTER_GAP).filter((g) => g.length >= minCount);
}

function span(kind: ColumnKind, label: string, cells: Cell[]): Omit<Column, 'lo' | 'hi'> {
  return { kind, label, left: Math.min(...cells.map((c) => c.x)), right: Math.max(...cells.map((c) => c.right)) };
}

/** Enough rows to see the columns; keeps this cheap on long statements. */
const ENOUGH_ROWS = 400;

/** Fed the pages one at a time, in order (parse/statement.ts streams them). */
export class LayoutInference {
  private readonly found: Candidate[] = [];
  constructor(private readonly formats: readonly DateFormat[]) {}

  /** Enough rows seen: more pages change nothing. */
  get full(): boolean {
    return this.found.length >= ENOUGH_ROWS;
  }

  add(lines: readonly Line[]): void {
    if (this.full) return;
    for (const line of lines) {
      const c = candidate(line, this.formats);
      if (c) this.found.push(c);
    }
  }

  result(): TableLayout | null {
    return layoutFrom(this.found);
  }
}

function layoutFrom(found: Candidate[]): TableLayout | null {
  if (found.length < MIN_ROWS) return null;

  const groups = clusters(
    found.flatMap((c) => c.money),
    Math.max(2, Math.ceil(found.length * 0.1)),
  );
  if (groups.length < 2) return null;
  const labels = [
    span('date', 'date', found.map((c) => c.date)),
    { ...span('description', 'description', found.map((c) => c.text)) },
    ...groups.map((g, i) => (i === groups.length - 1 ? span('balance', 'balance', g) : span('amount', `amount ${i + 1}`, g))),
  ];
  // The description's label is its left edge only: its text runs on to the right.
  labels[1].right = labels[1].left + 1;
  const first = found[0].line;
  return { columns: withRanges(labels), page: first.page, line: first.index, lineCount: 0 };
}
