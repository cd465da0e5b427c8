/**
 * What a bank's layout says about its statements: how to recognise them, what its column
 * labels mean, which date forms it prints, and its quirks. The table reader is shared;
 * everything bank-specific lives in one of these objects.
 */
import type { DateFormat } from '../grammar/date';
import type { ColumnKind, HeaderDictionary } from '../layout/columns';

/**
 * Whether a per-row fee column moves the balance. Standard Bank's "Service Fee" and FNB's
 * "Accrued Bank Charges" do not (they are charged later as a row of their own); where a
 * bank's fee is taken with the row, it becomes a row of its own in the output so that
 * every amount is one balance movement. "auto" lets each row's balance movement decide.
 */
export type FeeMode = 'informational' | 'included' | 'auto';

export interface BankLayout {
  /** A stable identifier of the layout (code and logs). */
  id: string;
  /** The `bank_source` reported for statements read with this layout. */
  name: string;
  /** The bank naming itself on page 1. Never enough alone: a header must match too. */
  identity: RegExp | null;
  headers: HeaderDictionary;
  /** Which sets of column kinds make a transaction table for this bank. */
  accepts(kinds: ReadonlySet<ColumnKind>): boolean;
  /** The forms this bank prints, tried first; the unambiguous others follow (parse/row.ts). */
  dateFormats: readonly DateFormat[];
  /**
   * How a bare number in a single "Amount" column is signed: FNB marks credits "Cr" and
   * leaves debits bare; "infer" looks at the whole column and, if it carries no sign
   * marks at all, lets each row's balance movement decide.
   */
  unsignedAmount: 'debit' | 'credit' | 'infer';
  feeMode: FeeMode;
  /** For "auto": what to assume when no balance can decide. */
  feeIncludedByDefault: boolean;
  /** Some layouts print the date only on the first row of a day. */
  inheritDate: boolean;
}

export function has(kinds: ReadonlySet<ColumnKind>, ...wanted: ColumnKind[]): boolean {
  return wanted.every((k) => kinds.has(k));
}
