/**
 * Turns a ReportRow into the figures both renderers print, and checks it on the way:
 * a malformed row from the database is a bug upstream, and failing loudly with the row
 * number beats writing a report with a silently wrong total.
 */
import { TaskInputError } from '../../contract/errors';
import { vatCategoryMatcher, vatFromInclusiveScaled, scaledRate } from './vat';
import type { RenderOptions, ReportRow } from './types';

export const UNCATEGORIZED = 'Uncategorized';
export const BAD_ROW_CODE = 'REPORT_BAD_ROW';

export interface PreparedRow {
  /** `YYYY-MM-DD`, validated. */
  date: string;
  /** The same day as milliseconds since the epoch at UTC midnight. */
  dayMs: number;
  /** `YYYY-MM`. */
  month: string;
  description: string;
  /** Trimmed category, or null when blank. */
  category: string | null;
  amountCents: number;
  balanceCents: number | null;
  /** Signed like the amount; 0 for a non-VAT-able category or without includeVat. */
  vatCents: number;
  vatable: boolean;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Builds the per-row preparation once per render, with the VAT settings validated up front. */
export function rowPreparer(opts: RenderOptions): (row: ReportRow, index: number) => PreparedRow {
  const rate = scaledRate(opts.vat.ratePercent);
  const isVatable = vatCategoryMatcher(opts.vat);
  const includeVat = opts.includeVat;
  // Rows come in statement order, so runs of rows share a date: parse it once per run.
  let lastDate: unknown;
  let lastDayMs = 0;
  let lastMonth = '';
  return (row, index) => {
    const date = row.date;
    if (date !== lastDate) {
      lastDayMs = dayMs(date, index);
      lastDate = date;
      lastMonth = date.slice(0, 7);
    }
    if (!Number.isSafeInteger(row.amountCents)) {
      throw bad(index, `amountCents must be an integer, got ${row.amountCents}`);
    }
    if (row.balanceCents !== null && !Number.isSafeInteger(row.balanceCents)) {
      throw bad(index, `balanceCents must be an integer or null, got ${row.balanceCents}`);
    }
    const trimmed = typeof row.category === 'string' ? row.category.trim() : '';
    const category = trimmed === '' ? null : trimmed;
    const vatable = includeVat && isVatable(category);
    return {
      date,
      dayMs: lastDayMs,
      month: lastMonth,
      description: typeof row.description === 'string' ? row.description : String(row.description ?? ''),
      category,
      amountCents: row.amountCents,
      balanceCents: row.balanceCents,
      vatCents: vatable ? vatFromInclusiveScaled(row.amountCents, rate) : 0,
      vatable,
    };
  };
}

function dayMs(date: unknown, index: number): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  const day = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  // Date.UTC rolls 2024-02-30 over to March: the round trip catches impossible dates.
  if (!m || !day || day.getUTCDate() !== +m[3] || day.getUTCMonth() !== +m[2] - 1) {
    throw bad(index, `date must be a real YYYY-MM-DD date, got ${JSON.stringify(date)}`);
  }
  return day.getTime();
}

function bad(index: number, message: string): TaskInputError {
  return new TaskInputError(BAD_ROW_CODE, `report row ${index + 1}: ${message}`);
}

/** `.01` ... `.99` for cents 1..99, with trailing zeros dropped (`.1`, not `.10`); '' for 0. */
const FRACTION_TEXT = Array.from({ length: 100 }, (_, f) =>
  f === 0 ? '' : f % 10 === 0 ? `.${f / 10}` : `.${f < 10 ? '0' : ''}${f}`,
);

/**
 * Cents as decimal text without trailing zeros (`-12.5`, `3`, `0.07`): what a spreadsheet
 * number cell holds. For any amount a double holds to the cent (below ~R 10^13) this is
 * exactly String(cents / 100), without the float-to-shortest-text search that was a
 * large part of the cost of a million-row sheet.
 */
export function centsToNumberText(cents: number): string {
  const magnitude = cents < 0 ? -cents : cents;
  const fraction = magnitude % 100;
  const text = (magnitude - fraction) / 100 + FRACTION_TEXT[fraction];
  return cents < 0 ? `-${text}` : text;
}

/** Cents as a plain decimal with two places and a leading '-' when negative: `-12.50`. */
export function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const magnitude = Math.abs(cents);
  const whole = Math.floor(magnitude / 100);
  const fraction = magnitude % 100;
  return `${negative ? '-' : ''}${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}
