import assert from 'node:assert/strict';
import { isVatCategory, vatFromInclusiveCents } from '../../../domain/reports';
import { vatCategoryMatcher } from '../../../domain/reports/vat';
import { DEFAULT_VAT, oracleVat } from './helpers';
import { rng } from '../../support/random';

describe('reports: VAT from VAT-inclusive cents', () => {
  it('computes hand-checked values at 15 %', () => {
    // amount × 15 / 115 = amount × 3 / 23, rounded half away from zero
    const cases: Array<[number, number]> = [
      [0, 0],
      [1, 0], // 0.13 c
      [3, 0], // 0.39 c
      [4, 1], // 0.52 c
      [5, 1], // R0.05 -> 0.65 c
      [11500, 1500], // R115.00 -> exactly R15.00
      [-11500, -1500],
      [10000, 1304], // R100 -> 13.0434...
      [-1, 0],
      [-4, -1],
      [23, 3], // exact: 69 / 23
      [99999999, 13043478], // R999,999.99 -> 13043478.13
    ];
    for (const [amount, vat] of cases) {
      assert.equal(vatFromInclusiveCents(amount, 15), vat, `VAT of ${amount} c`);
    }
  });

  it('rounds exact halves away from zero (never to even, never toward +infinity)', () => {
    // 20 %: VAT = amount / 6, so 3 c -> 0.5, 9 -> 1.5, 15 -> 2.5, 27 -> 4.5
    assert.equal(vatFromInclusiveCents(3, 20), 1);
    assert.equal(vatFromInclusiveCents(-3, 20), -1); // Math.round(-0.5) would give -0
    assert.equal(vatFromInclusiveCents(9, 20), 2);
    assert.equal(vatFromInclusiveCents(15, 20), 3); // banker's rounding would give 2
    assert.equal(vatFromInclusiveCents(-15, 20), -3);
    assert.equal(vatFromInclusiveCents(27, 20), 5);
    // 100 %: VAT = amount / 2
    assert.equal(vatFromInclusiveCents(1, 100), 1);
    assert.equal(vatFromInclusiveCents(5, 100), 3);
    assert.equal(vatFromInclusiveCents(-5, 100), -3);
    // just below / above a half at 20 %: 2 c -> 0.33, 4 c -> 0.67
    assert.equal(vatFromInclusiveCents(2, 20), 0);
    assert.equal(vatFromInclusiveCents(4, 20), 1);
  });

  it('is odd-symmetric: a refund reverses its purchase exactly', () => {
    const next = rng(7);
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(next() * 1e9);
      assert.equal(vatFromInclusiveCents(-a, 15), -vatFromInclusiveCents(a, 15));
    }
  });

  it('never returns negative zero', () => {
    assert.ok(Object.is(vatFromInclusiveCents(-1, 15), 0));
    assert.ok(Object.is(vatFromInclusiveCents(-7, 0), 0));
  });

  it('matches an independent BigInt rational oracle for random amounts and several rates', () => {
    const next = rng(42);
    for (const rate of [15, 14, 7.5, 14.25, 20, 100, 0.0001, 0]) {
      for (let i = 0; i < 3000; i++) {
        const magnitude = Math.floor(next() * 10 ** Math.floor(next() * 12));
        const a = next() < 0.5 ? -magnitude : magnitude;
        assert.equal(vatFromInclusiveCents(a, rate), oracleVat(a, rate), `rate ${rate}, amount ${a}`);
      }
    }
  });

  it('stays exact for amounts beyond 2^53 / rate (the BigInt path) and at the boundary', () => {
    const boundary = Math.floor(Number.MAX_SAFE_INTEGER / 150000);
    for (const a of [
      boundary - 1,
      boundary,
      boundary + 1,
      -boundary - 1,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 52 + 3,
    ]) {
      assert.equal(vatFromInclusiveCents(a, 15), oracleVat(a, 15), `amount ${a}`);
    }
  });

  it('is exact where a floating-point formula in rand drifts', () => {
    // The obvious float version, in rand: R10.11 at 20 % holds exactly R1.685 VAT, which
    // must round to R1.69; in binary floating point the product lands just under the half.
    const naive = (a: number, rate: number) => Math.round(((a / 100) * (rate / 100)) / (1 + rate / 100) * 100);
    assert.equal(naive(1011, 20), 168);
    assert.equal(vatFromInclusiveCents(1011, 20), 169);
    let floatDisagreements = 0;
    for (let a = 1; a <= 20000; a++) {
      if (naive(a, 20) !== oracleVat(a, 20)) floatDisagreements += 1;
      assert.equal(vatFromInclusiveCents(a, 20), oracleVat(a, 20));
    }
    assert.ok(floatDisagreements > 0, 'the naive float formula should disagree somewhere in this range');
  });

  it('rejects rates it cannot represent and amounts that are not integer cents', () => {
    assert.throws(() => vatFromInclusiveCents(100, -1), RangeError);
    assert.throws(() => vatFromInclusiveCents(100, 101), RangeError);
    assert.throws(() => vatFromInclusiveCents(100, Number.NaN), RangeError);
    assert.throws(() => vatFromInclusiveCents(100, 15.00001), /4 decimal places/);
    assert.throws(() => vatFromInclusiveCents(12.5, 15), RangeError);
    assert.throws(() => vatFromInclusiveCents(Number.MAX_SAFE_INTEGER + 1, 15), RangeError);
    assert.equal(vatFromInclusiveCents(10710, 7.1), oracleVat(10710, 7.1)); // 7.1 * 10000 has float noise
  });
});

describe('reports: VAT categories', () => {
  it('matches configured categories case-insensitively and ignoring outer spaces', () => {
    assert.equal(isVatCategory('Fuel', DEFAULT_VAT), true);
    assert.equal(isVatCategory('FUEL', DEFAULT_VAT), true);
    assert.equal(isVatCategory('  groceries ', DEFAULT_VAT), true);
    assert.equal(isVatCategory('dining', { ratePercent: 15, vatCategories: [' DINING '] }), true);
  });

  it('does not match other, blank or missing categories', () => {
    for (const c of ['Salary', 'Rent', 'Bank Fees', 'Fuel station', 'Fue', '', '   ', null]) {
      assert.equal(isVatCategory(c, DEFAULT_VAT), false, String(c));
    }
    assert.equal(isVatCategory('Fuel', { ratePercent: 15, vatCategories: [] }), false);
    assert.equal(isVatCategory('', { ratePercent: 15, vatCategories: [''] }), false);
  });

  it('the precomputed matcher agrees with isVatCategory', () => {
    const match = vatCategoryMatcher(DEFAULT_VAT);
    for (const c of ['Fuel', 'fuel', ' Travel', 'Salary', null, '', 'Clothing', 'clothes']) {
      assert.equal(match(c), isVatCategory(c, DEFAULT_VAT), String(c));
    }
  });
});
