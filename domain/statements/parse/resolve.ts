/**
 * Turns row drafts into transactions: dates get their year, amounts their sign, fees
 * their place. Where the printed row leaves a choice open (a bare number in a single
 * amount column with no sign marks anywhere; a fee that may or may not have been taken
 * with the row), the balance movement decides: the reading for which previous balance +
 * amount = printed balance wins. If none fits, the layout's default is used and the chain
 * check in validate.ts reports the row; nothing is bent to fit.
 */
import type { BankLayout } from '../banks/types';
import { formatCents, type Amount } from '../grammar/amount';
import { toIso, type YearResolver } from '../grammar/date';
import type { ParsedTransaction, ParseWarning, SkippedRow } from '../types';
import type { Marker, RowDraft, TableEvent } from './table';

/** `fee`: the row is a fee alone; `feeCents`: a fee taken with the row, inside its amount. */
export type Entry = { type: 'tx'; tx: ParsedTransaction; fee: boolean; feeCents?: number } | { type: 'marker'; marker: Marker };

export interface Resolved {
  /** Transactions and markers, in statement order (seq not yet assigned). */
  entries: Entry[];
  warnings: ParseWarning[];
  skipped: SkippedRow[];
}

type Convention = 'debit' | 'credit' | 'unknown';

/** How bare numbers in the single amount column are signed, judged over the whole column. */
function amountConvention(events: TableEvent[], bank: BankLayout): Convention {
  if (bank.unsignedAmount !== 'infer') return bank.unsignedAmount;
  let negatives = false;
  let credits = false;
  for (const e of events) {
    const a = e.type === 'row' ? e.row.money.amount : undefined;
    if (!a) continue;
    if (a.negative) negatives = true;
    if (a.marker === 'cr') credits = true;
  }
  if (negatives) return 'credit'; // "-50.00" is written out, so a bare "50.00" is money in
  if (credits) return 'debit'; // "50.00 Cr" is written out, so a bare "50.00" is money out
  return 'unknown';
}

/** The readings of a row's movement (before fees), the preferred one first. */
function movements(row: RowDraft, convention: Convention): { options: number[]; ambiguous: boolean } {
  const { debit, credit, amount } = row.money;
  if (debit || credit) return { options: [(credit?.cents ?? 0) - (debit?.cents ?? 0)], ambiguous: false };
  if (!amount) return { options: [0], ambiguous: false };
  return signOptions(amount, convention);
}

function signOptions(a: Amount, convention: Convention): { options: number[]; ambiguous: boolean } {
  if (a.negative) return { options: [-a.cents], ambiguous: false };
  if (a.explicit) return { options: [a.cents], ambiguous: false };
  if (convention === 'debit') return { options: [-a.cents], ambiguous: false };
  if (convention === 'credit') return { options: [a.cents], ambiguous: false };
  return { options: [a.cents, -a.cents], ambiguous: true };
}

/**
 * How a balance printed without a sign is read. Most banks print an overdrawn balance with
 * a minus or "Dr"; FNB marks the positive ones "Cr" and leaves overdrawn ones bare, and a
 * statement overdrawn throughout has no mark at all. Printed signs decide where there are
 * any; otherwise both readings are tried and the balance chain picks.
 */
type BalanceSign = 'printed' | 'bare-negative';

function balanceReadings(events: TableEvent[]): BalanceSign[] {
  let credits = false;
  for (const e of events) {
    const a = e.type === 'row' ? e.row.money.balance : undefined;
    if (!a) continue;
    if (a.negative) return ['printed'];
    if (a.marker === 'cr') credits = true;
  }
  return credits ? ['bare-negative', 'printed'] : ['printed', 'bare-negative'];
}

function balanceOf(a: Amount | undefined, sign: BalanceSign): number | null {
  if (!a) return null;
  if (a.negative) return -a.cents;
  return sign === 'bare-negative' && !a.explicit ? -a.cents : a.cents;
}

export function resolveRows(
  events: TableEvent[],
  bank: BankLayout,
  years: YearResolver,
  openingHint: number | null,
): Resolved {
  const convention = amountConvention(events, bank);
  let best: (Resolved & { breaks: number }) | null = null;
  for (const sign of balanceReadings(events)) {
    const r = resolveWith(events, bank, years, openingHint, sign, convention);
    if (!best || r.breaks < best.breaks) best = r;
    if (best.breaks === 0) break; // no other reading can do better than an unbroken chain
  }
  const { breaks: _, ...resolved } = best!;
  return resolved;
}

function resolveWith(
  events: TableEvent[],
  bank: BankLayout,
  years: YearResolver,
  openingHint: number | null,
  sign: BalanceSign,
  convention: Convention,
): Resolved & { breaks: number } {
  const out: Resolved & { breaks: number } = { entries: [], warnings: [], skipped: [], breaks: 0 };
  let running: number | null = openingHint;

  for (const e of events) {
    if (e.type === 'marker') {
      const m = e.marker.bare && sign === 'bare-negative' ? { ...e, marker: { ...e.marker, cents: -e.marker.cents } } : e;
      out.entries.push(m);
      if (running !== null && running !== m.marker.cents) out.breaks++;
      if (m.marker.kind === 'forward') running = m.marker.cents;
      continue;
    }
    const row = e.row;
    const date = years.resolve(row.date);
    if (!date) {
      out.skipped.push({ page: row.page, line: row.line, text: row.raw.join('\n'), reason: 'the date does not exist' });
      continue;
    }
    const balance = balanceOf(row.money.balance, sign);
    const fee = row.money.fee?.cents ?? 0;
    const { options, ambiguous } = movements(row, convention);
    const feeOptions =
      fee === 0 || bank.feeMode === 'informational'
        ? [0]
        : bank.feeMode === 'included'
          ? [fee]
          : bank.feeIncludedByDefault
            ? [fee, 0]
            : [0, fee];
    // A row whose only money is the fee is the fee itself.
    const feeOnly = !row.money.debit && !row.money.credit && !row.money.amount;
    if (feeOnly && bank.feeMode !== 'informational') feeOptions.splice(0, feeOptions.length, fee);

    let chosen = { amount: options[0], fee: feeOptions[0] };
    let decided = false;
    if (running !== null && balance !== null) {
      for (const amount of options) {
        for (const f of feeOptions) {
          if (!decided && running + amount - f === balance) {
            chosen = { amount, fee: f };
            decided = true;
          }
        }
      }
    }
    if (!decided && running !== null && balance !== null) {
      // A row that shows an amount while the balance stays put (FNB's notice of a debit
      // order it tried to collect) moved no money: the bank does not count it, nor do we.
      if (balance === running && options.every((o) => o !== 0)) {
        out.warnings.push({
          page: row.page,
          line: row.line,
          code: 'NO_BALANCE_MOVEMENT',
          message: `Page ${row.page}, line ${row.line}: the row shows ${formatCents(Math.abs(options[0]))} but the balance did not change; it is a notice, not a transaction, and was left out`,
        });
        continue;
      }
      out.breaks++;
    }
    if (ambiguous && !decided) {
      out.warnings.push({
        page: row.page,
        line: row.line,
        code: 'SIGN_ASSUMED',
        message: `Page ${row.page}, line ${row.line}: the amount ${formatCents(Math.abs(options[0]))} carries no sign and the balance could not decide it; it was read as money in`,
      });
    }

    const words = row.reference.length > 0 ? row.description.concat(row.reference) : row.description;
    // Written out rather than spread from a shared base: there is one per row, and objects
    // of one literal shape are cheaper both to build and to read afterwards (validation,
    // the save) than spread copies.
    const tx: ParsedTransaction = {
      date: toIso(date),
      page: row.page,
      line: row.line,
      rawText: row.raw.join('\n'),
      seq: 0,
      description: words.join(' ').replace(/\s+/g, ' ').trim(),
      // A fee taken with the row is part of that row's movement: the bank counts it as one
      // transaction, and the printed balance follows both.
      amountCents: feeOnly ? -chosen.fee : chosen.amount - chosen.fee,
      balanceCents: balance,
    };
    out.entries.push(feeOnly ? { type: 'tx', fee: true, tx } : { type: 'tx', fee: false, feeCents: chosen.fee, tx });
    if (balance !== null) running = balance;
    else if (running !== null) running += chosen.amount - chosen.fee;
  }
  return out;
}
