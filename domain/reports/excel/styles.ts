/**
 * Every cell style the workbook uses, and the styles.xml part that defines them. A cell
 * names its style by index (`s="2"`), so the table below is the single place where the
 * name, the index and the XML come from: they cannot drift apart.
 */
import { xmlAttr } from './xml-text';

/**
 * Rand with thousands separators, `R #,##0.00` with the R quoted: an unquoted letter in a
 * number format is not a documented literal (Excel may reject or "repair" the file);
 * `"R"` is the form Excel itself writes for the en-ZA currency format and displays
 * exactly the same, "R 1,234.50" / "-R 12.50".
 */
export const CURRENCY_FORMAT = '"R" #,##0.00';
/** ISO dates: unambiguous whatever the reader's locale. */
export const DATE_FORMAT = 'yyyy-mm-dd';
export const MONTH_FORMAT = 'mmm yyyy';
export const COUNT_FORMAT = '#,##0';
export const PERCENT_FORMAT = '0.00%';

/** The number formats a column can have. */
export type NumberFormat = 'date' | 'month' | 'currency' | 'count' | 'percent';

const FORMAT_CODES: Record<NumberFormat, string> = {
  date: DATE_FORMAT,
  month: MONTH_FORMAT,
  currency: CURRENCY_FORMAT,
  count: COUNT_FORMAT,
  percent: PERCENT_FORMAT,
};
/** Formats every spreadsheet knows by number; the others are declared from id 164 on. */
const BUILT_IN_FORMAT_IDS: Record<string, number> = { [COUNT_FORMAT]: 3, [PERCENT_FORMAT]: 10 };
const FIRST_CUSTOM_FORMAT_ID = 164;

const FONTS = {
  regular: '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
  bold: '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
  title: '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>',
};
/** The first two fills are reserved by the format (none, gray125). */
const FILLS = {
  none: '<fill><patternFill patternType="none"/></fill>',
  gray125: '<fill><patternFill patternType="gray125"/></fill>',
  header: '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/></patternFill></fill>',
};
const BORDERS = {
  none: '<border><left/><right/><top/><bottom/><diagonal/></border>',
  underline: '<border><left/><right/><top/><bottom style="thin"/><diagonal/></border>',
  /** Accounting totals: a thin rule above, a double rule below. */
  total: '<border><left/><right/><top style="thin"/><bottom style="double"/><diagonal/></border>',
};

interface StyleSpec {
  format?: NumberFormat;
  font?: keyof typeof FONTS;
  fill?: keyof typeof FILLS;
  border?: keyof typeof BORDERS;
  verticalCenter?: boolean;
}

const SPECS = {
  plain: {},
  date: { format: 'date' },
  month: { format: 'month' },
  currency: { format: 'currency' },
  count: { format: 'count' },
  percent: { format: 'percent' },
  header: { font: 'bold', fill: 'header', border: 'underline', verticalCenter: true },
  title: { font: 'title' },
  bold: { font: 'bold' },
  total: { font: 'bold', border: 'total' },
  totalCurrency: { format: 'currency', font: 'bold', border: 'total' },
  totalCount: { format: 'count', font: 'bold', border: 'total' },
} satisfies Record<string, StyleSpec>;

export type StyleName = keyof typeof SPECS;

/** Style name -> the index a cell's `s` attribute carries. */
export const STYLE = Object.fromEntries(Object.keys(SPECS).map((name, i) => [name, i])) as Record<StyleName, number>;

/** The style of a data cell with this number format. */
export function dataStyle(format: NumberFormat | undefined): number {
  return format ? STYLE[format] : STYLE.plain;
}

/** The style of a totals-row cell in a column with this number format. */
export function totalStyle(format: NumberFormat | undefined): number {
  if (format === 'currency') return STYLE.totalCurrency;
  if (format === 'count') return STYLE.totalCount;
  return STYLE.total;
}

export function stylesXml(): string {
  const custom = (Object.values(FORMAT_CODES) as string[]).filter((code) => !(code in BUILT_IN_FORMAT_IDS));
  const formatId = (code: string): number => BUILT_IN_FORMAT_IDS[code] ?? FIRST_CUSTOM_FORMAT_ID + custom.indexOf(code);
  const indexIn = (table: object, key: string | undefined): number => (key ? Object.keys(table).indexOf(key) : 0);
  const xfs = (Object.values(SPECS) as StyleSpec[]).map((spec) => {
    const numFmtId = spec.format ? formatId(FORMAT_CODES[spec.format]) : 0;
    const applies = [
      spec.format ? ' applyNumberFormat="1"' : '',
      spec.font ? ' applyFont="1"' : '',
      spec.fill ? ' applyFill="1"' : '',
      spec.border ? ' applyBorder="1"' : '',
      spec.verticalCenter ? ' applyAlignment="1"' : '',
    ].join('');
    const attrs =
      `numFmtId="${numFmtId}" fontId="${indexIn(FONTS, spec.font)}" fillId="${indexIn(FILLS, spec.fill)}"` +
      ` borderId="${indexIn(BORDERS, spec.border)}" xfId="0"${applies}`;
    return spec.verticalCenter ? `<xf ${attrs}><alignment vertical="center"/></xf>` : `<xf ${attrs}/>`;
  });
  const list = (tag: string, items: string[]): string => `<${tag} count="${items.length}">${items.join('')}</${tag}>`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    list(
      'numFmts',
      custom.map((code) => `<numFmt numFmtId="${formatId(code)}" formatCode="${xmlAttr(code)}"/>`),
    ) +
    list('fonts', Object.values(FONTS)) +
    list('fills', Object.values(FILLS)) +
    list('borders', Object.values(BORDERS)) +
    list('cellStyleXfs', ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>']) +
    list('cellXfs', xfs) +
    list('cellStyles', ['<cellStyle name="Normal" xfId="0" builtinId="0"/>']) +
    '</styleSheet>'
  );
}
