/**
 * Statements with a fault printed in them: the fault is reported where it is, and every
 * other row still comes back exactly.
 */
import assert from 'node:assert/strict';
import { parseStatement } from '../../../domain/statements';
import { FIXTURES, type StatementSpec } from '../../fixtures/statements';
import { comparable, extracted } from './helpers';

const spec = (name: string, extra: Partial<StatementSpec>): StatementSpec => ({ ...FIXTURES.find((s) => s.style.name === name)!, ...extra });
const FNB_BAD_BALANCE = spec('fnb', { corruptBalanceAt: 40 });
const SB_BAD_AMOUNT = spec('standard-bank-classic', { unreadableAmountAt: 75 });

describe('statements: faults printed in a statement', function () {
  this.timeout(60_000);

  it('reports a wrong printed balance on the row that shows it and the row after, and changes nothing', async () => {
    const { g, pages } = await extracted(FNB_BAD_BALANCE);
    const parsed = parseStatement(pages);
    assert.deepEqual(
      parsed.warnings.map((w) => [w.code, w.page, w.line]),
      g.corrupted!.map((p) => ['BALANCE_MISMATCH', p.page, p.line]),
    );
    assert.match(parsed.warnings[0].message, /difference R10\.00/);
    assert.match(parsed.warnings[1].message, /difference -R10\.00/);
    parsed.transactions.forEach((t, i) => {
      const want = { ...g.truth.transactions[i] };
      if (i === 40) want.balanceCents! += 1000; // as printed
      assert.deepStrictEqual(comparable(t), want, `row ${i + 1}`);
    });
    assert.equal(parsed.reconciled, false);
    assert.deepEqual(parsed.skippedRows, []);
  });

  it('sets aside a row whose amount cannot be read, with its page, line and text, and reads the rest', async () => {
    const { g, pages } = await extracted(SB_BAD_AMOUNT);
    const parsed = parseStatement(pages);
    assert.equal(parsed.skippedRows.length, 1);
    const s = parsed.skippedRows[0];
    assert.deepEqual([s.page, s.line], [g.unreadable!.page, g.unreadable!.line]);
    assert.match(s.text, /\d+O\.\d\d/);
    assert.match(s.reason, /is not an amount/);
    assert.deepStrictEqual(parsed.transactions.map(comparable), g.truth.transactions);
    assert.equal(parsed.reconciled, false);
    assert.ok(parsed.warnings.length > 0, 'the missing amount shows in the checks');
    assert.ok(parsed.warnings.every((w) => /MISMATCH$/.test(w.code)));
  });
});
