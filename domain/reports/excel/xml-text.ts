/**
 * Text into XML. Bank descriptions are arbitrary: they may hold markup characters and even
 * control characters that XML 1.0 cannot carry at all (a NUL makes the whole part
 * unreadable, and Excel then "repairs" the file by dropping the sheet).
 *
 *  - `&` `<` `>` are escaped; `"` too in attributes;
 *  - C0 controls other than tab, LF and CR, and U+FFFE / U+FFFF, are dropped: no escape
 *    makes them legal in XML 1.0;
 *  - CR becomes `&#13;`, because a parser turns a literal CR (or CRLF) into LF;
 *  - a lone surrogate half needs nothing here: the UTF-8 encoder writes it as U+FFFD.
 *
 * Most text needs none of this, so one regex test decides before any replace runs.
 */

/** What XML 1.0 cannot carry, as a character-class body: C0 controls but tab, LF, CR; U+FFFE, U+FFFF. */
const ILLEGAL_CHARS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF';
const NEEDS_WORK = new RegExp(`[&<>"\\r${ILLEGAL_CHARS}]`);
const ILLEGAL = new RegExp(`[${ILLEGAL_CHARS}]`, 'g');
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\r]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
const entity = (c: string): string => ENTITIES[c];

/** Element content. */
export function xmlText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(ILLEGAL, '').replace(TEXT_SPECIAL, entity);
}

/** A double-quoted attribute value. */
export function xmlAttr(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(ILLEGAL, '').replace(ATTR_SPECIAL, entity);
}
