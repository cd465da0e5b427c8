/**
 * Money as South African statements print it, read into integer cents.
 *
 * One grammar serves every bank because the forms do not collide: thousands are grouped
 * by ",", " " (ABSA, Capitec), "." or "'", the decimal mark is "." or ",", and a sign
 * can be written as a leading or trailing minus, parentheses, or a Cr/Dr (Kt/Dt in
 * Afrikaans) marker, with an optional "R"/"ZAR" in front and an optional "*" after (a VAT
 * flag). Exactly two decimals are
 * required: that is what keeps reference numbers, years and quantities from being read
 * as money.
 */

export interface Amount {
  /** Magnitude in cents, never negative. */
  cents: number;
  /** Written as negative: minus sign, parentheses or a Dr/Dt marker. */
  negative: boolean;
  /** The Cr/Kt or Dr/Dt marker, when one is printed. */
  marker: 'cr' | 'dr' | null;
  /** Any sign information printed at all (minus, plus, parentheses or a marker). */
  explicit: boolean;
}

// The marker may touch the number ("1,234.56Cr") but must not end a word ("Transfer").
const MARKER = /(?<![a-z])\s*(cr|dr|kt|dt)\.?$/i;
// Groups must be consistent (all "," or all " "...), hence one alternative per separator.
const NUMBER = /^(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:'\d{3})+|\d+)([.,])(\d{2})$/;
const CURRENCY = /^(?:R|ZAR)\s?/i;

/** Normalises the spaces and dashes PDFs use in numbers (no-break, thin, unicode minus). */
function normalise(text: string): string {
  return text
    .replace(/[\u00a0\u2007\u2009\u202f]/g, ' ')
    .replace(/[\u2212\u2012\u2013\u2014\ufe63\uff0d]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What every amount holds: a digit, a decimal mark and two decimals. Most cells a table's
 * rows are read for are words, turned away by this alone (normalise never makes or joins
 * digits and marks, so it holds before normalising as after).
 */
const TWO_DECIMALS = /\d[.,]\d\d/;

export function parseAmount(input: string): Amount | null {
  if (!TWO_DECIMALS.test(input)) return null;
  let s = normalise(input);
  if (s.length === 0 || s.length > 40) return null;
  let negative = false;
  let positive = false;
  let marker: 'cr' | 'dr' | null = null;

  // A trailing "*" flags VAT included in the amount (Capitec prints "-30.00*"); it says nothing about the sign.
  if (s.endsWith('*')) s = s.slice(0, -1).trimEnd();
  const m = MARKER.exec(s);
  if (m) {
    const k = m[1].toLowerCase();
    marker = k === 'cr' || k === 'kt' ? 'cr' : 'dr';
    s = s.slice(0, m.index).trim();
  }
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.endsWith('-')) {
    negative = true;
    s = s.slice(0, -1).trim();
  } else if (s.endsWith('+')) {
    positive = true;
    s = s.slice(0, -1).trim();
  }
  // Sign before or after the currency: "-R12.00" and "R-12.00" both occur.
  for (let pass = 0; pass < 2; pass++) {
    if (s.startsWith('-')) {
      if (negative) return null; // "--12.00" or "(-12.00)" is not something we can trust
      negative = true;
      s = s.slice(1).trim();
    } else if (s.startsWith('+')) {
      positive = true;
      s = s.slice(1).trim();
    }
    const c = CURRENCY.exec(s);
    if (c && pass === 0) s = s.slice(c[0].length).trim();
  }

  const n = NUMBER.exec(s);
  if (!n) return null;
  const [, whole, decimalMark] = n;
  const groupMark = /\D/.exec(whole)?.[0];
  if (groupMark === decimalMark) return null; // "1,234,56": no way to know which is which
  const units = Number(whole.replace(/\D/g, ''));
  const cents = units * 100 + Number(n[3]);
  if (!Number.isSafeInteger(cents)) return null;

  if (marker === 'dr') {
    if (positive) return null;
    negative = true;
  } else if (marker === 'cr' && negative) {
    return null; // "-12.00 Cr" contradicts itself
  }
  if (positive && negative) return null;
  return { cents, negative, marker, explicit: negative || positive || marker !== null };
}

/** The amount with its printed sign applied (unsigned values count as positive). */
export function signedCents(a: Amount): number {
  return a.negative ? -a.cents : a.cents;
}

/** Whole numbers as printed in summaries ("Number of debits: 1 234"). */
export function parseCount(input: string): number | null {
  const s = normalise(input);
  if (!/^(\d{1,3}(?:[ ,]\d{3})+|\d+)$/.test(s)) return null;
  const n = Number(s.replace(/\D/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** "R1,234.56" / "-R1,234.56", for messages a user reads. */
export function formatCents(cents: number): string {
  const abs = Math.abs(cents);
  const whole = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}R${whole}.${String(abs % 100).padStart(2, '0')}`;
}
