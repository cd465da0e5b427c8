/**
 * Puts a row's cells into the header's columns.
 *
 * A cell is money only if it reads as money AND sits in a money column; a date only if it
 * reads as a date AND sits in a date column; everything else is text of the column its
 * left edge is in. That is what keeps "Ref 2024 0115" or "ATM 500.00" inside a description
 * from being taken for a date or an amount.
 *
 * When a producer wrote a description and its amount as one string (so they came out as
 * one cell that crosses column boundaries), money is peeled off the right end and a
 * date off the left end, word by word, but only when the peeled words read as money (or
 * a date) and land in a money (or date) column.
 */
import type { Amount } from '../grammar/amount';
import type { PartialDate } from '../grammar/date';
import { MONEY_KINDS, TEXT_KINDS, columnAt, columnOverlapping, type Column, type TableLayout } from './columns';
import type { Cell, Line } from './lines';

/** The layout's grammars: what a cell reads as, or null. */
export interface CellReader {
  money(text: string): Amount | null;
  date(text: string): PartialDate | null;
}

export interface Placed {
  column: Column;
  text: string;
  x: number;
  right: number;
  as: 'money' | 'date' | 'text';
  /** The reading that placed it (so it is not parsed twice). */
  money: Amount | null;
  date: PartialDate | null;
}

interface Word {
  text: string;
  x: number;
  right: number;
}

function words(cell: Cell): Word[] {
  const perChar = (cell.right - cell.x) / Math.max(1, cell.text.length);
  const out: Word[] = [];
  const re = /\S+/g;
  for (let m = re.exec(cell.text); m; m = re.exec(cell.text)) {
    out.push({ text: m[0], x: cell.x + m.index * perChar, right: cell.x + (m.index + m[0].length) * perChar });
  }
  return out;
}

function join(ws: Word[]): Cell {
  return { text: ws.map((w) => w.text).join(' '), x: ws[0].x, right: ws[ws.length - 1].right };
}

/** Splits a cell that spans columns into [date?, text?, money?] where the words allow. */
function peel(cell: Cell, layout: TableLayout, reader: CellReader): Cell[] {
  if (!cell.text.includes(' ')) return [cell];
  if (columnAt(layout, cell.x) === columnAt(layout, cell.right - 0.01)) return [cell];
  let ws = words(cell);
  const out: Cell[] = [];
  // Date off the left: "15 Jan", "15 Jan 2024", "01 15".
  // Where a candidate's words lie is known before its text is joined, so the (cheap)
  // column tests come first and the text is built only for candidates that pass them.
  const dateHere = columnAt(layout, ws[0].x).kind === 'date';
  for (let n = Math.min(3, ws.length - 1); dateHere && n >= 1; n--) {
    const head = join(ws.slice(0, n));
    if (reader.date(head.text)) {
      const rest = join(ws.slice(n));
      // What follows must be another column's, or plainly no part of a date (words, not a
      // year): where a date and a description share one item, the split point is estimated.
      if (columnAt(layout, rest.x).kind !== 'date' || /^[^\d\s]/.test(rest.text)) {
        out.push(head);
        ws = ws.slice(n);
        break;
      }
    }
  }
  // Money off the right, longest reading first ("R 1 234.56 Cr" is four words), and again
  // while there is more: an amount and a balance can both have run into one string.
  const tails: Cell[] = [];
  // Tails come off the right end only, so the rest always starts in this column.
  const restColumn = columnAt(layout, ws[0].x);
  for (let found = true; found && ws.length > 1; ) {
    found = false;
    const right = ws[ws.length - 1].right;
    for (let n = Math.min(5, ws.length - 1); n >= 1; n--) {
      const from = ws.length - n;
      // A peeled amount must sit under its label, as right-aligned money does: a description
      // that merely runs on into a money column and ends in "R100.00" keeps its words.
      const col = columnOverlapping(layout, ws[from].x, right);
      if (!col || !MONEY_KINDS.has(col.kind) || restColumn === col) continue;
      const t = join(ws.slice(from));
      if (reader.money(t.text)) {
        tails.unshift(t);
        ws = ws.slice(0, ws.length - n);
        found = true;
        break;
      }
    }
  }
  // A description and the column after it (a category) written as one string: the words
  // from where that column's text starts belong to it.
  const start = ws.length > 1 ? columnAt(layout, ws[0].x) : null;
  const into = start?.kind === 'description' ? ws.findIndex((w, i) => i > 0 && columnAt(layout, w.x).kind === 'ignore' && columnAt(layout, w.x).left > start.left) : -1;
  if (into > 0) {
    out.push(join(ws.slice(0, into)), join(ws.slice(into)));
    ws = [];
  }
  if (ws.length > 0) out.push(join(ws));
  out.push(...tails);
  return out;
}

function place(cell: Cell, layout: TableLayout, reader: CellReader): Placed {
  const best = columnOverlapping(layout, cell.x, cell.right);
  const atLeft = columnAt(layout, cell.x);
  const money = reader.money(cell.text);
  if (money) {
    // Under a money label, or (a short number in a wide column) ending inside the column
    // and past where its label starts.
    let col = best && MONEY_KINDS.has(best.kind) ? best : null;
    if (!col) {
      const atRight = columnAt(layout, cell.right - 0.01);
      if (MONEY_KINDS.has(atRight.kind) && cell.right >= atRight.left) col = atRight;
    }
    if (col) return { column: col, text: cell.text, x: cell.x, right: cell.right, as: 'money', money, date: null };
  }
  const date = reader.date(cell.text);
  if (date) {
    let col = best?.kind === 'date' ? best : atLeft.kind === 'date' ? atLeft : null;
    if (!col) {
      const centre = columnAt(layout, (cell.x + cell.right) / 2);
      if (centre.kind === 'date') col = centre;
    }
    if (col) return { column: col, text: cell.text, x: cell.x, right: cell.right, as: 'date', money: null, date };
  }
  // Text: where it starts, unless it starts in a money/date column but sits under a text label.
  const col = !TEXT_KINDS.has(atLeft.kind) && best && TEXT_KINDS.has(best.kind) ? best : atLeft;
  return { column: col, text: cell.text, x: cell.x, right: cell.right, as: 'text', money: null, date: null };
}

export function placeCells(line: Line, layout: TableLayout, reader: CellReader): Placed[] {
  const out: Placed[] = [];
  for (const cell of line.cells) {
    if (!cell.text.includes(' ')) out.push(place(cell, layout, reader));
    else for (const part of peel(cell, layout, reader)) out.push(place(part, layout, reader));
  }
  return out;
}
