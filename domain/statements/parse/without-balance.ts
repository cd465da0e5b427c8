/**
 * A table without a running balance (a credit card's Date | Description | Amount) cannot
 * be checked row by row, so it must be checked whole: it is a statement only if it prints
 * its opening and closing balance, and it is proven only if opening + sum = closing.
 *
 * The amounts are signed as everywhere else (a purchase is money out, a payment "Cr" or
 * "-" is money in). Cards print their balances as what is owed, though: if opening − sum
 * = closing, the printed balances are a debt, and they are turned round so that, as for
 * an account, a balance owed is negative. Which reading holds is for the figures to say.
 */
import type { ParseWarning } from '../types';
import type { Entry } from './resolve';
import type { Located, SummaryField } from './summary';

type Printed = Partial<Record<SummaryField, Located[]>>;

export interface Oriented {
  entries: Entry[];
  printed: Printed;
  warnings: ParseWarning[];
}

/** Null when the statement prints no opening or no closing balance: then there is nothing to prove it by. */
export function orientWithoutBalance(entries: Entry[], printed: Printed, warnings: ParseWarning[]): Oriented | null {
  const opening = printed.opening?.[0]?.value;
  const closing = printed.closing?.at(-1)?.value;
  if (opening === undefined || closing === undefined) return null;
  const sum = entries.reduce((s, e) => s + (e.type === 'tx' ? e.tx.amountCents : 0), 0);
  const asDebt = opening + sum !== closing && opening - sum === closing;
  // With the whole proven by the balances, a bare figure's sign is no longer a guess.
  const proven = asDebt || opening + sum === closing;
  const rest = proven ? warnings.filter((w) => w.code !== 'SIGN_ASSUMED') : warnings;
  if (!asDebt) return { entries, printed, warnings: rest };
  const flip = (list?: Located[]) => list?.map((l) => ({ ...l, value: -l.value }));
  return { entries, printed: { ...printed, opening: flip(printed.opening), closing: flip(printed.closing) }, warnings: rest };
}
