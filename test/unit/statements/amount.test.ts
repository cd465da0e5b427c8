import assert from 'node:assert/strict';
import { formatCents, parseAmount, parseCount, signedCents } from '../../../domain/statements/grammar/amount';

const cents = (s: string) => {
  const a = parseAmount(s);
  return a === null ? null : signedCents(a);
};

describe('statements: amount grammar', () => {
  it('reads comma, space, no-break-space, dot and apostrophe thousands', () => {
    assert.equal(cents('1,234.56'), 123456);
    assert.equal(cents('1 234.56'), 123456);
    assert.equal(cents('1\u00a0234.56'), 123456);
    assert.equal(cents('1\u202f234\u202f567.89'), 123456789);
    assert.equal(cents('1.234,56'), 123456);
    assert.equal(cents("1'234.56"), 123456);
    assert.equal(cents('12,345,678.90'), 1234567890);
    assert.equal(cents('1234.56'), 123456);
    assert.equal(cents('0.00'), 0);
    assert.equal(cents('0.07'), 7);
  });

  it('reads a decimal comma', () => {
    assert.equal(cents('1 234,56'), 123456);
    assert.equal(cents('12,50'), 1250);
  });

  it('reads every way of writing a negative', () => {
    for (const s of ['-1,234.56', '1,234.56-', '(1,234.56)', '1,234.56 Dr', '1,234.56Dr', '1 234.56 DR', '1,234.56Dt', '-R1,234.56', 'R-1,234.56', 'R1,234.56-', '\u22121,234.56', '\u20131,234.56', '( 1,234.56 )']) {
      assert.equal(cents(s), -123456, s);
    }
  });

  it('reads credits and plain positives', () => {
    for (const s of ['1,234.56', '1,234.56 Cr', '1,234.56Cr', '1 234.56Kt', '1,234.56 CR', 'R1,234.56', 'R 1 234.56', 'ZAR 1,234.56', '+1,234.56', 'R1 234.56 Cr']) {
      assert.equal(cents(s), 123456, s);
    }
  });

  it('says which sign information was printed', () => {
    assert.deepEqual(parseAmount('12.00'), { cents: 1200, negative: false, marker: null, explicit: false });
    assert.deepEqual(parseAmount('12.00Cr'), { cents: 1200, negative: false, marker: 'cr', explicit: true });
    assert.deepEqual(parseAmount('12.00 Dt'), { cents: 1200, negative: true, marker: 'dr', explicit: true });
    assert.deepEqual(parseAmount('-12.00'), { cents: 1200, negative: true, marker: null, explicit: true });
    assert.deepEqual(parseAmount('+12.00'), { cents: 1200, negative: false, marker: null, explicit: true });
  });

  it('refuses what is not money: no decimals, wrong groups, words, dates, references', () => {
    for (const s of [
      '', ' ', '1234', '1,234', '12.5', '12.345', '1,23,456.00', '12 34.56', '1,234.56.78', 'abc', '15 Jan', '2024-01-15',
      '15/01/2024', '20240115', '4587*1234', 'INV-2024-0117', '1,234,56', '12.00 Cr Dr', '--12.00', '(-12.00)', '-12.00 Cr', '+12.00 Dr',
      '12.00 Credit', 'Transfer', '.50', 'R', '1 234 .56', '1,234.56-+',
    ]) {
      assert.equal(parseAmount(s), null, JSON.stringify(s));
    }
  });

  it('keeps integer cents exact for large and awkward values', () => {
    assert.equal(cents('0.29'), 29); // 0.29 * 100 is 28.999999999999996 in floating point
    assert.equal(cents('1,000,000,000.01'), 100000000001);
    assert.equal(cents('90 071 992 547 409.99'), null, 'beyond safe integers is refused, not rounded');
    assert.equal(cents('9 007 199 254 740.99'), 900719925474099);
  });

  it('reads counts', () => {
    assert.equal(parseCount('12'), 12);
    assert.equal(parseCount('1 234'), 1234);
    assert.equal(parseCount('1,234'), 1234);
    assert.equal(parseCount('12.00'), null);
    assert.equal(parseCount('twelve'), null);
  });

  it('formats cents for messages', () => {
    assert.equal(formatCents(123456), 'R1,234.56');
    assert.equal(formatCents(-5), '-R0.05');
    assert.equal(formatCents(0), 'R0.00');
  });
});
