/**
 * Standard Bank. The classic statement reads Details | Service Fee | Debits | Credits |
 * Date | Balance: the date sits between the money columns and is printed "MM DD" without
 * a year; debits and overdrawn balances carry a trailing minus ("1,234.56-"). The
 * computer-generated statement from online banking puts the date first as YYYYMMDD.
 * The service fee column only flags fees that are debited later as rows of their own.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const standardBank: BankLayout = {
  id: 'standard_bank',
  name: 'Standard Bank',
  identity: /\bstandard\s*bank\b/i,
  headers: dictionary({
    details: 'description',
    description: 'description',
    'transaction details': 'description',
    'service fee': 'fee',
    'service fees': 'fee',
    debits: 'debit',
    debit: 'debit',
    credits: 'credit',
    credit: 'credit',
    page: 'ignore',
    date: 'date',
    'transaction date': 'date',
    balance: 'balance',
  }),
  accepts: (k) => has(k, 'description', 'debit', 'credit', 'date', 'balance'),
  dateFormats: ['md', 'ymd8'],
  unsignedAmount: 'infer',
  feeMode: 'informational',
  feeIncludedByDefault: false,
  inheritDate: false,
};
