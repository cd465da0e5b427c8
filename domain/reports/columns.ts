/**
 * The Transactions columns, defined once so the Excel sheet and the CSV cannot disagree
 * on order, headers or which figure goes where.
 */
import type { PreparedRow } from './rows';

export type ColumnKind = 'date' | 'text' | 'money';

export interface TransactionColumn {
  header: string;
  kind: ColumnKind;
  /** Excel width in characters: fixed, because the streaming writer emits <cols> before row 1. */
  width: number;
  /** date: `YYYY-MM-DD`; text: the string ('' for none); money: cents, or null for an empty cell. */
  value: (row: PreparedRow) => string | number | null;
}

const BASE: TransactionColumn[] = [
  { header: 'Date', kind: 'date', width: 12, value: (r) => r.date },
  { header: 'Description', kind: 'text', width: 50, value: (r) => r.description },
  // Blank, not "Uncategorized": the sheet shows the data as it is; Excel's filter lists it as (Blanks).
  { header: 'Category', kind: 'text', width: 22, value: (r) => r.category ?? '' },
  { header: 'Amount', kind: 'money', width: 16, value: (r) => r.amountCents },
  { header: 'Balance', kind: 'money', width: 16, value: (r) => r.balanceCents },
];

const WITH_VAT: TransactionColumn[] = [
  { header: 'VAT Amount', kind: 'money', width: 14, value: (r) => r.vatCents },
  { header: 'Amount excl. VAT', kind: 'money', width: 18, value: (r) => r.amountCents - r.vatCents },
];

export function transactionColumns(includeVat: boolean): TransactionColumn[] {
  return includeVat ? [...BASE, ...WITH_VAT] : BASE;
}
