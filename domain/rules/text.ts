/**
 * Case-insensitive text, defined once for both engines: only the ASCII letters A–Z fold
 * to a–z; every other character compares exactly ("É" ≠ "é"). In SQL that is
 * `lower(x COLLATE "C")` (ASCII-only whatever the database's locale); here it is foldAscii.
 * A Unicode-aware fold would make the answer depend on the server's locale and libc or
 * ICU version, and the SQL and TS paths could then disagree.
 */

const HAS_UPPER_ASCII = /[A-Z]/;
const NON_ASCII = /[\u0080-\uffff]/;

export function foldAscii(s: string): string {
  if (!HAS_UPPER_ASCII.test(s)) return s;
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Length in Unicode code points (what a user counts as characters). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `s` with each lone surrogate replaced by U+FFFD: what pg sends for a text parameter, for text sent another way (inside JSON). */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd') : s;
}

/**
 * Why a string cannot be stored or compared in Postgres text, or null when it can:
 * text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form (pg would send
 * U+FFFD, and the two engines would compare different strings).
 */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it contains a lone surrogate)';
  return null;
}
