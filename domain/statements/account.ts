/**
 * The account a statement is of, as its header prints it: the number after a label such as
 * "Account Number", "Account No:", "Rekeningnommer" or "<product> Account :", on the
 * label's own line (right of it, or in the same text run) or right below it (a header
 * strip of labels over values). Read from the first pages only, where banks print it.
 *
 * The number identifies the account across statements (stable transaction ids, overlaps,
 * continuity); it is never stored as read: the session keeps a hash and a masked form
 * (accountKey, maskAccount).
 */
import { createHash } from 'node:crypto';
import type { TextItem } from './types';

/** 8-16 digits, possibly grouped by single spaces or dashes ("62 1234 5678"). */
const NUMBER = /^\d(?:[ -]?\d){7,15}$/;
/** A label ending in an account word, e.g. "Account Number", "Cheque Account No.:", "Rekeningnommer". */
const LABEL = /(?:^|\s)(?:account|rekening)\s*(?:number|no\.?|nr\.?|nommer)?\s*:?\s*$/i;
/** The same label and the number in one text run: "FNB Aspire Current Account : 62000000000". */
const LABEL_AND_NUMBER = /(?:^|\s)(?:account|rekening)\s*(?:number|no\.?|nr\.?|nommer)?\s*:?\s*(\d(?:[ -]?\d){7,15})\s*$/i;
/** Labels that end in an account word but name something else. */
const NOT_THE_ACCOUNT = /registration|vat|btw|reg\.|enquir|navrae|code|type|holder|houer|name|naam/i;

const digits = (s: string) => s.replace(/[ -]/g, '');

/** The account number on these pages (the first pages of a statement), digits only; null when none is printed. */
export function findAccountNumber(pages: readonly (readonly TextItem[])[]): string | null {
  for (const items of pages) {
    const found = onPage(items);
    if (found) return found;
  }
  return null;
}

function onPage(items: readonly TextItem[]): string | null {
  // In reading order, so the first label of the page wins over a later mention.
  const ordered = [...items].sort((a, b) => a.y - b.y || a.x - b.x);
  for (const item of ordered) {
    const text = item.str.trim();
    if (!text || NOT_THE_ACCOUNT.test(text)) continue;
    const inline = LABEL_AND_NUMBER.exec(text);
    if (inline) return digits(inline[1]);
    if (!LABEL.test(text)) continue;
    const value = rightOf(item, ordered) ?? below(item, ordered);
    if (value) return digits(value.str.trim());
  }
  return null;
}

/** The nearest number on the label's line, right of it, with no other words between. */
function rightOf(label: TextItem, items: readonly TextItem[]): TextItem | null {
  const sameLine = items
    .filter((i) => i !== label && Math.abs(i.y - label.y) <= Math.max(2, label.height * 0.4) && i.x >= label.x + label.width - 1 && i.str.trim())
    .sort((a, b) => a.x - b.x);
  const next = sameLine[0];
  return next && NUMBER.test(next.str.trim()) ? next : null;
}

/** A number right under the label (a strip of labels over their values), starting in the label's column. */
function below(label: TextItem, items: readonly TextItem[]): TextItem | null {
  const within = Math.max(label.height * 2.5, 6);
  const under = items
    .filter((i) => i.y > label.y + label.height * 0.5 && i.y - label.y <= within && i.x < label.x + label.width && i.x + i.width > label.x && i.str.trim())
    .sort((a, b) => a.y - b.y || a.x - b.x);
  const next = under[0];
  return next && NUMBER.test(next.str.trim()) ? next : null;
}

/**
 * A stable key for the account: the same statement, or two statements of one account,
 * give the same key; the number itself cannot be read back from it.
 * Domain-separated and bank-scoped, so one number at two banks is two accounts.
 */
export function accountKey(bankSource: string, accountNumber: string): string {
  return createHash('sha256').update(`statementflow account v1\n${bankSource}\n${accountNumber}`).digest('hex').slice(0, 32);
}

/** The account as it may be shown: its last four digits, the rest masked ("••••5678"). */
export function maskAccount(accountNumber: string): string {
  return `••••${accountNumber.slice(-4)}`;
}
