/**
 * The accounting exports, each read back by an independent parser (test/support/
 * export-readers.ts) and compared with the rows transaction by transaction; camt.053 also
 * against the official schema. Then the streaming contract every renderer keeps: abort,
 * a stalled or failing sink, a row without its id, nothing ended on failure.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  BAD_ROW_CODE,
  EXPORT_RENDERERS,
  type ExportOptions,
  type ExportStatement,
  type ExportType,
  type ReportRow,
} from '../../../domain/reports';
import { assignFitids } from '../../../domain/statements/fitid';
import { camt053SchemaErrors, fromDayFirst, readCamt, readCsv, readOfx, readQif } from '../../support/export-readers';
import { BlockedSink, MemorySink, fromArray, settle } from './helpers';

/** What every export does to a description, said independently of the renderer: one line, no control characters. */
function oneLine(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffe || c === 0xffff) continue;
    out += /\s/.test(ch) ? ' ' : c < 0x20 || c === 0x7f ? '' : ch;
  }
  return out.replace(/ +/g, ' ').trim();
}
const firstChars = (text: string, n: number) => [...text].slice(0, n).join('');

const BASE_ROWS: Omit<ReportRow, 'fitid'>[] = [
  { date: '2024-03-01', description: 'POS PURCHASE WOOLWORTHS & CO <SANDTON>', category: 'Groceries', amountCents: -84_530, balanceCents: 15_470 },
  { date: '2024-03-01', description: 'SALARY "ACME" LTD', category: 'Income', amountCents: 2_500_000, balanceCents: 2_515_470 },
  { date: '2024-03-05', description: 'DEBIT ORDER '.repeat(25), category: null, amountCents: -99_999, balanceCents: 2_415_471 },
  { date: '2024-03-09', description: '=HYPERLINK("http://x","click")', category: '  ', amountCents: -100, balanceCents: 2_415_371 },
  { date: '2024-03-12', description: '日本 ramen 🍜, café', category: 'Dining', amountCents: 0, balanceCents: 2_415_371 },
  { date: '2024-03-15', description: '  line one\r\nline\ttwo\u0001\u0007 end\uFFFE ', category: 'Bank:Fees', amountCents: -1, balanceCents: 2_415_370 },
  { date: '2024-03-20', description: '', category: null, amountCents: 5_000, balanceCents: 2_420_370 },
  { date: '2024-03-31', description: `${'x'.repeat(139)}🍜${'y'.repeat(10)}`, category: null, amountCents: -2_420_370 - 5_000, balanceCents: -5_000 },
];
const ids = assignFitids('test', BASE_ROWS as ReportRow[]);
const ROWS: ReportRow[] = BASE_ROWS.map((r, i) => ({ ...r, fitid: ids[i] }));
const OPENING = 100_000;
const NET = ROWS.reduce((a, r) => a + r.amountCents, 0);

const STATEMENT: ExportStatement = {
  bankName: 'Standard Bank',
  accountId: 'XXXX5678',
  periodStart: '2024-03-01',
  periodEnd: '2024-03-31',
  openingBalanceCents: OPENING,
  closingBalanceCents: OPENING + NET,
  createdAt: new Date('2024-04-02T08:30:15.250Z'),
  messageId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
};

async function render(type: ExportType, rows: ReportRow[] = ROWS, statement: Partial<ExportStatement> = {}): Promise<string> {
  const sink = new MemorySink();
  const outcome = await EXPORT_RENDERERS[type](fromArray(rows), sink, { statement: { ...STATEMENT, ...statement } });
  assert.ok(sink.writableFinished, 'ended and flushed on resolve');
  assert.equal(outcome.rowsWritten, rows.length);
  return sink.buffer.toString('utf8');
}

describe('reports: exports read back by independent parsers', function () {
  this.timeout(60_000);

  describe('OFX', () => {
    it('holds every transaction with its FITID, date, amount, name and memo, and the closing balance', async () => {
      const ofx = readOfx(await render('ofx'));
      assert.equal(ofx.bankId, 'STANDARDB');
      assert.equal(ofx.acctId, 'XXXX5678');
      assert.equal(ofx.acctType, 'CHECKING');
      assert.equal(ofx.currency, 'ZAR');
      assert.deepEqual([ofx.start, ofx.end], ['2024-03-01', '2024-03-31']);
      assert.equal(ofx.transactions.length, ROWS.length);
      ROWS.forEach((r, i) => {
        const t = ofx.transactions[i];
        const text = oneLine(r.description);
        assert.deepEqual(t, {
          type: r.amountCents < 0 ? 'DEBIT' : 'CREDIT',
          date: r.date,
          amountCents: r.amountCents,
          fitid: r.fitid,
          name: text ? firstChars(text, 32).trimEnd() : undefined,
          memo: text ? firstChars(text, 255).trimEnd() : undefined,
        }, `row ${i + 1}`);
      });
      assert.equal(ofx.ledgerCents, OPENING + NET);
      assert.equal(ofx.ledgerAsOf, '2024-03-31');
    });

    it('computes the closing balance from the opening when the statement printed none, and names an unknown account by a placeholder', async () => {
      const ofx = readOfx(await render('ofx', ROWS, { closingBalanceCents: null, accountId: null, bankName: '' }));
      assert.equal(ofx.ledgerCents, OPENING + NET);
      assert.equal(ofx.acctId, 'UNKNOWN');
      assert.equal(ofx.bankId, 'UNKNOWN');
    });

    it('writes a readable statement without transactions', async () => {
      const ofx = readOfx(await render('ofx', []));
      assert.deepEqual(ofx.transactions, []);
      assert.equal(ofx.ledgerCents, OPENING + NET);
    });
  });

  describe('camt.053', () => {
    it('is valid against the official camt.053.001.02 schema', async () => {
      assert.deepEqual(await camt053SchemaErrors(await render('camt053')), []);
    });

    it('holds every entry with its reference, amount, indicator and dates, and the opening and closing balances', async () => {
      const camt = readCamt(await render('camt053'));
      assert.equal(camt.namespace, 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02');
      assert.equal(camt.msgId, STATEMENT.messageId);
      assert.equal(camt.accountId, 'XXXX5678');
      assert.equal(camt.currency, 'ZAR');
      assert.deepEqual(camt.balances, [
        { code: 'OPBD', amountCents: OPENING, indicator: 'CRDT', date: '2024-03-01' },
        { code: 'CLBD', amountCents: Math.abs(OPENING + NET), indicator: OPENING + NET < 0 ? 'DBIT' : 'CRDT', date: '2024-03-31' },
      ]);
      assert.equal(camt.entries.length, ROWS.length);
      ROWS.forEach((r, i) => {
        const e = camt.entries[i];
        assert.equal(e.ref, r.fitid);
        assert.equal(e.amountCents, Math.abs(r.amountCents));
        assert.equal(e.currency, 'ZAR');
        assert.equal(e.indicator, r.amountCents < 0 ? 'DBIT' : 'CRDT');
        assert.equal(e.status, 'BOOK');
        assert.equal(e.bookingDate, r.date);
        assert.equal(e.valueDate, r.date);
        assert.equal(e.ustrd.join(''), oneLine(r.description), `row ${i + 1}`);
        for (const u of e.ustrd) assert.ok([...u].length <= 140 && u.length > 0, `Ustrd of ${[...u].length} characters`);
      });
      // 139 x, then the emoji as the 140th character: a piece never splits a surrogate pair.
      assert.deepEqual(camt.entries[7].ustrd, [`${'x'.repeat(139)}🍜`, 'y'.repeat(10)]);
    });

    it('stays valid with a negative closing balance, only one known balance, no account, no bank and no rows', async () => {
      for (const variant of [
        { closingBalanceCents: -123_456 },
        { openingBalanceCents: null },
        { closingBalanceCents: null, accountId: null, bankName: '' },
      ] satisfies Partial<ExportStatement>[]) {
        const text = await render('camt053', ROWS, variant);
        assert.deepEqual(await camt053SchemaErrors(text), [], JSON.stringify(variant));
        const camt = readCamt(text);
        assert.equal(camt.balances.length, variant.openingBalanceCents === null || variant.closingBalanceCents === null ? 1 : 2);
      }
      assert.equal(readCamt(await render('camt053', ROWS, { accountId: null })).accountId, 'UNKNOWN');
      assert.equal(readCamt(await render('camt053', ROWS, { closingBalanceCents: -123_456 })).balances[1].indicator, 'DBIT');
      const empty = await render('camt053', []);
      assert.deepEqual(await camt053SchemaErrors(empty), []);
      assert.deepEqual(readCamt(empty).entries, []);
    });

    it('is refused by the schema when it is not a camt.053 (the validator does check)', async () => {
      const text = (await render('camt053')).replace('<Sts>BOOK</Sts>', '<Sts>DONE</Sts>');
      assert.ok((await camt053SchemaErrors(text)).length > 0);
    });
  });

  describe('Xero CSV', () => {
    it("has Xero's header and every row: DD/MM/YYYY, signed amount, payee, the fitid as reference", async () => {
      const text = await render('csv_xero');
      assert.ok(text.startsWith('*Date,*Amount,Payee,Description,Reference,Cheque Number\r\n'), 'no BOM, the exact header');
      const [header, ...records] = readCsv(text);
      assert.deepEqual(header, ['*Date', '*Amount', 'Payee', 'Description', 'Reference', 'Cheque Number']);
      assert.equal(records.length, ROWS.length);
      ROWS.forEach((r, i) => {
        const [date, amount, payee, description, reference, cheque] = records[i];
        assert.equal(fromDayFirst(date), r.date);
        assert.match(amount, /^-?\d+\.\d{2}$/, 'no currency sign or thousands separator');
        assert.equal(Math.round(Number(amount) * 100), r.amountCents);
        // A description Excel would run as a formula is prefixed with a quote (as in every CSV of ours).
        const expected = oneLine(r.description);
        assert.equal(payee, /^[=+\-@]/.test(expected) ? `'${expected}` : expected, `row ${i + 1}`);
        assert.deepEqual([description, reference, cheque], ['', r.fitid, '']);
      });
    });
  });

  describe('Sage CSV', () => {
    it('has the four columns and each amount as a positive figure in Money In or Money Out', async () => {
      const text = await render('csv_sage');
      assert.ok(text.startsWith('Date,Description,Money In,Money Out\r\n'));
      const [header, ...records] = readCsv(text);
      assert.deepEqual(header, ['Date', 'Description', 'Money In', 'Money Out']);
      assert.equal(records.length, ROWS.length);
      ROWS.forEach((r, i) => {
        const [date, description, moneyIn, moneyOut] = records[i];
        assert.equal(fromDayFirst(date), r.date);
        const expected = oneLine(r.description);
        assert.equal(description, /^[=+\-@]/.test(expected) ? `'${expected}` : expected);
        if (r.amountCents < 0) {
          assert.equal(moneyIn, '');
          assert.equal(Math.round(Number(moneyOut) * 100), -r.amountCents);
        } else {
          assert.equal(moneyOut, '');
          assert.equal(Math.round(Number(moneyIn) * 100), r.amountCents);
        }
        for (const v of [moneyIn, moneyOut]) assert.match(v, /^(\d+\.\d{2})?$/);
      });
    });
  });

  describe('QIF', () => {
    it('is a Bank QIF with every date (DD/MM/YYYY), amount, payee and category', async () => {
      const text = await render('qif');
      assert.ok(text.startsWith('!Type:Bank\r\nD01/03/2024\r\n'));
      assert.ok(!/\r\n\r\n/.test(text), 'no blank line');
      const qif = readQif(text);
      assert.equal(qif.type, 'Bank');
      assert.equal(qif.transactions.length, ROWS.length);
      ROWS.forEach((r, i) => {
        const payee = oneLine(r.description);
        const category = (r.category ?? '').trim();
        assert.deepEqual(qif.transactions[i], {
          date: r.date,
          amountCents: r.amountCents,
          payee: payee || undefined,
          category: category || undefined,
        }, `row ${i + 1}`);
      });
    });
  });
});

// ---- the streaming contract, for every export ------------------------------------------

function source(limit = Number.POSITIVE_INFINITY, onPull?: (pulled: number) => void) {
  const state = { pulled: 0, closed: false };
  async function* rows(): AsyncIterable<ReportRow> {
    try {
      for (let i = 0; i < limit; i++) {
        state.pulled += 1;
        onPull?.(state.pulled);
        if (i % 500 === 0) await nextTurn();
        yield { date: `2024-0${1 + (i % 9)}-1${i % 10}`, description: `Row ${i} POS PURCHASE SOMEWHERE`, category: null, amountCents: i % 2 ? -i : i, balanceCents: i, fitid: `id${i}` };
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, rows: rows() };
}

const opts = (extra: Partial<ExportOptions> = {}): ExportOptions => ({ statement: STATEMENT, ...extra });

for (const type of Object.keys(EXPORT_RENDERERS) as ExportType[]) {
  const renderer = EXPORT_RENDERERS[type];
  describe(`reports: ${type} streaming`, function () {
    this.timeout(60_000);

    it('reports progress every N rows and once at the end', async () => {
      const seen: number[] = [];
      await renderer(source(2500).rows, new MemorySink(), opts({ progressEvery: 1000, onProgress: (n) => void seen.push(n) }));
      assert.deepEqual(seen, [1000, 2000, 2500]);
    });

    it('stops on abort with the reason, closes the source and leaves the sink un-ended', async () => {
      const controller = new AbortController();
      const reason = new Error('cancelled by user');
      const { state, rows } = source(Number.POSITIVE_INFINITY, (n) => {
        if (n === 2000) controller.abort(reason);
      });
      const sink = new MemorySink();
      await assert.rejects(renderer(rows, sink, opts({ signal: controller.signal })), (err) => err === reason);
      assert.ok(state.pulled <= 2001, `pulled ${state.pulled} rows after the abort`);
      assert.ok(state.closed, 'the row source was closed');
      assert.equal(sink.writableEnded, false, 'a cancelled file must not look complete');
    });

    it('stops pulling rows into a stalled sink and finishes when it drains', async () => {
      const total = 50_000;
      const { state, rows } = source(total);
      const sink = new BlockedSink();
      const rendering = renderer(rows, sink, opts());
      let outcome;
      try {
        const pulled = await settle(() => state.pulled);
        assert.ok(pulled < 10_000, `pulled ${pulled} of ${total} rows into a stalled sink`);
      } finally {
        sink.release();
        outcome = await rendering;
      }
      assert.equal(outcome.rowsWritten, total);
      assert.ok(sink.writableFinished);
    });

    it('rejects with the sink error when the output fails mid-render', async () => {
      let bytes = 0;
      const failing = new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(bytes > 100_000 ? new Error('chunk store unavailable') : null);
        },
      });
      await assert.rejects(renderer(source(100_000).rows, failing, opts()), /chunk store unavailable/);
    });

    it('refuses a row without its fitid with REPORT_BAD_ROW and does not end the sink', async () => {
      const sink = new MemorySink();
      const rows = [ROWS[0], { ...ROWS[1], fitid: null }];
      await assert.rejects(renderer(fromArray(rows), sink, opts()), (err: any) => err.code === BAD_ROW_CODE && /row 2/.test(err.message));
      assert.equal(sink.writableEnded, false);
    });

    it('refuses a malformed date with REPORT_BAD_ROW', async () => {
      const sink = new MemorySink();
      await assert.rejects(renderer(fromArray([{ ...ROWS[0], date: '2024-02-30' }]), sink, opts()), { code: BAD_ROW_CODE });
      assert.equal(sink.writableEnded, false);
    });
  });
}
