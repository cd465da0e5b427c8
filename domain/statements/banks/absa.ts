/**
 * ABSA. Date | Transaction Description | Charge | Debit Amount | Credit Amount | Balance,
 * dates "1/12/2023", thousands grouped by spaces ("1 234.56"), overdrawn balances with a
 * trailing minus. The charge column's effect on the balance is decided row by row.
 * The business "Statement Enquiry" print reads Event No | Date | Description | Site |
 * Amount | Balance instead: dates "250601" (YYMMDD), one signed amount column, and the
 * opening balance as a first "BALANCE B/FORWARD" row.
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
    amount: 'amount',
    'event no': 'ignore',
    'entry event no': 'ignore',
    site: 'ignore',
  }),
  accepts: (k) => has(k, 'date', 'description', 'balance') && (has(k, 'debit', 'credit') || k.has('amount')),
  dateFormats: ['dmy', 'ymd6'],
  unsignedAmount: 'infer',
  feeMode: 'auto',
  feeIncludedByDefault: false,
  inheritDate: false,
};
