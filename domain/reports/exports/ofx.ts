/**
 * OFX 2.1.1 (XML) bank statement: one STMTRS in ZAR, a STMTTRN per transaction with the
 * row's stable FITID (so re-importing an overlapping statement does not duplicate rows in
 * software that de-duplicates on it: most do), and the closing balance as LEDGERBAL.
 *
 * Field limits from the OFX spec: NAME is A-32 (the description's first 32 characters),
 * MEMO A-255 (the description, cut there), BANKID A-9 (the bank's name in capitals,
 * letters and digits only: South African banks have no routing number to put there),
 * ACCTID A-22. Text is XML-escaped and stripped of what XML 1.0 cannot carry.
 */
import { xmlText } from '../excel/xml-text';
import { centsToDecimal } from '../rows';
import type { RenderOutcome, ReportRow } from '../types';
import { streamExport, type ExportFormat } from './stream';
import { clip, compactDate, singleLine, UNKNOWN_ACCOUNT } from './text';
import type { ExportOptions, ExportStatement } from './types';

const NAME_MAX = 32;
const MEMO_MAX = 255;

export function renderOfx(rows: AsyncIterable<ReportRow>, out: NodeJS.WritableStream, opts: ExportOptions): Promise<RenderOutcome> {
  return streamExport(rows, out, opts, ofxFormat);
}

/** OFX's bank id: capitals and digits of the bank's name, at most 9. */
export function ofxBankId(bankName: string): string {
  return bankName.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 9) || UNKNOWN_ACCOUNT;
}

const status = '<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>';

/** `YYYYMMDDHHMMSS.XXX[0:GMT]`: OFX's datetime, in UTC. */
function ofxDateTime(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}[0:GMT]`;
}

function ofxFormat(s: ExportStatement): ExportFormat {
  return {
    head: () =>
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>',
        '<OFX>',
        `<SIGNONMSGSRSV1><SONRS>${status}<DTSERVER>${ofxDateTime(s.createdAt)}</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>`,
        '<BANKMSGSRSV1><STMTTRNRS>',
        `<TRNUID>${s.messageId}</TRNUID>${status}`,
        '<STMTRS><CURDEF>ZAR</CURDEF>',
        `<BANKACCTFROM><BANKID>${xmlText(ofxBankId(s.bankName))}</BANKID><ACCTID>${xmlText(clip(s.accountId ?? UNKNOWN_ACCOUNT, 22))}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>`,
        `<BANKTRANLIST><DTSTART>${compactDate(s.periodStart)}</DTSTART><DTEND>${compactDate(s.periodEnd)}</DTEND>`,
        '',
      ].join('\n'),
    record: (r) => {
      const text = singleLine(r.description);
      // Cut at a word boundary's space, the space goes: a NAME never ends in one.
      const name = text ? `<NAME>${xmlText(clip(text, NAME_MAX).trimEnd())}</NAME><MEMO>${xmlText(clip(text, MEMO_MAX).trimEnd())}</MEMO>` : '';
      return (
        `<STMTTRN><TRNTYPE>${r.amountCents < 0 ? 'DEBIT' : 'CREDIT'}</TRNTYPE><DTPOSTED>${compactDate(r.date)}</DTPOSTED>` +
        `<TRNAMT>${centsToDecimal(r.amountCents)}</TRNAMT><FITID>${xmlText(r.fitid)}</FITID>${name}</STMTTRN>\n`
      );
    },
    tail: (t) => {
      // The caller makes sure one of the two balances is known (a LEDGERBAL is required).
      const closing = s.closingBalanceCents ?? (s.openingBalanceCents ?? 0) + t.netCents;
      return (
        '</BANKTRANLIST>\n' +
        `<LEDGERBAL><BALAMT>${centsToDecimal(closing)}</BALAMT><DTASOF>${compactDate(s.periodEnd)}</DTASOF></LEDGERBAL>\n` +
        '</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n'
      );
    },
  };
}
