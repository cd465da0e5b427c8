/**
 * Independent readers for the accounting exports: each file is read back by a parser that
 * shares no code with the renderer (an npm OFX parser, an npm QIF parser, csv-parse, saxes
 * and libxml2's schema validator), into plain records a test compares with the statement.
 */
import assert from 'node:assert/strict';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import { validateXML } from 'xmllint-wasm';
import { camt053Xsd } from './camt053-xsd';

// Neither ships types; these are the parts the readers use.
const ofxParser = require('node-ofx-parser') as { parse(text: string): any };
const qif2json = require('qif2json') as { parse(text: string, opts?: { dateFormat?: string | string[] }): any };

/** Text of a decimal to cents, exactly (no float arithmetic). */
export function decimalToCents(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  assert.ok(m, `not a decimal amount: ${JSON.stringify(text)}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---- OFX -----------------------------------------------------------------------------

export interface OfxTxn {
  type: string;
  date: string;
  amountCents: number;
  fitid: string;
  name: string | undefined;
  memo: string | undefined;
}
export interface OfxRead {
  bankId: string;
  acctId: string;
  acctType: string;
  currency: string;
  start: string;
  end: string;
  transactions: OfxTxn[];
  ledgerCents: number;
  ledgerAsOf: string;
}

/**
 * node-ofx-parser leaves entities encoded, after doubling every `&` (it prepares SGML that
 * way): `&lt;` reaches us as `&amp;amp;lt;`. Undone here, then the five XML entities.
 */
function ofxText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return String(v)
    .replace(/&amp;amp;/g, '&')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

const ofxDate = (v: string) => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;

export function readOfx(text: string): OfxRead {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"[^?]*\?>\s*<\?OFX OFXHEADER="200" VERSION="211"[^?]*\?>/);
  const doc = ofxParser.parse(text);
  const sonrs = doc.OFX.SIGNONMSGSRSV1.SONRS;
  assert.equal(String(sonrs.STATUS.CODE), '0');
  const stmt = doc.OFX.BANKMSGSRSV1.STMTTRNRS.STMTRS;
  const list = stmt.BANKTRANLIST;
  return {
    bankId: ofxText(stmt.BANKACCTFROM.BANKID)!,
    acctId: ofxText(stmt.BANKACCTFROM.ACCTID)!,
    acctType: stmt.BANKACCTFROM.ACCTTYPE,
    currency: stmt.CURDEF,
    start: ofxDate(String(list.DTSTART)),
    end: ofxDate(String(list.DTEND)),
    transactions: asArray<any>(list.STMTTRN).map((t) => ({
      type: t.TRNTYPE,
      date: ofxDate(String(t.DTPOSTED)),
      amountCents: decimalToCents(String(t.TRNAMT)),
      fitid: String(t.FITID),
      name: ofxText(t.NAME),
      memo: ofxText(t.MEMO),
    })),
    ledgerCents: decimalToCents(String(stmt.LEDGERBAL.BALAMT)),
    ledgerAsOf: ofxDate(String(stmt.LEDGERBAL.DTASOF)),
  };
}

// ---- QIF -----------------------------------------------------------------------------

export interface QifTxn {
  date: string;
  amountCents: number;
  payee: string | undefined;
  category: string | undefined;
}

export function readQif(text: string): { type: string; transactions: QifTxn[] } {
  const doc = qif2json.parse(text, { dateFormat: 'DD-MM-YYYY' });
  return {
    type: doc.type,
    transactions: doc.transactions.map((t: any) => {
      assert.doesNotMatch(String(t.date), /invalid/, 'a date the reader understood');
      return {
        date: String(t.date).slice(0, 10),
        amountCents: Math.round(t.amount * 100),
        payee: t.payee,
        category: t.category === undefined ? undefined : t.subcategory === undefined ? t.category : `${t.category}:${t.subcategory}`,
      };
    }),
  };
}

// ---- CSV -----------------------------------------------------------------------------

/** Records of a CSV (header first), by a real parser, strict about quoting and record length. */
export function readCsv(text: string): string[][] {
  return parseCsvSync(text, { bom: false, relax_quotes: false, relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
}

/** `DD/MM/YYYY` → `YYYY-MM-DD`, refusing anything else. */
export function fromDayFirst(text: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  assert.ok(m, `not DD/MM/YYYY: ${text}`);
  return `${m[3]}-${m[2]}-${m[1]}`;
}

// ---- camt.053 ------------------------------------------------------------------------

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** A small element tree by saxes (namespace-aware, strict XML 1.0). */
export function parseXml(text: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(tag.attributes)) attrs[k] = typeof a === 'string' ? a : a.value;
    const node: XmlNode = { name: tag.local ?? tag.name, attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(text).close();
  return root.children[0];
}

/** The one child at this path (throws if missing or repeated). */
export function at(node: XmlNode, ...path: string[]): XmlNode {
  let n = node;
  for (const p of path) {
    const found = n.children.filter((c) => c.name === p);
    assert.equal(found.length, 1, `expected one <${p}> under <${n.name}>, found ${found.length}`);
    n = found[0];
  }
  return n;
}
export const all = (node: XmlNode, name: string): XmlNode[] => node.children.filter((c) => c.name === name);

export interface CamtEntry {
  ref: string;
  amountCents: number;
  currency: string;
  indicator: string;
  status: string;
  bookingDate: string;
  valueDate: string;
  ustrd: string[];
}
export interface CamtRead {
  namespace: string;
  msgId: string;
  accountId: string;
  currency: string;
  balances: { code: string; amountCents: number; indicator: string; date: string }[];
  entries: CamtEntry[];
}

export function readCamt(text: string): CamtRead {
  const doc = parseXml(text);
  assert.equal(doc.name, 'Document');
  const stmt = at(doc, 'BkToCstmrStmt', 'Stmt');
  return {
    namespace: doc.attrs.xmlns,
    msgId: at(doc, 'BkToCstmrStmt', 'GrpHdr', 'MsgId').text,
    accountId: at(stmt, 'Acct', 'Id', 'Othr', 'Id').text,
    currency: at(stmt, 'Acct', 'Ccy').text,
    balances: all(stmt, 'Bal').map((b) => ({
      code: at(b, 'Tp', 'CdOrPrtry', 'Cd').text,
      amountCents: decimalToCents(at(b, 'Amt').text),
      indicator: at(b, 'CdtDbtInd').text,
      date: at(b, 'Dt', 'Dt').text,
    })),
    entries: all(stmt, 'Ntry').map((e) => {
      const details = all(e, 'NtryDtls');
      return {
        ref: at(e, 'NtryRef').text,
        amountCents: decimalToCents(at(e, 'Amt').text),
        currency: at(e, 'Amt').attrs.Ccy,
        indicator: at(e, 'CdtDbtInd').text,
        status: at(e, 'Sts').text,
        bookingDate: at(e, 'BookgDt', 'Dt').text,
        valueDate: at(e, 'ValDt', 'Dt').text,
        ustrd: details.length ? all(at(e, 'NtryDtls', 'TxDtls', 'RmtInf'), 'Ustrd').map((u) => u.text) : [],
      };
    }),
  };
}

/** Validates against the official camt.053.001.02 schema; returns libxml2's errors (none when valid). */
export async function camt053SchemaErrors(text: string): Promise<string[]> {
  const xsd = await camt053Xsd();
  const result = await validateXML({
    xml: [{ fileName: 'export.xml', contents: text }],
    schema: [{ fileName: 'camt.053.001.02.xsd', contents: xsd }],
    initialMemoryPages: 256,
    maxMemoryPages: 4096,
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
