/**
 * The summary block: statement period, opening and closing balance, and the totals and
 * counts the bank prints. Labels must be a whole cell ("Total Debits", optionally with a
 * colon and the value in the same cell), so a description that merely contains "money in"
 * is not a label. Values sit to the right of their label, or, where the summary is a
 * small table, on the next line under it.
 */
import { parseAmount, parseCount, signedCents } from '../grammar/amount';
import { findFullDates, type CalendarDate } from '../grammar/date';
import type { Cell, Line } from '../layout/lines';

export type SummaryField =
  | 'opening'
  | 'closing'
  | 'totalCredits'
  | 'totalDebits'
  | 'totalFees'
  | 'creditCount'
  | 'debitCount'
  | 'transactionCount';

export interface Located {
  value: number;
  page: number;
  line: number;
}

export interface Summary {
  periodStart: CalendarDate | null;
  periodEnd: CalendarDate | null;
  /** A year printed anywhere near the top, for yearless dates when there is no period. */
  anyYear: number | null;
  /** Every value found per field, in document order (so disagreements can be reported). */
  values: Partial<Record<SummaryField, Located[]>>;
}

const LABELS: [SummaryField, RegExp][] = [
  ['opening', /^(?:opening balance|balance brought forward|brought forward|bal brought forward|bal(?:ance)? b\/f|previous balance|opening ?saldo|saldo oorgebring)$/],
  ['closing', /^(?:closing balance|afsluiting ?saldo|slot ?saldo|closing ?saldo|balance at end of period)$/],
  ['totalCredits', /^(?:total credits|funds received\/credits|fondse ontvang\/krediete|credits|sum of credits|total money in|money in|money in summary|total deposits|deposits|totale krediete|krediete)$/],
  ['totalDebits', /^(?:total debits|funds used\/debits|fondse gebruik\/debiete|debits|sum of debits|total money out|money out|money out summary|total payments|total withdrawals|totale debiete|debiete)$/],
  ['totalFees', /^(?:total fees|fees|service fees|total service fees|total charges|bank charges|total bank charges|totale fooie|fooie|bankkoste)$/],
  ['creditCount', /^(?:number of credits|no of credits|credit count|aantal krediete|(?:no|nr|number of) (?:credit|krediet) transa[ck]tions|(?:nr|aantal) krediet transaksies)$/],
  ['debitCount', /^(?:number of debits|no of debits|debit count|aantal debiete|(?:no|nr|number of) (?:debit|debiet) transa[ck]tions|(?:nr|aantal) debiet transaksies)$/],
  ['transactionCount', /^(?:number of transactions|no of transactions|transaction count|aantal transaksies)$/],
];

const COUNT_FIELDS: ReadonlySet<SummaryField> = new Set(['creditCount', 'debitCount', 'transactionCount']);

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/\((?:r|zar)\)/g, ' ')
    .replace(/[.:]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The total printed after a count on the same line (FNB's turnover block). */
const TOTAL_OF_COUNT: Partial<Record<SummaryField, SummaryField>> = { creditCount: 'totalCredits', debitCount: 'totalDebits' };

function labelOf(text: string): SummaryField | null {
  const t = normalise(text);
  for (const [field, re] of LABELS) if (re.test(t)) return field;
  return null;
}

function valueOf(field: SummaryField, text: string): number | null {
  if (COUNT_FIELDS.has(field)) return parseCount(text);
  const a = parseAmount(text);
  return a ? signedCents(a) : null;
}

/** "Opening balance: R1 234.56" written as one cell. */
function inlineLabel(cell: Cell): { field: SummaryField; value: number } | null {
  const m = /^(.*?[a-z)])\s*:?\s+([-(R\d].*)$/i.exec(cell.text);
  if (!m) return null;
  const field = labelOf(m[1]);
  if (!field) return null;
  const value = valueOf(field, m[2]);
  return value === null ? null : { field, value };
}

export function readSummary(lines: Line[]): Summary {
  const values: Summary['values'] = {};
  const add = (field: SummaryField, value: number, line: Line) =>
    (values[field] ??= []).push({ value, page: line.page, line: line.index });

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const pending: { field: SummaryField; cell: Cell }[] = [];
    for (let c = 0; c < line.cells.length; c++) {
      const cell = line.cells[c];
      const inline = inlineLabel(cell);
      if (inline) {
        add(inline.field, inline.value, line);
        // A turnover line: "No. Credit Transactions 13" and then their total.
        const total = TOTAL_OF_COUNT[inline.field];
        const next = line.cells[c + 1];
        const value = total && next && !labelOf(next.text) ? valueOf(total, next.text) : null;
        if (total && value !== null) {
          add(total, value, line);
          c++;
        }
        continue;
      }
      const field = labelOf(cell.text);
      if (!field) continue;
      const next = line.cells[c + 1];
      const value = next && !labelOf(next.text) ? valueOf(field, next.text) : null;
      if (value !== null) {
        add(field, value, line);
        c++;
      } else {
        pending.push({ field, cell });
      }
    }
    // A summary table: labels on this line, values under them on the next.
    const below = lines[i + 1];
    if (pending.length > 0 && below && below.page === line.page && below.bottom - line.bottom < 2.5 * line.height) {
      for (const { field, cell } of pending) {
        const centre = (cell.x + cell.right) / 2;
        let best: Cell | null = null;
        for (const v of below.cells) {
          const overlaps = Math.min(v.right, cell.right) - Math.max(v.x, cell.x) > 0;
          if (overlaps && (!best || Math.abs((v.x + v.right) / 2 - centre) < Math.abs((best.x + best.right) / 2 - centre))) best = v;
        }
        const value = best ? valueOf(field, best.text) : null;
        if (value !== null) add(field, value, below);
      }
    }
  }
  return { ...readPeriod(lines), values };
}

const FROM_LINE = /^(?:from|van)(?: date)?\s*:?\s/i;
const TO_LINE = /^(?:to|tot)(?: date)?\s*:?\s/i;
const PERIOD_WORDS = /\b(?:period|from|tydperk|periode|staatperiode)\b/i;

function readPeriod(lines: Line[]): Pick<Summary, 'periodStart' | 'periodEnd' | 'anyYear'> {
  let anyYear: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const dates = findFullDates(line.text);
    if (dates.length === 0) continue;
    anyYear ??= dates[0].year;
    // "From Date: 01/10/2025" with "To Date: 13/01/2026" on the line below (Capitec).
    const below = lines[i + 1];
    if (dates.length === 1 && FROM_LINE.test(line.text) && below && below.page === line.page && TO_LINE.test(below.text)) {
      const end = findFullDates(below.text)[0];
      if (end) return { periodStart: dates[0], periodEnd: end, anyYear };
    }
    if (dates.length >= 2 && PERIOD_WORDS.test(line.text)) {
      const [a, b] = dates;
      const aFirst = a.year * 400 + a.month * 32 + a.day <= b.year * 400 + b.month * 32 + b.day;
      return { periodStart: aFirst ? a : b, periodEnd: aFirst ? b : a, anyYear };
    }
  }
  return { periodStart: null, periodEnd: null, anyYear };
}

/** True when some cell of the line is a summary label ("Total Debits", "Closing balance"). */
export function hasSummaryLabel(line: Line): boolean {
  return line.cells.some((c) => labelOf(c.text) !== null || inlineLabel(c) !== null);
}
