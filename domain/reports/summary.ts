/**
 * Accumulates the Summary, Monthly and VAT figures while the transactions stream past.
 * Memory is one small record per distinct category and per month — never per row — so
 * a two-million-row report costs the same here as a ten-row one.
 *
 * VAT convention (what an accountant reading the VAT sheet expects):
 *  - Money OUT in a VAT-able category is a purchase: the VAT it contains is INPUT VAT,
 *    claimable.
 *  - Money IN in a VAT-able category is treated as a taxable supply: the VAT it contains
 *    is OUTPUT VAT, payable. Income in a non-VAT-able category (Salary, Rent received,
 *    transfers, uncategorized) carries no output VAT: it is not a supply we can show was
 *    taxable, and the VAT categories are the configured list of what is.
 *  - A credit in an expense-like category (a Groceries refund) therefore shows as output
 *    VAT rather than as a reduction of input VAT. The NET position (output - input) is the
 *    same either way; only the gross split differs, and this rule keeps "output = VAT on
 *    money in" simple to check against the Transactions sheet.
 *  - Net VAT position = output - input: positive is payable to the revenue service,
 *    negative is refundable.
 * Without includeVat no VAT is computed at all (every VAT figure is 0).
 */
import { categoryKey } from './vat';
import { UNCATEGORIZED, type PreparedRow } from './rows';
import type { RenderTotals } from './types';

export interface CategoryFigures {
  /** Display name: the first spelling seen (trimmed), or "Uncategorized". */
  label: string;
  uncategorized: boolean;
  count: number;
  moneyInCents: number;
  /** Positive magnitude. */
  moneyOutCents: number;
  /** VAT on money in (positive). */
  vatOutputCents: number;
  /** VAT on money out (positive). */
  vatInputCents: number;
  /** Whether any row of this category was VAT-able. */
  vatable: boolean;
  /** Money in / out of the VAT-able rows only (VAT sheet's "incl. VAT" columns). */
  vatableInCents: number;
  vatableOutCents: number;
}

export interface MonthFigures {
  /** `YYYY-MM`. */
  month: string;
  count: number;
  incomeCents: number;
  /** Positive magnitude. */
  expensesCents: number;
}

export class SummaryAccumulator {
  private readonly categories = new Map<string, CategoryFigures>();
  private readonly months = new Map<string, MonthFigures>();
  private rowCount = 0;

  add(row: PreparedRow): void {
    this.rowCount += 1;
    const key = categoryKey(row.category);
    let cat = this.categories.get(key);
    if (!cat) {
      cat = {
        label: row.category ?? UNCATEGORIZED,
        uncategorized: key === '',
        count: 0,
        moneyInCents: 0,
        moneyOutCents: 0,
        vatOutputCents: 0,
        vatInputCents: 0,
        vatable: false,
        vatableInCents: 0,
        vatableOutCents: 0,
      };
      this.categories.set(key, cat);
    }
    let month = this.months.get(row.month);
    if (!month) {
      month = { month: row.month, count: 0, incomeCents: 0, expensesCents: 0 };
      this.months.set(row.month, month);
    }
    cat.count += 1;
    month.count += 1;
    const amount = row.amountCents;
    if (amount > 0) {
      cat.moneyInCents += amount;
      month.incomeCents += amount;
    } else if (amount < 0) {
      cat.moneyOutCents -= amount;
      month.expensesCents -= amount;
    }
    if (row.vatable) {
      cat.vatable = true;
      if (amount > 0) {
        cat.vatableInCents += amount;
        cat.vatOutputCents += row.vatCents;
      } else if (amount < 0) {
        cat.vatableOutCents -= amount;
        cat.vatInputCents -= row.vatCents;
      }
    }
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Alphabetical (case-insensitive), with Uncategorized last where people look for leftovers. */
  categoryList(): CategoryFigures[] {
    return [...this.categories.values()].sort((a, b) => {
      if (a.uncategorized !== b.uncategorized) return a.uncategorized ? 1 : -1;
      const byName = a.label.localeCompare(b.label, 'en', { sensitivity: 'base' });
      return byName !== 0 ? byName : a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
    });
  }

  /** Chronological: `YYYY-MM` strings sort as dates. */
  monthList(): MonthFigures[] {
    return [...this.months.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  }

  totals(): RenderTotals {
    let moneyInCents = 0;
    let moneyOutCents = 0;
    let vatInputCents = 0;
    let vatOutputCents = 0;
    for (const c of this.categories.values()) {
      moneyInCents += c.moneyInCents;
      moneyOutCents += c.moneyOutCents;
      vatInputCents += c.vatInputCents;
      vatOutputCents += c.vatOutputCents;
    }
    return { moneyInCents, moneyOutCents, netCents: moneyInCents - moneyOutCents, vatInputCents, vatOutputCents };
  }
}
