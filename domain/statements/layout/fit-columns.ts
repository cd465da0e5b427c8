/**
 * Column ranges from the data under a header, the header only naming them.
 *
 * Header labels are a poor guide to where a column's values sit: banks centre labels over
 * their columns, stack them over two or three lines, and set "Description" far to the
 * right of where descriptions start. The values themselves are regular: money is
 * right-aligned, so a money column's figures share a right edge; dates and descriptions
 * are left-aligned. So the rows under a header (lines with a date and money) are read
 * first: their money cells are grouped by right edge, each group is named by the money
 * label it sits under (or, where labels are centred off their values, the nearest one),
 * and the date and description columns start where their values start. Labels with no
 * values under them on the page keep their own extent.
 */
import { MONEY_KINDS, withRanges, type Column, type TableLayout } from './columns';
import type { Cell, Line } from './lines';
import type { CellReader } from './placement';
import { groupByRightEdge } from './right-edges';

/** Right edges of one column's figures closer than this are one column. */
const RIGHT_EDGE_GAP = 6;
/** A group of figures further than this from every money label is named by none. */
const MAX_LABEL_DISTANCE = 80;
/** Fewer dated rows with money than this: too little to go on, the labels stand. */
const MIN_ROWS = 3;
/** A right edge shared by fewer figures than this says nothing about a column. */
const MIN_GROUP = 2;
const MARKER_TAIL = /(?:cr|dr|kt|dt)\.?\*?$|\*$/i;

interface Figure {
  x: number;
  right: number;
  /** The right edge of the digits, without a "Cr"/"Dr" marker set after them. */
  edge: number;
}

interface Row {
  date: { x: number; right: number };
  money: Figure[];
  texts: Cell[];
}

/** The right edge of the number itself, estimated by character share. */
function figureOf(cell: Cell): Figure {
  const tail = MARKER_TAIL.exec(cell.text)?.[0].length ?? 0;
  const perChar = (cell.right - cell.x) / Math.max(1, cell.text.length);
  return { x: cell.x, right: cell.right, edge: cell.right - tail * perChar };
}

/**
 * A date at the start of a cell ("15 Feb" alone, or "15 Feb" followed by the description),
 * with what follows it in the same item, placed by character share.
 */
function datePrefix(cell: Cell, reader: CellReader): { x: number; right: number; rest: Cell | null } | null {
  if (reader.date(cell.text)) return { x: cell.x, right: cell.right, rest: null };
  const words = cell.text.split(' ');
  const perChar = (cell.right - cell.x) / Math.max(1, cell.text.length);
  for (let n = Math.min(3, words.length - 1); n >= 1; n--) {
    const head = words.slice(0, n).join(' ');
    if (!reader.date(head)) continue;
    const right = cell.x + head.length * perChar;
    return { x: cell.x, right, rest: { text: words.slice(n).join(' '), x: right + perChar, right: cell.right } };
  }
  return null;
}

function rowOf(line: Line, reader: CellReader): Row | null {
  let date: Row['date'] | null = null;
  const money: Figure[] = [];
  const texts: Cell[] = [];
  for (const cell of line.cells) {
    if (reader.money(cell.text)) {
      money.push(figureOf(cell));
      continue;
    }
    const d: ReturnType<typeof datePrefix> = date ? null : datePrefix(cell, reader);
    if (d) {
      date = { x: d.x, right: d.right };
      if (d.rest) texts.push(d.rest); // the description run into the date's item
      continue;
    }
    texts.push(cell);
  }
  return date && money.length > 0 ? { date, money, texts } : null;
}

const centre = (a: { left: number; right: number }) => (a.left + a.right) / 2;
const overlap = (a: { left: number; right: number }, b: { left: number; right: number }) => Math.min(a.right, b.right) - Math.max(a.left, b.left);
const distance = (a: { left: number; right: number }, b: { left: number; right: number }) => Math.max(0, -overlap(a, b));

/**
 * The header's layout with each column's extent taken from the values under it, for the
 * table lines lines[from..to) (one page's rows under that header).
 */
export function fitColumnsToData(header: TableLayout, lines: readonly Line[], from: number, to: number, reader: CellReader): TableLayout {
  const rows: Row[] = [];
  for (let i = from; i < to; i++) {
    const r = rowOf(lines[i], reader);
    if (r) rows.push(r);
  }
  if (rows.length < MIN_ROWS) return header;

  const extent = new Map<Column, { left: number; right: number }>();
  const widen = (c: Column, left: number, right: number) => {
    const e = extent.get(c);
    extent.set(c, e ? { left: Math.min(e.left, left), right: Math.max(e.right, right) } : { left, right });
  };

  // Money: the groups of figures, left to right, go to the money labels in the same order.
  const moneyLabels = header.columns.filter((c) => MONEY_KINDS.has(c.kind) || c.kind === 'ignore').sort((a, b) => a.left - b.left);
  const spans = groupByRightEdge(rows.flatMap((r) => r.money), (f) => f.edge, RIGHT_EDGE_GAP)
    .filter((g) => g.length >= MIN_GROUP)
    .map((g) => ({ left: Math.min(...g.map((f) => f.x)), right: Math.max(...g.map((f) => f.right)) }));
  const named = inOrder(spans, moneyLabels);
  spans.forEach((span, i) => {
    const label = named[i];
    if (label && distance(span, label) < MAX_LABEL_DISTANCE) widen(label, span.left, span.right);
  });

  // Dates: where the dates are.
  const dateColumn = header.columns.find((c) => c.kind === 'date');
  if (dateColumn) for (const r of rows) widen(dateColumn, r.date.x, r.date.right);

  const fitted = header.columns.map((c) => ({ ...c, ...(extent.get(c) ?? {}) }));

  // The description starts where the first text right of its left neighbour starts.
  const d = fitted.findIndex((c) => c.kind === 'description');
  if (d >= 0) {
    const byLeft = [...fitted].sort((a, b) => a.left - b.left);
    const at = byLeft.indexOf(fitted[d]);
    const after = at > 0 ? byLeft[at - 1].right : -Infinity;
    const before = at < byLeft.length - 1 ? byLeft[at + 1].left : Infinity;
    let left = fitted[d].left;
    // Words, not figures: a page number right-aligned under the label before it is not a description.
    for (const r of rows) for (const t of r.texts) if (t.x > after && t.x < before && !/^[\d\s.,/-]*$/.test(t.text)) left = Math.min(left, t.x);
    fitted[d] = { ...fitted[d], left, right: Math.max(fitted[d].right, left + 1) };
  }

  return { ...header, columns: withRanges(fitted) };
}

/**
 * Names each span by a label, keeping their left-to-right order (labels are centred or
 * left-aligned over right-aligned figures, so the nearest label is not always the right
 * one, but the order always is), at the least total distance between centres. With no
 * more spans than labels each label names at most one; otherwise neighbours may share.
 */
function inOrder(spans: { left: number; right: number }[], labels: Column[]): (Column | null)[] {
  const n = spans.length;
  const m = labels.length;
  if (n === 0 || m === 0) return spans.map(() => null);
  const strict = n <= m;
  const cost = (i: number, j: number) => Math.abs(centre(spans[i]) - centre(labels[j]));
  // best[i][j]: least cost of spans 0..i with span i named by label j.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let i = 0; i < n; i++) {
    best.push(new Array<number>(m).fill(Infinity));
    from.push(new Array<number>(m).fill(-1));
    for (let j = 0; j < m; j++) {
      if (i === 0) {
        best[i][j] = cost(i, j);
        continue;
      }
      for (let k = 0; k <= (strict ? j - 1 : j); k++) {
        const c = best[i - 1][k] + cost(i, j);
        if (c < best[i][j]) [best[i][j], from[i][j]] = [c, k];
      }
    }
  }
  let j = best[n - 1].indexOf(Math.min(...best[n - 1]));
  if (!Number.isFinite(best[n - 1][j])) return spans.map(() => null);
  const out: (Column | null)[] = new Array(n).fill(null);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = labels[j];
    j = from[i][j];
  }
  return out;
}
