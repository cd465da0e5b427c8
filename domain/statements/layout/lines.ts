/**
 * Positioned text items → lines → cells.
 *
 * Items on one baseline form a line (the order items come out of a PDF is drawing order,
 * not reading order, so they are sorted first). Inside a line, items separated by less
 * than about half an em belong to one cell (words of one description); a wider gap
 * starts a new cell, which is how table columns come apart. Runs of two or more spaces
 * inside one item are split too, with x estimated from the character count, because some
 * producers write a whole row as one string padded with spaces.
 *
 * Monospaced pages (Courier and the like: mainframe-style statements) are different: a
 * space there is as wide as a letter (0.6 em), wider than the half-em rule allows, and
 * pdf.js hands every word over as an item of its own. On such a page a gap of one
 * character joins words and two or more start a new cell — the same rule as for padded
 * strings, which is what a fixed-width report is.
 */
import type { PositionedPage, TextItem } from '../types';

export interface Cell {
  text: string;
  /** Left and right edges in points. */
  x: number;
  right: number;
}

export interface Line {
  page: number;
  /** 1-based, top to bottom, over every line of text on the page. */
  index: number;
  /** Top of the tallest item and the baseline, both from the top of the page. */
  top: number;
  bottom: number;
  /** Typical font size on the line. */
  height: number;
  cells: Cell[];
  /** Cells joined by single spaces, for matching phrases. */
  text: string;
}

/** A gap wider than this many ems between two items starts a new cell. */
const CELL_GAP_EM = 0.5;
/** Items whose baselines differ by less than this share of the font size share a line. */
const SAME_LINE_EM = 0.4;
/** A page is monospaced when this share of its items have one advance per character... */
const MONO_SHARE = 0.8;
/** ...within this relative tolerance of the median, */
const MONO_TOLERANCE = 0.03;
/** ...and it has at least this many items with letters to judge by. */
const MONO_MIN_ITEMS = 10;

interface Piece {
  str: string;
  x: number;
  right: number;
  bottom: number;
  height: number;
}

/** Trims an item and splits it at runs of 2+ spaces, estimating x by character share. */
function pieces(item: TextItem, out: Piece[]): void {
  const str = item.str;
  if (!str || !/\S/.test(str)) return;
  const height = item.height > 0 ? item.height : 8;
  const bottom = item.y + height;
  const perChar = str.length > 0 ? item.width / str.length : 0;
  const re = /\S+(?: \S+)*/g; // words joined by single spaces
  for (let m = re.exec(str); m; m = re.exec(str)) {
    const x = item.x + m.index * perChar;
    out.push({ str: m[0], x, right: x + m[0].length * perChar, bottom, height });
  }
}

/**
 * The character advance of a monospaced page, in ems, or null for a proportional one.
 * Judged on items with letters: in a proportional font their width per character varies
 * from item to item (an "i" is a third of an "m"), in a monospaced one it does not.
 */
export function monospaceAdvance(items: readonly TextItem[]): number | null {
  const ratios: number[] = [];
  for (const it of items) {
    if (!(it.height > 0) || !(it.width > 0) || !/[A-Za-z]/.test(it.str)) continue;
    ratios.push(it.width / it.str.length / it.height);
  }
  if (ratios.length < MONO_MIN_ITEMS) return null;
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1];
  const near = ratios.filter((r) => Math.abs(r - median) <= MONO_TOLERANCE * median).length;
  return near >= MONO_SHARE * ratios.length ? median : null;
}

export function buildLines(page: PositionedPage): Line[] {
  const mono = monospaceAdvance(page.items);
  const all: Piece[] = [];
  for (const item of page.items) pieces(item, all);
  all.sort((a, b) => a.bottom - b.bottom || a.x - b.x);

  const groups: Piece[][] = [];
  let current: Piece[] = [];
  let anchor = 0;
  let anchorHeight = 0;
  for (const p of all) {
    const tolerance = SAME_LINE_EM * Math.min(anchorHeight || p.height, p.height);
    if (current.length > 0 && p.bottom - anchor <= tolerance) {
      current.push(p);
    } else {
      if (current.length > 0) groups.push(current);
      current = [p];
      anchor = p.bottom;
      anchorHeight = p.height;
    }
  }
  if (current.length > 0) groups.push(current);

  return groups.map((g, i) => makeLine(page.page, i + 1, g, mono));
}

function makeLine(page: number, index: number, group: Piece[], mono: number | null): Line {
  group.sort((a, b) => a.x - b.x);
  const heights = group.map((p) => p.height).sort((a, b) => a - b);
  const height = heights[heights.length >> 1];
  let top = Infinity;
  let bottom = 0;
  for (const p of group) {
    top = Math.min(top, p.bottom - p.height);
    bottom = Math.max(bottom, p.bottom);
  }
  const cells: Cell[] = [];
  let cell: Cell | null = null;
  // Monospaced: one character's gap is a space between words, two or more a new cell.
  const cellGap = mono ? 1.5 * mono * height : CELL_GAP_EM * height;
  const wordGap = mono ? 0.5 * mono * height : 0.15 * height;
  for (const p of group) {
    const gap = cell ? p.x - cell.right : Infinity;
    if (cell && gap < cellGap) {
      // Kerned fragments of one word touch; words have a visible gap.
      cell.text += gap > wordGap ? ` ${p.str}` : p.str;
      cell.right = Math.max(cell.right, p.right);
    } else {
      cell = { text: p.str, x: p.x, right: p.right };
      cells.push(cell);
    }
  }
  joinSignMarkers(cells, height);
  return { page, index, top, bottom, height, cells, text: cells.map((c) => c.text).join(' ') };
}

/** "Cr", "Dr" (Afrikaans "Kt", "Dt") or a VAT flag "*", printed as an item of its own. */
const SIGN_MARKER = /^(?:cr|dr|kt|dt)\.?$|^\*$/i;
const ENDS_IN_MONEY = /\d[.,]\d{2}$/;
/** A marker this many ems or less after a figure belongs to it. */
const MARKER_GAP_EM = 1.5;

/**
 * Some producers set a balance's "Cr" as an item of its own, a few points after the figure
 * (and a gap wide enough to start a new cell): it is part of the amount, not a column.
 */
function joinSignMarkers(cells: Cell[], height: number): void {
  for (let i = cells.length - 1; i > 0; i--) {
    const c = cells[i];
    const before = cells[i - 1];
    if (!SIGN_MARKER.test(c.text) || !ENDS_IN_MONEY.test(before.text) || c.x - before.right > MARKER_GAP_EM * height) continue;
    before.text += c.text;
    before.right = c.right;
    cells.splice(i, 1);
  }
}

/** Cells joined for a row's raw text. */
export function lineRawText(line: Line): string {
  return line.cells.map((c) => c.text).join(' | ');
}
