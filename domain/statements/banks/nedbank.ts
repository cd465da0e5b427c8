/**
 * Nedbank, in English or Afrikaans (Datum | Beskrywing | Fooie | Debiete | Krediete |
 * Saldo). Tran list no | Date | Description | Fees | Debits | Credits | Balance, dates
 * "31/01/2024". The transaction list number is a number in a non-money column, which the
 * column mapping keeps out of the amounts.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const nedbank: BankLayout = {
  id: 'nedbank',
  name: 'Nedbank',
  identity: /\bnedbank\b/i,
  headers: dictionary({
    'tran list no': 'ignore',
    'tran list number': 'ignore',
    'transaction list no': 'ignore',
    date: 'date',
    'transaction date': 'date',
    description: 'description',
    fees: 'fee',
    fee: 'fee',
    debits: 'debit',
    credits: 'credit',
    balance: 'balance',
    // Afrikaans statements
    'transaksielys nr': 'ignore',
    datum: 'date',
    transaksiedatum: 'date',
    beskrywing: 'description',
    fooie: 'fee',
    debiete: 'debit',
    krediete: 'credit',
    saldo: 'balance',
  }),
  accepts: (k) => has(k, 'date', 'description', 'debit', 'credit', 'balance'),
  dateFormats: ['dmy'],
  unsignedAmount: 'infer',
  feeMode: 'auto',
  feeIncludedByDefault: true,
  inheritDate: false,
};
