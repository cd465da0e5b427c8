/**
 * Which layout reads this document. A bank is chosen only when it names itself on its first pages
 * AND one of its own headers is found: an invoice that prints "Bank: FNB" among its
 * payment details has no FNB transaction table, so it is not an FNB statement. A table
 * whose header matches no bank's own labels falls to the generic layout.
 */
import { matchHeader, type TableLayout } from '../layout/columns';
import type { Line } from '../layout/lines';
import { absa } from './absa';
import { capitec } from './capitec';
import { fnb } from './fnb';
import { generic } from './generic';
import { nedbank } from './nedbank';
import { standardBank } from './standard-bank';
import type { BankLayout } from './types';

export type { BankLayout } from './types';
export const BANKS: readonly BankLayout[] = [standardBank, fnb, absa, capitec, nedbank];
export { generic };

/**
 * Tried last: a table with no balance column (a credit card's Date | Description |
 * Amount). Such a table is only read as a statement if it prints its opening and closing
 * balance (parse/without-balance.ts): an invoice's lines look the same.
 */
export const withoutBalance: BankLayout = {
  ...generic,
  id: 'generic_no_balance',
  accepts: (k) => k.has('date') && k.has('description') && !k.has('balance') && (k.has('amount') || k.has('debit') || k.has('credit')),
};

export interface Detection {
  bank: BankLayout;
  /** The first header of the transaction table. */
  header: TableLayout;
  /** The columns were inferred from the rows: there is no header. */
  inferred?: boolean;
}

/** Banks that name themselves on the first page (or the second, after a cover page). */
export function namedBanks(pages: Line[][]): BankLayout[] {
  const text = pages.slice(0, 2).flat().map((l) => l.text).join('\n');
  return BANKS.filter((b) => b.identity?.test(text));
}

/**
 * Fed the pages one at a time, in order (parse/statement.ts streams them): the banks named
 * on the first two pages are tried first, in their order, then the generic layout; for
 * each, the first of its headers anywhere in the document.
 */
export class BankDetector {
  /** The first pages, until the banks they name are known. */
  private head: Line[][] = [];
  private candidates: BankLayout[] | null = null;
  private named: BankLayout[] = [];
  private readonly found = new Map<BankLayout, TableLayout>();

  add(lines: Line[]): void {
    if (this.candidates) return this.scan(lines);
    this.head.push(lines);
    if (this.head.length >= 2) this.start();
  }

  /** The banks that name themselves on the first two pages (after every page is added). */
  namedBanks(): BankLayout[] {
    if (!this.candidates) this.start();
    return this.named;
  }

  result(): Detection | null {
    if (!this.candidates) this.start();
    for (const bank of this.candidates!) {
      const header = this.found.get(bank);
      if (!header) continue;
      // A bank that names itself but whose table uses labels its own layout does not know
      // (a new export format) is read with the generic labels, and still reported as itself.
      const named = this.named[0];
      if ((bank === generic || bank === withoutBalance) && named) return { bank: { ...bank, id: named.id, name: named.name, dateFormats: [...new Set([...named.dateFormats, ...generic.dateFormats])] }, header };
      return { bank, header };
    }
    return null;
  }

  private start(): void {
    this.named = namedBanks(this.head);
    this.candidates = [...this.named, generic, withoutBalance];
    const head = this.head;
    this.head = [];
    for (const lines of head) this.scan(lines);
  }

  private scan(lines: Line[]): void {
    for (const bank of this.candidates!) {
      if (this.found.has(bank)) continue;
      for (let i = 0; i < lines.length; i++) {
        const h = matchHeader(lines, i, bank.headers, bank.accepts);
        if (h) {
          this.found.set(bank, h);
          break;
        }
      }
    }
  }
}
