/**
 * ISO 20022 camt.053.001.02 (BkToCstmrStmt): one statement of the account in ZAR, its
 * opening (OPBD) and closing (CLBD) booked balances, and one booked entry (Ntry) per
 * transaction with the row's stable id as NtryRef. The schema has no code for "whatever
 * the bank printed", so every entry carries the proprietary code NTRF ("not further
 * specified") issued by STATEMENTFLOW; the description goes in unstructured remittance
 * lines of at most 140 characters each (Max140Text).
 *
 * A balance the statement did not print is left out (the schema needs at least one; the
 * caller refuses a statement with neither). Amounts are magnitudes with CRDT/DBIT beside
 * them, as the schema's non-negative amount type requires.
 */
import { xmlAttr, xmlText } from '../excel/xml-text';
import type { RenderOutcome, ReportRow } from '../types';
import { streamExport, type ExportFormat } from './stream';
import { clip, magnitude, pieces, singleLine, UNKNOWN_ACCOUNT } from './text';
import type { ExportOptions, ExportStatement } from './types';

export const CAMT053_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02';
const CCY = 'ZAR';
const USTRD_MAX = 140;
const BANK_CODE = '<BkTxCd><Prtry><Cd>NTRF</Cd><Issr>STATEMENTFLOW</Issr></Prtry></BkTxCd>';

export function renderCamt053(rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions): Promise<RenderOutcome> {
  return streamExport(rows, out, opts, camtFormat);
}

/** xs:dateTime in UTC, to the second. */
const isoDateTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const indicator = (cents: number) => (cents < 0 ? 'DBIT' : 'CRDT');
const amount = (cents: number) => `<Amt Ccy="${xmlAttr(CCY)}">${magnitude(cents)}</Amt><CdtDbtInd>${indicator(cents)}</CdtDbtInd>`;

function balance(code: 'OPBD' | 'CLBD', cents: number | null, date: string): string {
  if (cents === null) return '';
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>${amount(cents)}<Dt><Dt>${date}</Dt></Dt></Bal>\n`;
}

function camtFormat(s: ExportStatement): ExportFormat {
  const created = isoDateTime(s.createdAt);
  const bank = clip(singleLine(s.bankName), 140);
  return {
    head: () =>
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Document xmlns="${CAMT053_NAMESPACE}">\n<BkToCstmrStmt>\n` +
      `<GrpHdr><MsgId>${s.messageId}</MsgId><CreDtTm>${created}</CreDtTm></GrpHdr>\n` +
      `<Stmt><Id>${s.messageId}</Id><CreDtTm>${created}</CreDtTm>` +
      `<FrToDt><FrDtTm>${s.periodStart}T00:00:00</FrDtTm><ToDtTm>${s.periodEnd}T23:59:59</ToDtTm></FrToDt>\n` +
      `<Acct><Id><Othr><Id>${xmlText(clip(s.accountId ?? UNKNOWN_ACCOUNT, 34))}</Id></Othr></Id><Ccy>${CCY}</Ccy>` +
      (bank ? `<Svcr><FinInstnId><Nm>${xmlText(bank)}</Nm></FinInstnId></Svcr>` : '') +
      '</Acct>\n' +
      balance('OPBD', s.openingBalanceCents, s.periodStart) +
      balance('CLBD', s.closingBalanceCents, s.periodEnd),
    record: (r) => {
      const text = singleLine(r.description);
      const details = text
        ? `<NtryDtls><TxDtls><RmtInf>${pieces(text, USTRD_MAX)
            .map((p) => `<Ustrd>${xmlText(p)}</Ustrd>`)
            .join('')}</RmtInf></TxDtls></NtryDtls>`
        : '';
      return (
        `<Ntry><NtryRef>${xmlText(r.fitid)}</NtryRef>${amount(r.amountCents)}<Sts>BOOK</Sts>` +
        `<BookgDt><Dt>${r.date}</Dt></BookgDt><ValDt><Dt>${r.date}</Dt></ValDt>${BANK_CODE}${details}</Ntry>\n`
      );
    },
    tail: () => '</Stmt>\n</BkToCstmrStmt>\n</Document>\n',
  };
}
