/**
 * ABSA. Date | Transaction Description | Charge | Debit Amount | Credit Amount | Balance,
 * dates "1/12/2023", thousands grouped by spaces ("1 234.56"), overdrawn balances with a
 * trailing minus. The charge column's effect on the balance is decided row by row.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const absa: BankLayout = {
  id: 'absa',
  name: 'ABSA',
  identity: /\babsa\b/i,
  headers: dictionary({
    date: 'date',
    'transaction date': 'date',
    'transaction description': 'description',
    description: 'description',
    charge: 'fee',
    charges: 'fee',
    'debit amount': 'debit',
    'credit amount': 'credit',
    debit: 'debit',
    credit: 'credit',
    balance: 'balance',
  }),
  accepts: (k) => has(k, 'date', 'description', 'debit', 'credit', 'balance'),
  dateFormats: ['dmy'],
  unsignedAmount: 'infer',
  feeMode: 'auto',
  feeIncludedByDefault: false,
  inheritDate: false,
};
