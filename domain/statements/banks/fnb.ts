/**
 * FNB (First National Bank), in English or Afrikaans. Date | Description | Amount |
 * Balance | Accrued Bank Charges, dates "15 Jan" without a year. One amount column:
 * credits end in "Cr" ("Kt"), debits are bare; balances end in Cr/Dr (Kt/Dt). Accrued
 * bank charges are debited later as their own rows, which sometimes have no description.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const fnb: BankLayout = {
  id: 'fnb',
  name: 'FNB',
  identity: /\b(?:first\s+national\s+bank|fnb)\b/i,
  headers: dictionary({
    date: 'date',
    description: 'description',
    amount: 'amount',
    balance: 'balance',
    'accrued bank charges': 'fee',
    'bank charges': 'fee',
    datum: 'date',
    beskrywing: 'description',
    bedrag: 'amount',
    saldo: 'balance',
    'opgelope bankkoste': 'fee',
    'opgeloopte bankkoste': 'fee',
    'opgeloopte bank koste': 'fee',
    bankkoste: 'fee',
    'bank koste': 'fee',
  }),
  accepts: (k) => has(k, 'date', 'description', 'amount', 'balance'),
  dateFormats: ['dmon', 'dmony'],
  unsignedAmount: 'debit',
  feeMode: 'informational',
  feeIncludedByDefault: false,
  inheritDate: false,
};
