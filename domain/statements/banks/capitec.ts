/**
 * Capitec. Date | Description | Money In | Money Out | Fee | Balance, dates "31/01/2024",
 * space thousands, a leading minus on money out, fees and overdrawn balances, and "R"
 * prefixes in the summary. The fee is taken with the row, so it becomes a row of its own.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const capitec: BankLayout = {
  id: 'capitec',
  name: 'Capitec',
  identity: /\bcapitec\b/i,
  headers: dictionary({
    date: 'date',
    'transaction date': 'date',
    'posting date': 'date',
    description: 'description',
    category: 'ignore',
    'money in': 'credit',
    'money out': 'debit',
    fee: 'fee',
    fees: 'fee',
    balance: 'balance',
  }),
  accepts: (k) => has(k, 'date', 'description', 'credit', 'debit', 'balance'),
  dateFormats: ['dmy'],
  unsignedAmount: 'infer',
  feeMode: 'auto',
  feeIncludedByDefault: true,
  inheritDate: false,
};
