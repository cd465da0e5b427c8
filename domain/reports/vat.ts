/**
 * VAT arithmetic on VAT-inclusive amounts, exact in integer cents.
 *
 *   VAT = amount × rate / (100 + rate), rounded to whole cents, half away from zero.
 *
 * Why integers: `amount * 0.15 / 1.15` in floating point lands on x.4999999 or x.5000001
 * for some amounts, so the same transaction could round differently depending on how the
 * expression is written. Here the rate is scaled to an integer number of 1/10000 percent
 * (so 15 -> 150000, 7.25 -> 72500), the division is done with an integer remainder, and
 * the rounding decision compares 2 × remainder with the divisor — no fraction ever exists.
 * Half away from zero (not banker's rounding) because it is what a person does on paper
 * and what SARS examples show; it also makes VAT(-x) == -VAT(x), so a refund exactly
 * reverses its purchase.
 */
import type { VatSettings } from './types';

/** 1/10000 of a percent: enough for any real-world rate (7.5, 14.25, 8.875). */
const RATE_SCALE = 10_000;
const HUNDRED_PERCENT = 100 * RATE_SCALE;

/** The rate as an integer count of 1/10000 percent; throws if it is not representable. */
export function scaledRate(ratePercent: number): number {
  if (!Number.isFinite(ratePercent) || ratePercent < 0 || ratePercent > 100) {
    throw new RangeError(`VAT rate must be a number from 0 to 100, got ${ratePercent}`);
  }
  const scaled = Math.round(ratePercent * RATE_SCALE);
  // 7.1 * 10000 is 71000.00000000001 in binary floating point: tolerate that noise, but
  // refuse a rate with more than 4 decimals rather than silently rounding it.
  if (Math.abs(ratePercent * RATE_SCALE - scaled) > 1e-6) {
    throw new RangeError(`VAT rate may have at most 4 decimal places, got ${ratePercent}`);
  }
  return scaled;
}

/** VAT contained in a VAT-inclusive amount, in cents, with the sign of the amount. */
export function vatFromInclusiveCents(amountCents: number, ratePercent: number): number {
  if (!Number.isSafeInteger(amountCents)) {
    throw new RangeError(`amountCents must be a safe integer, got ${amountCents}`);
  }
  return vatFromInclusiveScaled(amountCents, scaledRate(ratePercent));
}

/** Hot-path variant for a rate already validated by scaledRate(). */
export function vatFromInclusiveScaled(amountCents: number, rate: number): number {
  if (amountCents === 0 || rate === 0) return 0;
  const magnitude = Math.abs(amountCents);
  const divisor = HUNDRED_PERCENT + rate;
  let quotient: number;
  let twiceRemainder: number;
  if (magnitude <= Math.floor(Number.MAX_SAFE_INTEGER / rate)) {
    // The product is an exact integer, so % is exact and (num - rem) / divisor is an exact
    // integer division. Math.floor(num / divisor) would NOT be: the rounded quotient of two
    // large integers can land on the next integer up.
    const numerator = magnitude * rate;
    const remainder = numerator % divisor;
    quotient = (numerator - remainder) / divisor;
    twiceRemainder = 2 * remainder;
  } else {
    // Beyond 2^53 / rate (about R 600 million at 15 %) the product needs more bits.
    const numerator = BigInt(magnitude) * BigInt(rate);
    const big = BigInt(divisor);
    quotient = Number(numerator / big);
    twiceRemainder = Number((numerator % big) * 2n);
  }
  if (twiceRemainder >= divisor) quotient += 1;
  // `quotient !== 0` keeps -0 out: it would print as "-0.00" in some formatters.
  return amountCents < 0 && quotient !== 0 ? -quotient : quotient;
}

/** Case- and outer-space-insensitive key for category comparison. */
export function categoryKey(category: string | null): string {
  return category === null ? '' : category.trim().toLowerCase();
}

export function isVatCategory(category: string | null, vat: VatSettings): boolean {
  const key = categoryKey(category);
  if (key === '') return false;
  return vat.vatCategories.some((c) => categoryKey(c) === key);
}

/** A precomputed matcher for the per-row loop (one Set lookup instead of a scan). */
export function vatCategoryMatcher(vat: VatSettings): (category: string | null) => boolean {
  const keys = new Set(vat.vatCategories.map(categoryKey).filter((k) => k !== ''));
  return (category) => {
    const key = categoryKey(category);
    return key !== '' && keys.has(key);
  };
}
