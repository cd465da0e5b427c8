/**
 * The values the balance chain needs at a break: worked out from the balances around it,
 * they are what each figure on the offending lines is asked whether it can be read as
 * (confusions.ts). Only magnitudes are given; the sign is the reading's business.
 */
import type { ParsedStatement, PositionedPage } from '../types';
import { buildLines } from '../layout/lines';
import { before, type Spot } from './chain-proof';
import { digitsOf } from './confusions';

/** The values the chain needs around a spot (magnitudes, cents), and the lines to look at. */
export function needs(p: ParsedStatement, spot: Spot, pagesRef: PositionedPage[]): { targets: Set<number>; lines: { page: number; line: number }[] } {
  const txs = p.transactions;
  const targets = new Set<number>();
  const lines = [{ page: spot.page, line: spot.line }];
  const add = (v: number | null | undefined) => {
    if (v !== null && v !== undefined && v !== 0) targets.add(Math.abs(v));
  };
  // Running balance just before index i (null when nothing before it sets one).
  const runningBefore = (i: number): { value: number | null; from: number } => {
    let sum = 0;
    for (let j = i - 1; j >= 0; j--) {
      if (txs[j].balanceCents !== null) return { value: txs[j].balanceCents! + sum, from: j };
      sum += txs[j].amountCents;
    }
    return { value: p.openingBalanceCents === null ? null : p.openingBalanceCents + sum, from: -1 };
  };
  const firstAfter = txs.findIndex((t) => before(spot, t));
  const firstOn = txs.findIndex((t) => t.page === spot.page && t.line === spot.line);
  const idx = firstOn >= 0 ? firstOn : firstAfter >= 0 ? firstAfter : txs.length;
  const r = runningBefore(idx);

  if (spot.code === 'BALANCE_MISMATCH' && firstOn >= 0) {
    let lastOn = firstOn;
    while (lastOn + 1 < txs.length && txs[lastOn + 1].page === spot.page && txs[lastOn + 1].line === spot.line) lastOn++;
    const moved = txs.slice(firstOn, lastOn + 1).reduce((s, t) => s + t.amountCents, 0);
    const b = txs[lastOn].balanceCents;
    if (r.value !== null && b !== null) {
      add(b - r.value); // this row's amount
      for (let i = firstOn; i <= lastOn; i++) add(b - r.value - (moved - txs[i].amountCents));
    }
    if (r.value !== null) add(r.value + moved); // this row's balance
    if (b !== null) add(b - moved); // the previous balance
    if (r.from >= 0) lines.push({ page: txs[r.from].page, line: txs[r.from].line });
    return { targets, lines };
  }
  if (spot.code === 'SKIPPED') {
    // Each figure on the row read at face value (its digits, in cents): a lost decimal point
    // or a stray mark made it unreadable, and the row's own balance check will judge it.
    const page = pagesRef.find((pg) => pg.page === spot.page);
    const line = page && buildLines(page).find((l) => l.index === spot.line);
    for (const c of line?.cells ?? []) for (const w of c.text.split(' ')) {
      const d = digitsOf(w.replace(/^[^\dOolISsZB]+/, ''));
      if (d.length >= 3 && d.length <= 13) add(Number(d));
    }
    // The row's balance is what the next printed balance implies; its amount the step to it.
    let sum = 0;
    for (let j = firstAfter; j >= 0 && j < txs.length; j++) {
      sum += txs[j].amountCents;
      if (txs[j].balanceCents !== null) {
        const y = txs[j].balanceCents! - sum;
        add(y);
        if (r.value !== null) add(y - r.value);
        break;
      }
    }
    return { targets, lines };
  }
  // A brought/carried-forward marker: the running balance where it stands.
  add(r.value);
  return { targets, lines };
}
