/**
 * RFC 4180 field quoting plus spreadsheet formula-injection protection.
 *
 * Injection: a bank description is attacker-controlled (anyone can send a payment with a
 * reference like `=HYPERLINK("http://evil","click")`), and Excel evaluates a CSV field
 * that starts with =, +, -, @ (and, after trimming, tab or CR) as a formula. Prefixing a
 * single quote makes Excel show the text as typed (OWASP "CSV Injection"). Only TEXT
 * fields are neutralized: amounts are written by our own number formatter and must stay
 * numbers (`-12.50`), so callers use textField() for text and plain output for numbers.
 */

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Prefixes `'` to text Excel would otherwise run as a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/** Quotes a field if it holds a comma, quote, CR or LF, doubling inner quotes (RFC 4180 §2.6-2.7). */
export function quoteField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A text cell: neutralized, then quoted as needed. */
export function textField(text: string): string {
  return quoteField(neutralizeFormula(text));
}

/** One record with its CRLF terminator (RFC 4180 §2.1). */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.join(',')}\r\n`;
}
