/**
 * SpreadsheetML cells as XML text. Strings are written inline (`t="inlineStr"`), never
 * into a shared-string table: that table would have to hold every distinct description
 * in memory until the end, and a streamed sheet cannot wait for it. Numbers and dates
 * are plain numbers whose look comes from the style (`s`); a date is its serial day.
 */
import { xmlText } from './xml-text';

/** Excel refuses cells over 32,767 characters; truncating beats an unopenable file. */
export const MAX_CELL_CHARS = 32_767;

/** Days from Excel's day 0 (1899-12-30, in the 1900 date system) to 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;

export function clampText(text: string): string {
  if (text.length <= MAX_CELL_CHARS) return text;
  // Do not split a surrogate pair (an emoji) into a lone half.
  const code = text.charCodeAt(MAX_CELL_CHARS - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_CELL_CHARS - 1 : MAX_CELL_CHARS);
}

/** The serial day of a UTC-midnight instant: what a date cell holds. */
export function excelSerial(utcMs: number): number {
  return utcMs / MS_PER_DAY + UNIX_EPOCH_SERIAL;
}

export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const styleAttr = (style: number): string => (style === 0 ? '' : ` s="${style}"`);

/**
 * A cell's XML cut around its row number and its value, made once per column so the
 * per-row loop only concatenates: `head + row + mid + value + tail`.
 */
export interface CellTemplate {
  head: string;
  mid: string;
  tail: string;
}

export function numberTemplate(column: string, style: number): CellTemplate {
  return { head: `<c r="${column}`, mid: `"${styleAttr(style)}><v>`, tail: '</v></c>' };
}

/** The value to fill in is inlineText(text). */
export function textTemplate(column: string, style: number): CellTemplate {
  return { head: `<c r="${column}`, mid: `"${styleAttr(style)} t="inlineStr"><is>`, tail: '</is></c>' };
}

/** `row` is the row number as text, converted once for the whole row. */
export function fill(template: CellTemplate, row: string | number, value: string): string {
  return template.head + row + template.mid + value + template.tail;
}

/** A formula with its cached result, which readers without a calculation engine show. */
export function formulaCell(column: string, row: number, formula: string, result: number, style: number): string {
  return `<c r="${column}${row}"${styleAttr(style)}><f>${xmlText(formula)}</f><v>${result}</v></c>`;
}

/** The `<t>` of an inline string, clamped and escaped. */
export function inlineText(text: string): string {
  const clamped = clampText(text);
  // Without xml:space="preserve" Excel trims leading and trailing whitespace.
  const padded = clamped.charCodeAt(0) <= 32 || clamped.charCodeAt(clamped.length - 1) <= 32;
  return `${padded ? '<t xml:space="preserve">' : '<t>'}${xmlText(clamped)}</t>`;
}
