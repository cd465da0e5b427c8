/** The account number a statement's header prints, and the forms it is kept in. */
import assert from 'node:assert/strict';
import { accountKey, findAccountNumber, maskAccount } from '../../../domain/statements/account';
import type { TextItem } from '../../../domain/statements';

const item = (str: string, x: number, y: number, width = str.length * 4, height = 8): TextItem => ({ str, x, y, width, height });

describe('statements: the account number', () => {
  it('reads it from a label and number in one text run, grouped or not', () => {
    assert.equal(findAccountNumber([[item('Gold Cheque Account : 62000000017', 300, 100)]]), '62000000017');
    assert.equal(findAccountNumber([[item('Account Number: 40-5678-1234', 300, 100)]]), '4056781234');
    assert.equal(findAccountNumber([[item('Rekeningnommer 10 09 876 543 2', 300, 100)]]), '10098765432');
  });

  it('reads it right of its label on the same line, and under its label in a strip of labels', () => {
    // Same line, a few points lower baseline, far to the right.
    assert.equal(findAccountNumber([[item('Account', 40, 187, 36), item('1234509876', 340, 188, 56)]]), '1234509876');
    // A strip: labels over values; the value under "Account Number" starts in its column.
    const strip = [item('Branch Number', 128, 791, 43), item('Account Number', 181, 791, 45), item('250655', 128, 800, 22), item('62000000017', 181, 800, 37)];
    assert.equal(findAccountNumber([strip]), '62000000017');
  });

  it('does not take other numbers for it', () => {
    const none = [
      [item('VAT Registration Number', 40, 100), item('4000000001', 200, 100)],
      [item('Account Enquiries', 40, 120), item('0860000000', 200, 120)],
      [item('Account', 40, 140), item('Holder Name', 100, 140), item('1234567890', 300, 140)], // words between
      [item('Monthly Account Admin Fee -R6.50', 40, 160)],
      [item('Account: 1234', 40, 180)], // too short for an account number
      [item('Statement No 47', 40, 200)],
    ];
    for (const page of none) assert.equal(findAccountNumber([page]), null, page.map((i) => i.str).join(' | '));
  });

  it('takes the first on the first page that prints one', () => {
    const first = [item('Account : 11112222333', 300, 100), item('Savings Account : 99998888777', 300, 400)];
    assert.equal(findAccountNumber([[item('Page 1', 10, 10)], first]), '11112222333');
  });

  it('is kept hashed and masked, never as read', () => {
    const key = accountKey('FNB', '62000000017');
    assert.match(key, /^[0-9a-f]{32}$/);
    assert.ok(!key.includes('62000000017'));
    assert.equal(accountKey('FNB', '62000000017'), key, 'the same account gives the same key');
    assert.notEqual(accountKey('Absa', '62000000017'), key, 'one number at two banks is two accounts');
    assert.equal(maskAccount('62000000017'), '••••0017');
  });
});
