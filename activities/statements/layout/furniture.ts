/**
 * Page furniture: headers and footers a statement repeats on every page ("Page 3 of 12",
 * the bank's registration text, the account number strip). A line is furniture when the
 * same text, with digits ignored, appears at about the same height on at least two
 * pages. Such lines must not be glued to the last transaction of a page as a wrapped
 * description.
 *
 * Transaction rows can also repeat this way (a monthly fee on a fixed row grid), so the
 * parser asks this question only about lines it could not otherwise read as rows.
 */
import type { Line } from './lines';

/** Height buckets of this many points: row grids are rarely offset by more between pages. */
const BUCKET = 6;

function keys(line: Line): string[] {
  const text = line.text.toLowerCase().replace(/\d/g, '#').replace(/\s+/g, ' ');
  const b = Math.round(line.bottom / BUCKET);
  // A line near a bucket edge is looked up in both neighbours.
  return [`${b}|${text}`, `${b + 1}|${text}`, `${b - 1}|${text}`];
}

export class Furniture {
  private readonly pagesByKey = new Map<string, Set<number>>();

  constructor(pages: Line[][]) {
    for (const lines of pages) {
      for (const line of lines) {
        const k = keys(line)[0];
        let set = this.pagesByKey.get(k);
        if (!set) this.pagesByKey.set(k, (set = new Set()));
        set.add(line.page);
      }
    }
  }

  has(line: Line): boolean {
    let seen = -1;
    for (const k of keys(line)) {
      for (const p of this.pagesByKey.get(k) ?? []) {
        if (seen !== -1 && p !== seen) return true;
        seen = p;
      }
    }
    return false;
  }
}
