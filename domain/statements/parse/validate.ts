/**
 * Reconciliation, three ways:
 *  1. the running balance: previous balance + amount = printed balance, row by row
 *     (brought/carried forward rows are checked against the chain too);
 *  2. opening balance + sum of amounts = closing balance;
 *  3. the totals and counts the bank prints, where it prints them.
 * A break is reported with its page and line and the chain continues from the printed
 * balance, so one bad row gives one warning rather than a warning on every row after it.
 * Nothing is corrected here.
 */
import { formatCents } from '../grammar/amount';
import type { ParseWarning } from '../types';
import type { Entry } from './resolve';
import type { Located, SummaryField } from './summary';

/**
 * Balances and totals are printed to the cent and a bank adds cents exactly, so nothing
 * is allowed: a cent of slack would let a lost R0.01 row (interest, a rounding credit)
 * pass the chain and the totals unseen.
 */
const TOLERANCE = 0;

export interface ValidationInput {
  entries: Entry[];
  printed: Partial<Record<SummaryField, Located[]>>;
  skippedCount: number;
}

export interface ValidationResult {
  warnings: ParseWarning[];
  openingCents: number | null;
  closingCents: number | null;
  reconciled: boolean;
}

const where = (page: number, line: number) => `Page ${page}, line ${line}`;

export function validate(input: ValidationInput): ValidationResult {
  const { entries, printed } = input;
  const warnings: ParseWarning[] = [];
  const warn = (page: number, line: number, code: string, message: string) => warnings.push({ page, line, code, message });
  const txs = entries.filter((e): e is Extract<Entry, { type: 'tx' }> => e.type === 'tx');

  // Opening: a brought-forward/opening row before the first transaction, else the summary,
  // else what the first printed balance implies.
  const firstTx = entries.findIndex((e) => e.type === 'tx');
  const tableOpening = entries.find((e, i) => e.type === 'marker' && e.marker.kind === 'forward' && (firstTx < 0 || i < firstTx));
  const summaryOpening = printed.opening?.[0];
  let opening: number | null = tableOpening?.type === 'marker' ? tableOpening.marker.cents : (summaryOpening?.value ?? null);
  if (tableOpening?.type === 'marker' && summaryOpening && Math.abs(summaryOpening.value - opening!) > TOLERANCE) {
    warn(summaryOpening.page, summaryOpening.line, 'OPENING_MISMATCH',
      `${where(summaryOpening.page, summaryOpening.line)}: the summary's opening balance ${formatCents(summaryOpening.value)} differs from the table's ${formatCents(opening!)}`);
  }
  if (opening === null) {
    let sum = 0;
    for (const { tx } of txs) {
      sum += tx.amountCents;
      if (tx.balanceCents !== null) {
        opening = tx.balanceCents - sum;
        break;
      }
    }
  }

  // 1. The chain.
  let running = opening;
  let checks = 0;
  for (const e of entries) {
    if (e.type === 'marker') {
      const m = e.marker;
      if (e === tableOpening) continue;
      if (running !== null && Math.abs(running - m.cents) > TOLERANCE) {
        const code = m.kind === 'carried' ? 'CARRIED_FORWARD_MISMATCH' : m.kind === 'closing' ? 'CLOSING_MISMATCH' : 'BROUGHT_FORWARD_MISMATCH';
        warn(m.page, m.line, code, `${where(m.page, m.line)}: the statement shows ${formatCents(m.cents)} here but the transactions above add up to ${formatCents(running)}`);
      }
      if (running !== null) checks++;
      running = m.cents;
      continue;
    }
    const { tx } = e;
    if (running !== null) running += tx.amountCents;
    if (tx.balanceCents === null) continue;
    if (running !== null) {
      checks++;
      const before = running - tx.amountCents;
      if (Math.abs(running - tx.balanceCents) > TOLERANCE) {
        warn(tx.page, tx.line, 'BALANCE_MISMATCH',
          `${where(tx.page, tx.line)}: the balance does not follow from the previous one (${formatCents(before)} + ${formatCents(tx.amountCents)} = ${formatCents(running)}, but the statement shows ${formatCents(tx.balanceCents)}; difference ${formatCents(tx.balanceCents - running)})`);
      }
    }
    running = tx.balanceCents;
  }

  // 2. Opening + sum = closing.
  const closingMarkers = entries.flatMap((e) => (e.type === 'marker' && e.marker.kind === 'closing' ? [e.marker] : []));
  const printedClosings: Located[] = [
    ...closingMarkers.map((m) => ({ value: m.cents, page: m.page, line: m.line })),
    ...(printed.closing ?? []),
  ];
  let lastBalance: number | null = null;
  for (let i = txs.length - 1; i >= 0 && lastBalance === null; i--) lastBalance = txs[i].tx.balanceCents;
  const closing = printedClosings.length > 0 ? printedClosings[printedClosings.length - 1].value : lastBalance;
  const sum = txs.reduce((s, t) => s + t.tx.amountCents, 0);
  if (opening !== null && closing !== null) {
    checks++;
    if (Math.abs(opening + sum - closing) > TOLERANCE) {
      const at = printedClosings[printedClosings.length - 1] ?? { page: txs.at(-1)?.tx.page ?? 1, line: txs.at(-1)?.tx.line ?? 1 };
      warn(at.page, at.line, 'OPENING_CLOSING_MISMATCH',
        `The opening balance ${formatCents(opening)} plus the ${txs.length} transactions read (${formatCents(sum)}) gives ${formatCents(opening + sum)}, but the closing balance is ${formatCents(closing)} (difference ${formatCents(closing - opening - sum)})`);
    }
  }
  for (const c of printedClosings) {
    if (closing !== null && Math.abs(c.value - closing) > TOLERANCE) {
      warn(c.page, c.line, 'CLOSING_MISMATCH', `${where(c.page, c.line)}: this closing balance ${formatCents(c.value)} differs from ${formatCents(closing)} printed elsewhere`);
    }
  }

  // 3. Printed totals and counts. Banks differ on whether fees count as debits, and on
  // whether a credit with a fee taken from it counts gross or net, so each reading passes.
  const totals = totalsOf(txs);
  const expectations: [SummaryField, string, number[], boolean][] = [
    ['totalCredits', 'total of credits', [totals.credits.cents, totals.grossCredits.cents], false],
    ['totalDebits', 'total of debits', [totals.debitsNoFee.cents, totals.debitsAll.cents, totals.grossDebits.cents, totals.grossDebits.cents + totals.feeTotal], false],
    ['totalFees', 'total of fees', totals.feeTotal > 0 ? [totals.feeTotal] : [], false],
    ['creditCount', 'number of credits', [totals.credits.count, totals.grossCredits.count], true],
    ['debitCount', 'number of debits', [totals.debitsNoFee.count, totals.debitsAll.count, totals.grossDebits.count], true],
    ['transactionCount', 'number of transactions', [txs.length - totals.fees.count, txs.length], true],
  ];
  for (const [field, label, accepted, isCount] of expectations) {
    if (accepted.length === 0) continue;
    for (const p of printed[field] ?? []) {
      checks++;
      const value = Math.abs(p.value);
      if (accepted.some((a) => Math.abs(a - value) <= (isCount ? 0 : TOLERANCE))) continue;
      const show = (n: number) => (isCount ? String(n) : formatCents(n));
      warn(p.page, p.line, isCount ? 'COUNT_MISMATCH' : 'TOTAL_MISMATCH',
        `${where(p.page, p.line)}: the statement's ${label} is ${show(value)} but the transactions read give ${show(accepted[accepted.length - 1])}`);
    }
  }

  const broken = warnings.length > 0;
  return {
    warnings,
    openingCents: opening,
    closingCents: closing,
    reconciled: checks > 0 && !broken && input.skippedCount === 0,
  };
}

/** A count of rows and the sum of their absolute amounts, in cents. */
interface Tally {
  count: number;
  cents: number;
}

/**
 * The ways a bank may total its rows, in one pass over them (a statement can have tens of
 * thousands): credits, debits with and without fees, fees, and the gross movements of rows
 * with a fee taken from them (such a fee is inside the row's amount).
 */
function totalsOf(txs: readonly Extract<Entry, { type: 'tx' }>[]) {
  const tally = (): Tally => ({ count: 0, cents: 0 });
  const add = (to: Tally, cents: number) => {
    to.count++;
    to.cents += Math.abs(cents);
  };
  const out = { credits: tally(), debitsAll: tally(), debitsNoFee: tally(), fees: tally(), grossCredits: tally(), grossDebits: tally(), feeTotal: 0 };
  for (const t of txs) {
    const amount = t.tx.amountCents;
    if (amount > 0) add(out.credits, amount);
    if (amount < 0) add(out.debitsAll, amount);
    if (amount < 0 && !t.fee) add(out.debitsNoFee, amount);
    if (t.fee) add(out.fees, amount);
    const gross = amount + (t.feeCents ?? 0);
    if (!t.fee && gross > 0) add(out.grossCredits, gross);
    if (!t.fee && gross < 0) add(out.grossDebits, gross);
    out.feeTotal += t.feeCents ?? 0;
  }
  out.feeTotal += out.fees.cents;
  return out;
}
