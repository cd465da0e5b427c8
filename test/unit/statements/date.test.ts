import assert from 'node:assert/strict';
import { findFullDates, parseDate, toIso, YearResolver, type DateFormat } from '../../../domain/statements/grammar/date';

const ALL: DateFormat[] = ['iso', 'ymd8', 'dmy', 'dmony', 'dmon'];
const read = (s: string, f: DateFormat[] = ALL) => parseDate(s, f);

describe('statements: date grammar', () => {
  it('reads ISO, YYYYMMDD, D/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY and two-digit years', () => {
    assert.deepEqual(read('2024-01-31'), { year: 2024, month: 1, day: 31 });
    assert.deepEqual(read('2024/1/5'), { year: 2024, month: 1, day: 5 });
    assert.deepEqual(read('20240131'), { year: 2024, month: 1, day: 31 });
    assert.deepEqual(read('1/12/2023'), { year: 2023, month: 12, day: 1 });
    assert.deepEqual(read('31-01-2024'), { year: 2024, month: 1, day: 31 });
    assert.deepEqual(read('31.01.2024'), { year: 2024, month: 1, day: 31 });
    assert.deepEqual(read('31/01/24'), { year: 2024, month: 1, day: 31 });
    assert.deepEqual(read('31/01/99'), { year: 1999, month: 1, day: 31 });
  });

  it('reads month names in English and Afrikaans, short and long, with or without a year', () => {
    assert.deepEqual(read('5 Jan 2024'), { year: 2024, month: 1, day: 5 });
    assert.deepEqual(read('05-Jan-2024'), { year: 2024, month: 1, day: 5 });
    assert.deepEqual(read('15 December 2023'), { year: 2023, month: 12, day: 15 });
    assert.deepEqual(read('15 Desember 2023'), { year: 2023, month: 12, day: 15 });
    assert.deepEqual(read('1 Sept 2024'), { year: 2024, month: 9, day: 1 });
    assert.deepEqual(read('15 Jan'), { year: null, month: 1, day: 15 });
    assert.deepEqual(read('03 Maa'), { year: null, month: 3, day: 3 });
    assert.deepEqual(read('31 Mei'), { year: null, month: 5, day: 31 });
    assert.deepEqual(read('12 Okt'), { year: null, month: 10, day: 12 });
    assert.deepEqual(read('24 Des'), { year: null, month: 12, day: 24 });
    assert.deepEqual(read('9 mrt.'), { year: null, month: 3, day: 9 });
    assert.deepEqual(read('15JAN'), { year: null, month: 1, day: 15 });
  });

  it('drops a time printed after the date, and reads two-digit years after a month name', () => {
    assert.deepEqual(read('15/01/2024 10:32'), { year: 2024, month: 1, day: 15 });
    assert.deepEqual(read('2024-01-15 10:32:59'), { year: 2024, month: 1, day: 15 });
    assert.deepEqual(read('4 Jan 24'), { year: 2024, month: 1, day: 4 });
    assert.equal(read('15/01/2024 25:99:99:99'), null);
  });

  it('reads Standard Bank "MM DD" only where the layout says so', () => {
    assert.deepEqual(read('01 15', ['md']), { year: null, month: 1, day: 15 });
    assert.deepEqual(read('12 31', ['md']), { year: null, month: 12, day: 31 });
    assert.equal(read('01 15'), null, 'not a generic form');
    assert.equal(read('15 01', ['md']), null, 'month 15');
    // As a scan reads "12 08": the space lost, or taken for a colon; a point stays an amount.
    assert.deepEqual(read('1208', ['md']), { year: null, month: 12, day: 8 });
    assert.deepEqual(read('12:08', ['md']), { year: null, month: 12, day: 8 });
    assert.equal(read('12.08', ['md']), null);
    assert.equal(read('1232', ['md']), null, 'day 32');
  });

  it('refuses impossible dates and things that are not dates', () => {
    for (const s of ['31/02/2024', '30 Feb', '29/02/2023', '2024-13-01', '00/01/2024', '32 Jan', '2024-02-30', '15 Foo', 'Jan 15', '1,234.56', '123456', 'Payment 15 Jan', '15 Jan 2024 extra', '18991231']) {
      assert.equal(read(s), null, s);
    }
    assert.deepEqual(read('29/02/2024'), { year: 2024, month: 2, day: 29 }, 'leap year');
    assert.deepEqual(read('29 Feb'), { year: null, month: 2, day: 29 }, 'leap day allowed until the year is known');
  });

  it('finds full dates in running text', () => {
    const iso = (t: string) => findFullDates(t).map(toIso);
    assert.deepEqual(iso('Statement Period : 15 December 2023 to 14 January 2024'), ['2023-12-15', '2024-01-14']);
    assert.deepEqual(iso('Staatperiode : 15 Desember 2023 tot 14 Januarie 2024'), ['2023-12-15', '2024-01-14']);
    assert.deepEqual(iso('From: 01/01/2024 To: 31/01/2024'), ['2024-01-01', '2024-01-31']);
    assert.deepEqual(iso('Statement period: 2024-02-01 to 2024-02-29'), ['2024-02-01', '2024-02-29']);
    assert.deepEqual(iso('Statement period: 01/03/2024 \u2013 31/03/2024'), ['2024-03-01', '2024-03-31']);
    assert.deepEqual(iso('Account 1234567890 Branch 250655'), []);
  });
});

describe('statements: years for dates printed without one', () => {
  const day = (month: number, d: number) => ({ year: null, month, day: d });

  it('crosses December → January inside the statement period', () => {
    const r = new YearResolver({ year: 2023, month: 12, day: 15 }, { year: 2024, month: 1, day: 14 }, 1999);
    assert.equal(toIso(r.resolve(day(12, 15))!), '2023-12-15');
    assert.equal(toIso(r.resolve(day(12, 31))!), '2023-12-31');
    assert.equal(toIso(r.resolve(day(1, 2))!), '2024-01-02');
    assert.equal(toIso(r.resolve(day(1, 14))!), '2024-01-14');
  });

  it('keeps a newest-first statement in its years', () => {
    const r = new YearResolver({ year: 2023, month: 12, day: 15 }, { year: 2024, month: 1, day: 14 }, 1999);
    const out = [day(1, 14), day(1, 2), day(12, 30), day(12, 16)].map((d) => toIso(r.resolve(d)!));
    assert.deepEqual(out, ['2024-01-14', '2024-01-02', '2023-12-30', '2023-12-16']);
  });

  it('places the first row by the period even when it is out of order', () => {
    const r = new YearResolver({ year: 2023, month: 12, day: 15 }, { year: 2024, month: 1, day: 14 }, 1999);
    assert.equal(toIso(r.resolve(day(1, 3))!), '2024-01-03');
    assert.equal(toIso(r.resolve(day(12, 20))!), '2023-12-20');
  });

  it('follows the rows across several years in a long period', () => {
    const r = new YearResolver({ year: 2022, month: 1, day: 1 }, { year: 2024, month: 12, day: 31 }, 1999);
    const out = [day(1, 5), day(6, 1), day(12, 30), day(1, 2), day(7, 15), day(12, 31), day(1, 1), day(12, 29)].map((d) => toIso(r.resolve(d)!));
    assert.deepEqual(out, ['2022-01-05', '2022-06-01', '2022-12-30', '2023-01-02', '2023-07-15', '2023-12-31', '2024-01-01', '2023-12-29']);
  });

  it('without a period, starts at the fallback year and moves on at each January', () => {
    const r = new YearResolver(null, null, 2023);
    const out = [day(11, 30), day(12, 31), day(1, 1), day(2, 29)].map((d) => toIso(r.resolve(d)!));
    assert.deepEqual(out, ['2023-11-30', '2023-12-31', '2024-01-01', '2024-02-29']);
  });

  it('keeps dates that carry their own year, and learns from them', () => {
    const r = new YearResolver(null, null, 2000);
    assert.equal(toIso(r.resolve({ year: 2021, month: 5, day: 1 })!), '2021-05-01');
    assert.equal(toIso(r.resolve(day(5, 2))!), '2021-05-02');
  });

  it('refuses 29 February when no nearby year has one', () => {
    const r = new YearResolver({ year: 2023, month: 2, day: 1 }, { year: 2023, month: 2, day: 28 }, 2023);
    assert.equal(r.resolve(day(2, 29)), null);
  });
});
