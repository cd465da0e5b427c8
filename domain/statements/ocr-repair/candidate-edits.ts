/**
 * Candidate mends for one line of an OCR'd page: each cell rewritten as a reading that
 * gives a value the chain needs, noise cells dropped, date cells cleaned up. These only
 * propose; the repair loop re-parses with each and keeps one only if the chain proves it.
 * Each candidate carries a rank so the likeliest misreadings are tried first.
 */
import type { PositionedPage, TextItem } from '../types';
import type { Line } from '../layout/lines';
import { dateVariants, explainAmount, type AmountFix } from './confusions';

export type Fix = AmountFix | 'date';

/** One cell of one line read differently. */
export interface Edit {
  page: number;
  line: number;
  /** The cell as OCR read it, and as it is now read. */
  from: string;
  to: string;
  fix: Fix;
  rank: number;
  /** Cell position on the line, to find its items. */
  cell: { x: number; right: number };
  lineTop: number;
  lineBottom: number;
}

/** Short words around a figure that are specks or noise read as letters ("iis", "i:", "4"). */
const junkWord = (w: string) => w.length <= 3 && !/^(?:cr|dr|kt|dt|r|zar|-)$/i.test(w);

/**
 * Every reading of a figure on the line (a span of up to four words in one cell) as one of
 * the target values, best-ranked first; also with noise words beside it dropped.
 */
export function amountEdits(line: Line, targets: ReadonlySet<number>): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  const out: Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] = [];
  const seen = new Set<string>();
  const rankOf: Record<Fix, number> = { confusion: 0, digit: 10, sign: 20, date: 30 };
  for (const cell of line.cells) {
    const words = cell.text.split(' ');
    for (let i = 0; i < words.length; i++) {
      for (let j = i + 1; j <= Math.min(words.length, i + 4); j++) {
        const span = words.slice(i, j).join(' ');
        if (!/\d/.test(span)) continue;
        for (const m of targets) {
          for (const reading of explainAmount(span, m)) {
            const variants: [string[], number][] = [[[...words.slice(0, i), reading.text, ...words.slice(j)], 0]];
            // The same, without noise words glued on either side of the figure.
            let a = i;
            while (a > 0 && junkWord(words[a - 1])) a--;
            let b = j;
            while (b < words.length && junkWord(words[b])) b++;
            if (a < i || b > j) variants.push([[...words.slice(0, a), reading.text, ...words.slice(b)], 5]);
            for (const [ws, extra] of variants) {
              const to = ws.join(' ');
              if (to === cell.text || seen.has(to)) continue;
              seen.add(to);
              out.push({ from: cell.text, to, fix: reading.fix, rank: rankOf[reading.fix] + extra, cell: { x: cell.x, right: cell.right } });
            }
          }
        }
      }
    }
  }
  return out.sort((x, y) => x.rank - y.rank);
}

/** Cells that are only noise ("i:", "iis", a lone digit from a speck): reading the line without them. */
export function junkCellEdits(line: Line): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  if (line.cells.length < 3) return [];
  return line.cells
    .filter((c) => c.text.split(' ').every(junkWord) && (c.text.match(/\d/g)?.length ?? 0) <= 1)
    .map((c) => ({ from: c.text, to: '', fix: 'confusion' as const, rank: 6, cell: { x: c.x, right: c.right } }));
}

/** Cleaned-up readings of the date cell, which sits in one of the first three cells. */
export function dateEdits(line: Line): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  const out: Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] = [];
  for (const cell of line.cells.slice(0, 3)) {
    if (!/\d/.test(cell.text) || cell.text.length > 24) continue;
    for (const to of dateVariants(cell.text)) out.push({ from: cell.text, to, fix: 'date', rank: 30, cell: { x: cell.x, right: cell.right } });
  }
  return out;
}

/** The page with one cell's items replaced by a single item reading `to`. */
export function applyEdit(page: PositionedPage, e: Edit): PositionedPage | null {
  const eps = 0.02;
  const inCell = (it: TextItem) => {
    const bottom = it.y + it.height;
    return bottom >= e.lineTop - eps && bottom <= e.lineBottom + eps && it.x >= e.cell.x - eps && it.x + it.width <= e.cell.right + eps;
  };
  const hits = page.items.filter(inCell);
  if (hits.length === 0) return null;
  hits.sort((a, b) => a.x - b.x);
  const first = hits[0];
  const drop = new Set(hits);
  const items: TextItem[] = [];
  for (const it of page.items) {
    if (it === first && e.to !== '') items.push({ ...it, str: e.to, x: e.cell.x, width: Math.max(1, e.cell.right - e.cell.x) });
    else if (!drop.has(it)) items.push(it);
  }
  return { ...page, items };
}
