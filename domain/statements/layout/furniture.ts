/**
 * Page furniture: headers and footers a statement repeats on every page ("Page 3 of 12",
 * the bank's registration text, the account number strip). Such lines must not be glued
 * to the last transaction of a page as if they were a wrapped description.
 *
 * A line is furniture when
 *  - the same text, short numbers ignored, sits at about the same height on at least half
 *    the pages (and on two at least), and
 *  - it belongs to the run of such lines at the very top or the very bottom of its page.
 * The second rule matters: a short wrapped fragment ("Purchase", "Ref 12345") can repeat
 * at the same height on a few pages by chance, but it sits between rows, not in the margin.
 * Only numbers of up to four digits are ignored (page numbers, "Page 3 of 12"): what
 * changes from page to page in a footer is short, while a wrapped account number or
 * reference ("7872169145") that lands at the foot of two pages is not the same text.
 * And the run at the top of a page ends with the table's column header: what follows it
 * is table content — a row's description wrapped onto this page ("Token Purchase") may
 * well stand at the top of two pages by chance.
 */
import type { Line } from './lines';

/** Height buckets of this many points: page templates put furniture at the same height. */
const BUCKET = 6;

const shape = (line: Line) => line.text.toLowerCase().replace(/(?<!\d)\d{1,4}(?!\d)/g, '#');
const bucketKey = (line: Line, text: string, offset: number) => `${Math.round(line.bottom / BUCKET) + offset}|${text}`;

/**
 * How many pages each (height, text) appears on. Fed one page at a time, so a long
 * statement can be counted without holding all its lines (parse/statement.ts streams).
 */
export class FurnitureCounts {
  private readonly count = new Map<string, { n: number; last: number }>();
  private pageCount = 0;

  /** One page's lines; pages arrive in order, each once. */
  add(lines: readonly Line[]): void {
    this.pageCount += 1;
    for (const line of lines) {
      const k = bucketKey(line, shape(line), 0);
      const c = this.count.get(k);
      if (!c) this.count.set(k, { n: 1, last: line.page });
      else if (c.last !== line.page) {
        c.n++;
        c.last = line.page;
      }
    }
  }

  /** Whether `line` repeats on enough pages to be furniture (if it sits in a margin run). */
  repeated(line: Line): boolean {
    const needed = Math.max(2, Math.ceil(this.pageCount / 2));
    const text = shape(line);
    let n = 0;
    for (const offset of [-1, 0, 1]) n += this.count.get(bucketKey(line, text, offset))?.n ?? 0;
    return n >= needed;
  }

  /**
   * The furniture lines of one page, once every page has been counted. `topEnd`: the index
   * of the first line below the page's column header, if it has one.
   */
  ofPage(lines: readonly Line[], topEnd: number | null): Set<Line> {
    const out = new Set<Line>();
    const end = topEnd ?? lines.length;
    for (let i = 0; i < end && this.repeated(lines[i]); i++) out.add(lines[i]);
    for (let i = lines.length - 1; i >= 0 && this.repeated(lines[i]); i--) out.add(lines[i]);
    return out;
  }
}
