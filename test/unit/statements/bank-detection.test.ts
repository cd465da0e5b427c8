/**
 * Which bank a statement is reported as: the bank that names itself, read with its own
 * labels (Nedbank in Afrikaans too), or with the generic ones when it prints labels its
 * layout does not know; never a bank that is merely mentioned on a document that has no
 * transaction table.
 */
import assert from 'node:assert/strict';
import { parseStatement } from '../../../domain/statements';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { page, rejects, table, type Spec } from './helpers';

const period: Spec = ['Statement period: 01/03/2024 to 31/03/2024', 36, 100];

describe('statements: which bank', () => {
  it('reads a Nedbank statement in Afrikaans with its own labels', () => {
    const header: [string, number, 'r'?][] = [['Datum', 36], ['Beskrywing', 100], ['Fooie', 300, 'r'], ['Debiete', 370, 'r'], ['Krediete', 440, 'r'], ['Saldo', 520, 'r']];
    const p = parseStatement([
      page(1, [
        ['Nedbank Beperk', 36, 60],
        period,
        ['Openingsaldo', 36, 120],
        ['5 000,00', 520, 120, 'r'],
        ...table(header, [
          ['02/03/2024', 'Salaris', null, null, '12 000,00', '17 000,00'],
          ['03/03/2024', 'Kontantonttrekking', '8,50', '500,00', null, '16 491,50'],
        ], 160),
      ]),
    ]);
    assert.equal(p.bankSource, 'Nedbank');
    assert.deepEqual(p.transactions.map((t) => t.amountCents), [1_200_000, -50_850]);
    assert.equal(p.reconciled, true);
  });

  it('reports a bank that names itself as that bank even when its labels are new to its layout', () => {
    const header: [string, number, 'r'?][] = [['Posting Date', 36], ['Narrative', 110], ['Amount', 420, 'r'], ['Running Balance', 530, 'r']];
    const p = parseStatement([
      page(1, [
        ['Capitec Bank Limited', 36, 60],
        period,
        ...table(header, [
          ['02/03/2024', 'Opening balance', null, '1 000.00'],
          ['03/03/2024', 'Card purchase', '-250.00', '750.00'],
          ['04/03/2024', 'Transfer in', '1 000.00', '1 750.00'],
        ], 160),
      ]),
    ]);
    assert.equal(p.bankSource, 'Capitec');
    assert.equal(p.transactions.length, 2);
    assert.equal(p.reconciled, true);
  });

  it("does not take an invoice that prints a bank's details for that bank's statement", async () => {
    const specs: Spec[] = [
      ['Example Internet (Pty) Ltd', 36, 60],
      ['TAX INVOICE 23607', 36, 80],
      ['Banking details: First National Bank, account 000000000', 36, 100],
      ['Description', 36, 140],
      ['Amount', 500, 140, 'r'],
      ['Fibre 50 Mbps, March 2024', 36, 154],
      ['699.00', 500, 154, 'r'],
      ['Statement balance payable', 36, 180],
      ['699.00', 500, 180, 'r'],
    ];
    await rejects(() => parseStatement([page(1, specs)]), TaskErrorCodes.NOT_A_STATEMENT);
  });
});
