/**
 * Dates as South African statements print them. Each bank names the formats it uses, so
 * "01 02" is only ever read as MM DD where a Standard Bank layout says so, never guessed.
 * Month names are English or Afrikaans (FNB prints "Maa", "Mei", "Okt", "Des").
 */

export type DateFormat =
  | 'iso' // 2024-01-31, 2024/01/31
  | 'ymd8' // 20240131 (Standard Bank computer-generated statements)
  | 'dmy' // 31/01/2024, 1/01/2024, 31-01-2024, 31.01.2024, 31/01/24
  | 'dmony' // 31 Jan 2024, 31 January 2024, 31-Jan-2024
  | 'dmon' // 31 Jan (year from the statement period)
  | 'md'; // 01 31 (Standard Bank: month first, no year)

export interface PartialDate {
  /** Null when the statement leaves the year out. */
  year: number | null;
  month: number;
  day: number;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const MONTHS: Record<string, number> = {};
const NAMES: [number, string[]][] = [
  [1, ['jan', 'january', 'januarie']],
  [2, ['feb', 'february', 'februarie']],
  [3, ['mar', 'march', 'maa', 'mrt', 'maart']],
  [4, ['apr', 'april']],
  [5, ['may', 'mei']],
  [6, ['jun', 'june', 'junie']],
  [7, ['jul', 'july', 'julie']],
  [8, ['aug', 'august', 'augustus']],
  [9, ['sep', 'sept', 'september']],
  [10, ['oct', 'october', 'okt', 'oktober']],
  [11, ['nov', 'november']],
  [12, ['dec', 'december', 'des', 'desember']],
];
for (const [n, names] of NAMES) for (const name of names) MONTHS[name] = n;

export function monthNumber(name: string): number | null {
  return MONTHS[name.toLowerCase().replace(/\.$/, '')] ?? null;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number | null, m: number): number {
  if (m === 2) return y === null || isLeapYear(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function valid(year: number | null, month: number, day: number): PartialDate | null {
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) return null;
  if (year !== null && (year < 1900 || year > 2199)) return null;
  return { year, month, day };
}

function fullYear(text: string): number {
  const y = Number(text);
  // Two-digit years only appear on recent statements; 70 splits 1970–2069.
  return text.length === 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
}

const PATTERNS: Record<DateFormat, RegExp> = {
  iso: /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/,
  ymd8: /^(\d{4})(\d{2})(\d{2})$/,
  dmy: /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/,
  dmony: /^(\d{1,2})(?:\s*|-)([a-z]{3,9})\.?(?:\s+|-|,\s*)(\d{4})$/i,
  dmon: /^(\d{1,2})(?:\s*|-)([a-z]{3,9})\.?$/i,
  md: /^(\d{2})\s+(\d{2})$/,
};

/** Reads `text` (a whole cell) with the first of `formats` that fits. */
export function parseDate(text: string, formats: readonly DateFormat[]): PartialDate | null {
  const s = text.replace(/\s+/g, ' ').trim();
  if (s.length < 4 || s.length > 20) return null;
  for (const f of formats) {
    const m = PATTERNS[f].exec(s);
    if (!m) continue;
    let r: PartialDate | null = null;
    switch (f) {
      case 'iso':
      case 'ymd8':
        r = valid(Number(m[1]), Number(m[2]), Number(m[3]));
        break;
      case 'dmy':
        r = valid(fullYear(m[3]), Number(m[2]), Number(m[1]));
        break;
      case 'dmony': {
        const month = monthNumber(m[2]);
        r = month === null ? null : valid(Number(m[3]), month, Number(m[1]));
        break;
      }
      case 'dmon': {
        const month = monthNumber(m[2]);
        r = month === null ? null : valid(null, month, Number(m[1]));
        break;
      }
      case 'md':
        r = valid(null, Number(m[1]), Number(m[2]));
        break;
    }
    if (r) return r;
  }
  return null;
}

// Full dates inside running text ("Statement period: 15 December 2023 to 14 January 2024").
const FULL_DATE_IN_TEXT =
  /\b(\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}(?:\s+|-)[a-z]{3,9}\.?(?:\s+|-|,\s*)\d{4})\b/gi;

/** Every complete (year-bearing) date in a line of free text, in order. */
export function findFullDates(text: string): CalendarDate[] {
  const out: CalendarDate[] = [];
  for (const m of text.matchAll(FULL_DATE_IN_TEXT)) {
    const d = parseDate(m[1], ['iso', 'dmy', 'dmony']);
    if (d && d.year !== null) out.push({ year: d.year, month: d.month, day: d.day });
  }
  return out;
}

export function toIso(d: CalendarDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function fromIso(s: string): CalendarDate {
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}

/** Days since 1970-01-01; integer arithmetic on dates without time zones. */
export function dayNumber(d: CalendarDate): number {
  return Math.floor(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000);
}

/**
 * Gives yearless dates ("15 Jan", "01 15") their year. With a statement period the year
 * is the one that puts the date inside the period (so a 15 Dec 2023 – 14 Jan 2024
 * statement reads "28 Dec" as 2023 and "03 Jan" as 2024). Without one, the year starts
 * at `fallbackYear` and moves on when the months wrap from December to January.
 */
export class YearResolver {
  private year: number;
  private lastMonth = 0;

  constructor(
    private readonly start: CalendarDate | null,
    private readonly end: CalendarDate | null,
    fallbackYear: number,
  ) {
    this.year = start?.year ?? end?.year ?? fallbackYear;
  }

  resolve(d: PartialDate): CalendarDate | null {
    if (d.year !== null) return this.accept({ year: d.year, month: d.month, day: d.day });
    if (this.start || this.end) {
      const lo = dayNumber((this.start ?? this.end)!) - 31;
      const hi = dayNumber((this.end ?? this.start)!) + 31;
      const first = (this.start ?? this.end)!.year - 1;
      const last = (this.end ?? this.start)!.year + 1;
      let best: CalendarDate | null = null;
      let bestDistance = Infinity;
      for (let y = first; y <= last; y++) {
        if (d.day > daysInMonth(y, d.month)) continue;
        const c = { year: y, month: d.month, day: d.day };
        const n = dayNumber(c);
        const distance = n < lo ? lo - n : n > hi ? n - hi : 0;
        if (distance < bestDistance) {
          best = c;
          bestDistance = distance;
        }
      }
      return best ? this.accept(best) : null;
    }
    if (this.lastMonth - d.month >= 6) this.year++; // December → January
    if (d.day > daysInMonth(this.year, d.month)) return null; // 29 Feb in a common year
    return this.accept({ year: this.year, month: d.month, day: d.day });
  }

  private accept(c: CalendarDate): CalendarDate {
    this.year = c.year;
    this.lastMonth = c.month;
    return c;
  }
}
