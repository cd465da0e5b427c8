/**
 * Reads one table line: which date, which texts, which money in which column, and what
 * could not be read. No decisions about signs are made here; a row's values stay as
 * printed until the balance chain can judge them (see resolve.ts).
 */
import type { BankLayout } from '../banks/types';
import { parseAmount, signedCents, type Amount } from '../grammar/amount';
import { parseDate, type DateFormat, type PartialDate } from '../grammar/date';
import { MONEY_KINDS, TEXT_KINDS, type Column, type TableLayout } from '../layout/columns';
import type { Line } from '../layout/lines';
import { placeCells, type CellReader, type Placed } from '../layout/placement';

export type MoneyKind = 'debit' | 'credit' | 'amount' | 'balance' | 'fee';

export interface RowRead {
  date: PartialDate | null;
  /** Description text (and stray words under other labels), left to right. */
  texts: string[];
  /** Text of a separate reference column: kept apart so wrapped lines join per column. */
  refs: string[];
  money: Partial<Record<MoneyKind, Amount>>;
  /** Cells that sit in a money or date column, look like numbers, and do not parse. */
  problems: string[];
  /** The column the line's first text starts in (for continuation lines). */
  firstTextColumn: Column | null;
}

/** A spoiled number ("1,2O4.56", "12/13/2024"), as opposed to words that ran on under a label. */
function looksNumeric(text: string): boolean {
  return text.length <= 25 && /\d/.test(text) && (text.match(/[a-z]/gi)?.length ?? 0) <= 3;
}

/** Every date form we know, for rows that do not use the bank's usual one. */
const ANY_DATE: readonly DateFormat[] = ['iso', 'ymd8', 'dmy', 'dmony', 'dmon'];

/**
 * The bank's own date forms first, then the unambiguous rest: a bank that changes its
 * export to ISO dates still reads, while "01 15" stays Standard Bank's alone.
 */
export function dateFormatsOf(bank: BankLayout): DateFormat[] {
  return [...new Set([...bank.dateFormats, ...ANY_DATE])];
}

export function readerFor(bank: BankLayout): CellReader {
  const formats = dateFormatsOf(bank);
  return {
    money: (t) => parseAmount(t),
    date: (t) => parseDate(t, formats),
  };
}

/**
 * `reader` with each text's reading remembered, for one page: its cells are read in turn
 * by the column fit, the peel of run-together cells and the placement, and most of a
 * parse's time in the grammars was the same text read again. The readings are shared
 * between the callers, as all readings are treated: never changed once made.
 */
export function rememberingReader(reader: CellReader): CellReader {
  const money = new Map<string, Amount | null>();
  const dates = new Map<string, PartialDate | null>();
  return {
    money(t) {
      let v = money.get(t);
      if (v === undefined) money.set(t, (v = reader.money(t)));
      return v;
    },
    date(t) {
      let v = dates.get(t);
      if (v === undefined) dates.set(t, (v = reader.date(t)));
      return v;
    },
  };
}

/** A cell of nothing but "#": a flag the bank sets beside a row (a fee to come), not words. */
const FLAG = /^#+$/;

export function readRow(line: Line, layout: TableLayout, reader: CellReader): RowRead {
  const placed = placeCells(line, layout, reader).filter((p) => !(p.as === 'text' && FLAG.test(p.text)));
  // Group by column, in column order (at most a dozen columns: a list beats a Map here).
  const groups: { col: Column; parts: Placed[] }[] = [];
  for (const p of placed) {
    const g = groups.find((x) => x.col === p.column);
    if (g) g.parts.push(p);
    else groups.push({ col: p.column, parts: [p] });
  }
  groups.sort((a, b) => layout.columns.indexOf(a.col) - layout.columns.indexOf(b.col));
  const out: RowRead = { date: null, texts: [], refs: [], money: {}, problems: [], firstTextColumn: null };
  let dateProblem: string | null = null;
  for (const { col, parts } of groups) {
    const text = parts.length === 1 ? parts[0].text : parts.map((p) => p.text).join(' ');
    if (MONEY_KINDS.has(col.kind)) {
      let a = parts.length === 1 && parts[0].money ? parts[0].money : parseAmount(text);
      const figures = parts.filter((p) => p.money);
      if (!a && figures.length === 1) {
        // One figure and something else beside it in the column: a speck from a scan (kept
        // out), or words of a description that ran on (kept as description).
        a = figures[0].money;
        for (const p of parts) if (p !== figures[0] && /[a-z]{3}/i.test(p.text)) out.texts.push(p.text);
      }
      if (a) out.money[col.kind as MoneyKind] = a;
      else if (looksNumeric(text) && col.kind !== 'fee') out.problems.push(`"${text}" under ${col.label} is not an amount`);
      else if (col.kind !== 'fee') out.texts.push(text); // words that ran on under a money label
    } else if (col.kind === 'date') {
      const d = parts.length === 1 && parts[0].date ? parts[0].date : reader.date(text);
      if (d) out.date = d;
      else if (looksNumeric(text) && text.length <= 20) dateProblem = `"${text}" under ${col.label} is not a date`;
      else out.texts.push(text);
    } else if (col.kind === 'reference') {
      out.refs.push(text);
    } else if (TEXT_KINDS.has(col.kind)) {
      out.texts.push(text);
    }
  }
  // A spoiled date matters on a line with money; a number under the date label on a line
  // without any (a branch code in the page footer) is not a row at all.
  if (dateProblem !== null && (hasAnyMoney(out) || out.problems.length > 0)) out.problems.push(dateProblem);
  const firstText = placed.find((p) => p.as === 'text' && p.column.kind !== 'ignore');
  out.firstTextColumn = firstText?.column ?? null;
  return out;
}

/** The money that moves the balance (not the balance itself, not the fee). */
export function hasMovement(r: RowRead): boolean {
  return r.money.debit !== undefined || r.money.credit !== undefined || r.money.amount !== undefined;
}

export function hasAnyMoney(r: RowRead): boolean {
  return hasMovement(r) || r.money.balance !== undefined;
}

export type MarkerKind = 'forward' | 'carried' | 'closing';

// Opening balance and brought-forward rows mean the same thing at different places: the
// first one opens the statement, later ones repeat the balance at the top of a page.
const MARKERS: [MarkerKind, RegExp][] = [
  ['forward', /^(?:bal(?:ance)?\.? )?(?:brought forward|b\/f(?:orward)?)\b|^opening balance\b|^opening ?saldo\b|^saldo oorgebring\b|^oorgebring\b/],
  ['carried', /^(?:bal(?:ance)?\.? )?(?:carried forward|c\/f)\b|^saldo oorgedra\b|^oorgedra\b/],
  ['closing', /^closing balance\b|^afsluiting ?saldo\b|^slot ?saldo\b/],
];

export function markerOf(r: RowRead): { kind: MarkerKind; cents: number; bare: boolean } | null {
  const text = [...r.texts, ...r.refs].join(' ').toLowerCase().replace(/\s+/g, ' ').trim();
  if (text.length === 0 || text.length > 60) return null;
  const hit = MARKERS.find(([, re]) => re.test(text));
  if (!hit) return null;
  const value = r.money.balance ?? r.money.amount ?? r.money.credit ?? r.money.debit;
  if (!value) return null;
  return { kind: hit[0], cents: signedCents(value), bare: !value.explicit };
}

/** A "Totals" row under the table: its debit/credit cells are printed totals. */
export function isTotalsRow(r: RowRead): boolean {
  return r.date === null && /^(?:totals?|total for (?:the )?period|totale?)$/i.test(r.texts.join(' ').trim());
}
