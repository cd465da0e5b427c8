/**
 * Any other bank: the labels statements commonly use for each column, every date form we
 * know (ISO, DD/MM/YYYY, "5 Jan 2024", "05 Jan" with the year from the period), one signed
 * amount column or a debit/credit pair. A table must have a date, a description and either
 * a balance or a debit/credit pair: a "Date | Description | Amount" table alone is as
 * likely an invoice as a statement.
 */
import { dictionary } from '../layout/columns';
import { has, type BankLayout } from './types';

export const generic: BankLayout = {
  id: 'generic',
  name: 'Other bank',
  identity: null,
  headers: dictionary({
    date: 'date',
    'transaction date': 'date',
    'trans date': 'date',
    'txn date': 'date',
    'posting date': 'date',
    'post date': 'date',
    'value date': 'ignore',
    'effective date': 'ignore',
    datum: 'date',
    description: 'description',
    details: 'description',
    'transaction details': 'description',
    'transaction description': 'description',
    transaction: 'description',
    transactions: 'description',
    narrative: 'description',
    particulars: 'description',
    beskrywing: 'description',
    reference: 'reference',
    ref: 'reference',
    'your reference': 'reference',
    verwysing: 'reference',
    category: 'ignore',
    type: 'ignore',
    'tran list no': 'ignore',
    'transaction type': 'ignore',
    amount: 'amount',
    'amount (zar)': 'amount',
    'transaction amount': 'amount',
    bedrag: 'amount',
    debit: 'debit',
    debits: 'debit',
    'debit amount': 'debit',
    'money out': 'debit',
    'paid out': 'debit',
    payments: 'debit',
    withdrawals: 'debit',
    debiet: 'debit',
    debiete: 'debit',
    credit: 'credit',
    credits: 'credit',
    'credit amount': 'credit',
    'money in': 'credit',
    'paid in': 'credit',
    deposits: 'credit',
    receipts: 'credit',
    krediet: 'credit',
    krediete: 'credit',
    balance: 'balance',
    'running balance': 'balance',
    'account balance': 'balance',
    saldo: 'balance',
    fee: 'fee',
    fees: 'fee',
    charge: 'fee',
    charges: 'fee',
    'service fee': 'fee',
    'bank charges': 'fee',
    'accrued bank charges': 'fee',
  }),
  accepts: (k) =>
    has(k, 'date') &&
    (k.has('description') || k.has('reference')) &&
    (k.has('balance') || has(k, 'debit', 'credit')) &&
    (k.has('amount') || k.has('debit') || k.has('credit')),
  dateFormats: ['iso', 'dmy', 'dmony', 'dmon', 'ymd8'],
  unsignedAmount: 'infer',
  feeMode: 'auto',
  feeIncludedByDefault: false,
  inheritDate: true,
};
