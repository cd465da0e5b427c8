/**
 * Dates as South African statements print them. Each bank names the formats it uses, so
 * "01 02" is only ever read as MM DD where a Standard Bank layout says so, never guessed.
 * Month names are English or Afrikaans (FNB prints "Maa", "Mei", "Okt", "Des").
 */

export type DateFormat =
  | 'iso' // 2024-01-31, 2024/01/31
  | 'ymd8' // 20240131 (Standard Bank computer-generated statements)
  | 'ymd6' // 240131 (ABSA's statement enquiry; only where a layout says so)
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
  ymd6: /^(\d{2})(\d{2})(\d{2})$/,
  dmy: /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/,
  dmony: /^(\d{1,2})(?:\s*|-)([a-z]{3,9})\.?(?:\s+|-|,\s*)(\d{4}|\d{2})$/i,
  dmon: /^(\d{1,2})(?:\s*|-)([a-z]{3,9})\.?$/i,
  // A scan may lose the space ("1208") or read it as a colon ("12:08"); never a point,
  // which would make an amount a date. Only read this way where a layout says 'md'.
  md: /^(\d{2})(?:\s*|\s*:\s*)(\d{2})$/,
};

/** Reads `text` (a whole cell) with the first of `formats` that fits. */
export function parseDate(text: string, formats: readonly DateFormat[]): PartialDate | null {
  // App exports add the time ("15/01/2024 10:32"); the date is what the statement is about.
  const s = text.replace(/\s+/g, ' ').trim().replace(/ \d{1,2}:\d{2}(?::\d{2})?$/, '');
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
      case 'ymd6':
        r = valid(fullYear(m[1]), Number(m[2]), Number(m[3]));
        break;
      case 'dmy':
        r = valid(fullYear(m[3]), Number(m[2]), Number(m[1]));
        break;
      case 'dmony': {
        const month = monthNumber(m[2]);
        r = month === null ? null : valid(fullYear(m[3]), month, Number(m[1]));
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
 * Gives yearless dates ("15 Jan", "01 15") their year: of the years that put the date
 * inside the statement period (with a month's slack), the one closest after the row before.
 * So a 15 Dec 2023 – 14 Jan 2024 statement reads "28 Dec" as 2023 and "03 Jan" as 2024,
 * and a statement over several years follows its rows across each December → January.
 * Without a period, the year starts at `fallbackYear` and follows the rows the same way.
 */
export class YearResolver {
  private previous: number | null = null;
  private previousYear: number;
  private readonly lo: number | null;
  private readonly hi: number | null;

  constructor(start: CalendarDate | null, end: CalendarDate | null, fallbackYear: number) {
    const a = start ?? end;
    const b = end ?? start;
    this.lo = a ? dayNumber(a) - 31 : null;
    this.hi = b ? dayNumber(b) + 31 : null;
    this.previousYear = a?.year ?? fallbackYear;
  }

  resolve(d: PartialDate): CalendarDate | null {
    if (d.year !== null) return this.accept({ year: d.year, month: d.month, day: d.day });
    const firstYear = this.lo !== null ? Math.min(fromDayNumber(this.lo).year, this.previousYear) - 1 : this.previousYear - 1;
    const lastYear = this.hi !== null ? Math.max(fromDayNumber(this.hi).year, this.previousYear) + 1 : this.previousYear + 1;
    let best: CalendarDate | null = null;
    let bestScore = Infinity;
    for (let y = firstYear; y <= lastYear; y++) {
      if (d.day > daysInMonth(y, d.month)) continue; // 29 Feb only in leap years
      const c = { year: y, month: d.month, day: d.day };
      const n = dayNumber(c);
      const outside = this.lo === null || this.hi === null ? 0 : n < this.lo ? this.lo - n : n > this.hi ? n - this.hi : 0;
      // Rows run forward in time: a step back costs more than the same step forward, so
      // half a year later wins over half a year earlier, yet a row posted a few days out
      // of order (or a newest-first statement) still stays in its year.
      const near =
        this.previous === null
          ? this.lo === null
            ? Math.abs(y - this.previousYear) * 366
            : 0
          : n >= this.previous
            ? n - this.previous
            : (this.previous - n) * 8;
      const score = outside * 100_000 + near;
      if (score < bestScore) {
        best = c;
        bestScore = score;
      }
    }
    // Far outside the period there is no year that makes sense ("29 Feb" in a 2023 statement).
    if (!best || bestScore >= 100_000 * 60) return null;
    return this.accept(best);
  }

  private accept(c: CalendarDate): CalendarDate {
    this.previous = dayNumber(c);
    this.previousYear = c.year;
    return c;
  }
}

function fromDayNumber(n: number): CalendarDate {
  const t = new Date(n * 86_400_000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}
