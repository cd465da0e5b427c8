/** The text and number forms the export formats share. */

/** The account id when the statement printed none: the same for every such file, so an importer maps them to one account the user picks. */
export const UNKNOWN_ACCOUNT = 'UNKNOWN';

/** C0 controls (tab, LF, CR included: they become spaces first) and U+FFFE/U+FFFF, which XML 1.0 cannot carry and no importer wants. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F\uFFFE\uFFFF]/g;

/**
 * A description on one line: runs of whitespace (a wrapped statement line, tabs) as one
 * space, control characters dropped, ends trimmed. Every export writes text through this,
 * so a line-based format (QIF, CSV) cannot be split by a description and an XML one never
 * meets a character it cannot hold.
 */
export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(CONTROL, '').trim();
}

/** At most `max` characters (code points, as XML schemas count them), never half a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

/** `text` in pieces of at most `max` code points (camt.053's 140-character Ustrd lines). */
export function pieces(text: string, max: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

/** `YYYY-MM-DD` → `DD/MM/YYYY`, the day-first order South African and UK software reads. */
export function dayFirst(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** `YYYY-MM-DD` → `YYYYMMDD` (OFX dates). */
export function compactDate(date: string): string {
  return date.replace(/-/g, '');
}

/** A positive magnitude with two decimals, `12.50`: camt.053 puts the sign in CdtDbtInd. */
export function magnitude(cents: number): string {
  const m = Math.abs(cents);
  return `${Math.floor(m / 100)}.${String(m % 100).padStart(2, '0')}`;
}

/** The masked account as the exports print it: "••••5678" → "XXXX5678". */
export function printableAccount(mask: string | null): string | null {
  if (!mask) return null;
  const text = mask.replace(/[^0-9A-Za-z]/g, 'X');
  return /[0-9]/.test(text) ? text : null;
}
