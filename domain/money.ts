/** Integer cents ↔ JSON numbers and numeric(14,2) strings, without float arithmetic on money. */
export function centsToNumber(cents: number | null): number | null {
  return cents === null ? null : Number((cents / 100).toFixed(2));
}

export function centsToDecimalString(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Parses a numeric(14,2) string from pg ("-1234.50") into integer cents exactly. */
export function decimalStringToCents(s: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s.trim());
  if (!m) throw new Error(`not a decimal amount: ${s}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** The largest amount a numeric(14,2) column holds: R 999 999 999 999.99, in cents. */
export const MAX_AMOUNT_CENTS = 99_999_999_999_999;

export const fitsAmountColumn = (cents: number | null): boolean => cents === null || (Number.isSafeInteger(cents) && Math.abs(cents) <= MAX_AMOUNT_CENTS);
