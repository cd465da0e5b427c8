/** Stable transaction ids: the same row, the same id, in every parse and every overlapping statement. */
import assert from 'node:assert/strict';
import { assignFitids, fitidScope, type FitidRow } from '../../../domain/statements/fitid';

const row = (date: string, description: string, amountCents: number, balanceCents: number | null): FitidRow => ({ date, description, amountCents, balanceCents });
const scope = fitidScope('FNB', 'a1b2c3');

describe('statements: stable transaction ids', () => {
  const march = [
    row('2024-03-01', 'COFFEE SHOP', -3500, 96500),
    row('2024-03-01', 'COFFEE SHOP', -3500, 93000),
    row('2024-03-02', 'SALARY', 2_500_000, 2_593_000),
    row('2024-03-03', 'FEE', -650, null),
    row('2024-03-03', 'FEE', -650, null),
  ];

  it('gives each row of a statement its own id, identical rows included', () => {
    const ids = assignFitids(scope, march);
    assert.equal(new Set(ids).size, march.length);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  });

  it('gives the same ids every time, whatever the whitespace of the description', () => {
    const again = march.map((r) => ({ ...r, description: ` ${r.description.replace(' ', '   ')} ` }));
    assert.deepEqual(assignFitids(scope, again), assignFitids(scope, march));
  });

  it('gives the days two statements share the same ids in both', () => {
    const first = assignFitids(scope, march);
    // The next statement starts on 2024-03-02: the rows it shares with the first keep their ids.
    const next = [...march.slice(2), row('2024-03-04', 'RENT', -900_000, 1_692_350)];
    assert.deepEqual(assignFitids(scope, next).slice(0, 3), first.slice(2));
  });

  it('tells apart rows that differ in any field, and accounts', () => {
    const base = assignFitids(scope, [march[2]])[0];
    for (const changed of [
      { ...march[2], date: '2024-03-05' },
      { ...march[2], description: 'SALARY MARCH' },
      { ...march[2], amountCents: 2_500_001 },
      { ...march[2], balanceCents: null },
    ]) assert.notEqual(assignFitids(scope, [changed])[0], base, JSON.stringify(changed));
    assert.notEqual(assignFitids(fitidScope('FNB', 'ffff'), [march[2]])[0], base);
    assert.notEqual(assignFitids(fitidScope('FNB', null), [march[2]])[0], base, 'without an account, scoped by the bank');
  });

  it('keeps version 1 of the derivation: ids clients have stored never change', () => {
    const rows = [
      row('2026-03-02', '  Card  purchase\tShop 12 ', -12345, 100000),
      row('2026-03-02', 'Card purchase Shop 12', -12345, 100000), // the same row once whitespace is folded: occurrence 1
      row('2026-03-03', 'Fee', -500, null),
    ];
    assert.deepEqual(assignFitids(fitidScope('FNB', 'acct-key-1'), rows), [
      'e1a1f018440b23b5c4f2194e916995e2',
      'df3f67590f086f8e8959467dcb826ff7',
      'e13ca7ee75de47278298b0e199317a6c',
    ]);
  });
});
