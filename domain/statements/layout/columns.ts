/**
 * Column mapping from the header row.
 *
 * A header is a line (or two stacked lines, for labels such as "Debit / Amount") whose
 * every word is a known column label. Its labels give each column an x-range; the
 * boundary between two columns sits halfway between one label's right edge and the next
 * label's left edge. Money is right-aligned under its label and text left-aligned, so a
 * money cell is placed by its right edge (or its overlap with the label) and a text cell
 * by its left edge: a long description that runs on under the next label stays a
 * description.
 */
import type { Cell, Line } from './lines';

export type ColumnKind =
  | 'date'
  | 'description'
  | 'reference'
  | 'debit'
  | 'credit'
  | 'amount'
  | 'balance'
  | 'fee'
  | 'ignore';

export const MONEY_KINDS: ReadonlySet<ColumnKind> = new Set(['debit', 'credit', 'amount', 'balance', 'fee']);
export const TEXT_KINDS: ReadonlySet<ColumnKind> = new Set(['description', 'reference']);

/** Normalised label → kind, e.g. "money in" → credit. */
export type HeaderDictionary = ReadonlyMap<string, ColumnKind>;

export interface Column {
  kind: ColumnKind;
  label: string;
  /** The label's own extent. */
  left: number;
  right: number;
  /** The x-range the column owns on the row. */
  lo: number;
  hi: number;
}

export interface TableLayout {
  columns: Column[];
  /** Where the header was found and how many lines it spans. */
  page: number;
  line: number;
  lineCount: number;
}

/** Lower case, no units such as "(R)", no punctuation; "Debits (R)" → "debits". */
export function normaliseLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/\((?:r|zar|rand)\)|\br\s*$/g, ' ')
    .replace(/[^a-z0-9/# ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function dictionary(entries: Record<string, ColumnKind>): HeaderDictionary {
  return new Map(Object.entries(entries).map(([k, v]) => [normaliseLabel(k), v]));
}

interface Label {
  kind: ColumnKind;
  label: string;
  left: number;
  right: number;
}

/**
 * Splits every cell into known labels, longest first. One cell that is entirely unknown
 * ("Cheque No", "Card") is allowed and becomes a column that is ignored; any other unknown
 * word means this is not a header.
 */
function matchLabels(cells: Cell[], dict: HeaderDictionary): Label[] | null {
  const out: Label[] = [];
  let unknownCells = 0;
  for (const cell of cells) {
    const words = normaliseLabel(cell.text).split(' ').filter(Boolean);
    // A lone letter beside a header is a mark on a scan, not a column.
    if (words.length === 0 || (words.length === 1 && words[0].length === 1)) continue;
    const perChar = (cell.right - cell.x) / Math.max(1, cell.text.length);
    let charPos = 0;
    let i = 0;
    while (i < words.length) {
      let found = 0;
      for (let n = Math.min(4, words.length - i); n >= 1 && !found; n--) {
        if (dict.has(words.slice(i, i + n).join(' '))) found = n;
      }
      if (!found && i === 0 && unknownCells === 0 && words.length <= 3 && !words.some((w) => dict.has(w))) {
        unknownCells++;
        out.push({ kind: 'ignore', label: words.join(' '), left: cell.x, right: cell.right });
        break;
      }
      if (!found) return null;
      const label = words.slice(i, i + found).join(' ');
      const left = cell.x + charPos * perChar;
      charPos += label.length + 1;
      const right = i + found === words.length ? cell.right : Math.min(cell.right, cell.x + (charPos - 1) * perChar);
      out.push({ kind: dict.get(label)!, label, left, right });
      i += found;
    }
  }
  return out;
}

/** Stacks the cells of a two-line header: cells that overlap horizontally are one label. */
function stack(upper: readonly Cell[], lower: Line): Cell[] {
  const cells = upper.map((c) => ({ ...c }));
  for (const c of lower.cells) {
    const above = cells.find((u) => Math.min(u.right, c.right) - Math.max(u.x, c.x) > 0);
    if (above) {
      above.text = `${above.text} ${c.text}`;
      above.x = Math.min(above.x, c.x);
      above.right = Math.max(above.right, c.right);
    } else {
      cells.push({ ...c });
    }
  }
  return cells.sort((a, b) => a.x - b.x);
}

function toLayout(labels: Label[], page: number, line: number, lineCount: number): TableLayout {
  return { columns: withRanges(labels), page, line, lineCount };
}

/**
 * The x-range each column owns, from the columns' extents: the boundary sits halfway
 * between one column's right edge and the next one's left edge. After a description,
 * though, a text column (a category, a site) begins where its own left-aligned text
 * begins: a description runs on to the right of its label, up to there.
 */
export function withRanges<C extends { kind: ColumnKind; left: number; right: number }>(extents: readonly C[]): (C & { lo: number; hi: number })[] {
  const sorted = [...extents].sort((a, b) => a.left - b.left);
  const cut = (a: C, b: C) => (a.kind === 'description' && !MONEY_KINDS.has(b.kind) && b.kind !== 'date' ? b.left - 1 : (a.right + b.left) / 2);
  return sorted.map((c, i) => ({
    ...c,
    lo: i === 0 ? -Infinity : cut(sorted[i - 1], c),
    hi: i === sorted.length - 1 ? Infinity : cut(c, sorted[i + 1]),
  }));
}

/**
 * The header starting at lines[i], if there is one: two stacked lines are tried first
 * (only when they sit close together), then the line alone. `accept` is the layout's
 * rule for which columns a transaction table must have.
 */
export function matchHeader(
  lines: Line[],
  i: number,
  dict: HeaderDictionary,
  accept: (kinds: ReadonlySet<ColumnKind>) => boolean,
): TableLayout | null {
  const line = lines[i];
  // Cheap refusal first: this runs on every line, and rows carry digits where labels do not.
  if (line.cells.length === 0 || line.cells.length > 14 || /\d/.test(line.text)) return null;
  // Labels stacked over two or three lines ("Accrued / Bank / Charges") are tried first.
  const tries: [Cell[], number][] = [];
  let cells = line.cells;
  let below = line;
  const stacked: [Cell[], number][] = [];
  for (let n = 1; n <= 2; n++) {
    const next = lines[i + n];
    if (!next || next.top - below.bottom >= 0.8 * below.height || /\d/.test(next.text)) break;
    cells = stack(cells, next);
    below = next;
    stacked.push([cells, n + 1]);
  }
  tries.push(...stacked.reverse(), [line.cells, 1]);
  for (const [cells, count] of tries) {
    const labels = matchLabels(cells, dict);
    if (!labels || labels.filter((l) => l.kind !== 'ignore').length < 3) continue;
    const kinds = new Set(labels.map((l) => l.kind));
    if (kinds.size < labels.length - 1) continue; // a label repeated twice is not a header
    if (accept(kinds)) return toLayout(labels, line.page, line.index, count);
  }
  return null;
}

/** The column whose x-range contains x. */
export function columnAt(layout: TableLayout, x: number): Column {
  const cols = layout.columns;
  for (const c of cols) if (x >= c.lo && x < c.hi) return c;
  return x < cols[0].lo ? cols[0] : cols[cols.length - 1];
}

/** The column whose label overlaps [x, right] most, if any does. */
export function columnOverlapping(layout: TableLayout, x: number, right: number): Column | null {
  let best: Column | null = null;
  let bestOverlap = 0;
  for (const c of layout.columns) {
    const overlap = Math.min(c.right, right) - Math.max(c.left, x);
    if (overlap > bestOverlap) {
      best = c;
      bestOverlap = overlap;
    }
  }
  return best;
}
