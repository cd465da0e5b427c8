/**
 * The accounting exports end to end, as a client uses them: a generated statement is
 * uploaded and parsed by real workers, each export is generated over HTTP, downloaded and
 * read back by an independent parser, and compared transaction by transaction with the
 * session's rows. Then several statements of one account as one export (each shared
 * transaction once, in period order, the first opening and the last closing balance), and
 * what the API refuses.
 */
import assert from 'node:assert/strict';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { createGenerateReportActivities } from '../../activities/generate-report';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor, type SeedRow } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { camt053SchemaErrors, fromDayFirst, readCamt, readCsv, readOfx, readQif } from '../support/export-readers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';

interface ApiTxn {
  fitid: string;
  date: string;
  description: string;
  amount: number;
  balance: number | null;
  category: string | null;
}

const cents = (v: number) => Math.round(v * 100);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const ACCOUNT = 'f'.repeat(32);

describe('exports for accounting software end to end (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let statement: GeneratedStatement;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    statement = await generateStatement(FIXTURES[0]);
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const workers = <T>(work: () => Promise<T>) =>
    runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing', 'reports'] }, work);
  const finish = (taskId: string) => env.client.workflow.getHandle(taskId).result().catch(() => undefined);
  const result = async (taskId: string) => (await api.json(`/tasks/${taskId}/result`, { token: alice })).body;

  /** Generates a report over HTTP, waits for it and downloads it. */
  async function exportOf(query: string, ext: string) {
    const rep = await api.json(`/reports/generate_async?${query}`, { method: 'POST', token: alice });
    assert.equal(rep.status, 202, JSON.stringify(rep.body));
    await finish(rep.body.task_id);
    const out = await result(rep.body.task_id);
    assert.equal(out.status, 'SUCCESS', JSON.stringify(out));
    assert.ok(out.result.file_key.endsWith(`_${rep.body.task_id}.${ext}`), out.result.file_key);
    const dl = await api.request(`/download_file?file_key=${encodeURIComponent(out.result.file_key)}`, { token: alice });
    assert.equal(dl.status, 200);
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.equal(bytes.length, out.result.file_size);
    return { text: bytes.toString('utf8'), contentType: dl.headers.get('content-type') ?? '', rowCount: out.result.row_count as number };
  }

  it('exports a parsed statement as OFX, camt.053, Xero CSV, Sage CSV and QIF, each holding every transaction', async () => {
    await workers(async () => {
      const form = new FormData();
      form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'statement.pdf');
      const up = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
      assert.equal(up.status, 202);
      await finish(up.body.task_id);
      const sessionId = (await result(up.body.task_id)).result.session_id as string;
      const session = (await api.json(`/sessions/${sessionId}`, { token: alice })).body;
      const txns: ApiTxn[] = (await api.json(`/sessions/${sessionId}/transactions?limit=10000`, { token: alice })).body.transactions;
      assert.equal(txns.length, statement.truth.transactions.length);
      assert.ok(txns.every((t) => typeof t.fitid === 'string' && t.fitid.length > 0));
      const accountId = session.account ? session.account.replace(/[^0-9]/g, 'X') : 'UNKNOWN';
      const q = `session_id=${sessionId}&report_type=`;

      const ofxFile = await exportOf(`${q}ofx`, 'ofx');
      assert.equal(ofxFile.contentType, 'application/x-ofx');
      assert.equal(ofxFile.rowCount, txns.length);
      const ofx = readOfx(ofxFile.text);
      assert.equal(ofx.acctId, accountId);
      assert.equal(ofx.currency, 'ZAR');
      assert.deepEqual([ofx.start, ofx.end], [statement.truth.periodStart, statement.truth.periodEnd]);
      assert.deepEqual(
        ofx.transactions.map((t) => [t.fitid, t.date, t.amountCents, t.type, t.name, t.memo]),
        txns.map((t) => [t.fitid, t.date, cents(t.amount), t.amount < 0 ? 'DEBIT' : 'CREDIT', [...oneLine(t.description)].slice(0, 32).join('').trimEnd(), oneLine(t.description)]),
      );
      assert.equal(ofx.ledgerCents, statement.truth.closingBalanceCents);
      assert.equal(ofx.ledgerAsOf, statement.truth.periodEnd);

      const camtFile = await exportOf(`${q}camt053`, 'xml');
      assert.equal(camtFile.contentType, 'application/xml');
      assert.deepEqual(await camt053SchemaErrors(camtFile.text), []);
      const camt = readCamt(camtFile.text);
      assert.equal(camt.accountId, accountId);
      assert.deepEqual(
        camt.balances.map((b) => [b.code, b.indicator === 'DBIT' ? -b.amountCents : b.amountCents]),
        [['OPBD', statement.truth.openingBalanceCents], ['CLBD', statement.truth.closingBalanceCents]],
      );
      assert.deepEqual(
        camt.entries.map((e) => [e.ref, e.bookingDate, e.indicator === 'DBIT' ? -e.amountCents : e.amountCents, e.ustrd.join('')]),
        txns.map((t) => [t.fitid, t.date, cents(t.amount), oneLine(t.description)]),
      );

      const xero = await exportOf(`${q}csv_xero`, 'csv');
      const [xeroHeader, ...xeroRows] = readCsv(xero.text);
      assert.deepEqual(xeroHeader, ['*Date', '*Amount', 'Payee', 'Description', 'Reference', 'Cheque Number']);
      assert.deepEqual(
        xeroRows.map(([date, amount, payee, , reference]) => [fromDayFirst(date), cents(Number(amount)), payee, reference]),
        txns.map((t) => [t.date, cents(t.amount), oneLine(t.description), t.fitid]),
      );

      const sage = await exportOf(`${q}csv_sage`, 'csv');
      const [sageHeader, ...sageRows] = readCsv(sage.text);
      assert.deepEqual(sageHeader, ['Date', 'Description', 'Money In', 'Money Out']);
      assert.deepEqual(
        sageRows.map(([date, description, moneyIn, moneyOut]) => [fromDayFirst(date), description, moneyIn ? cents(Number(moneyIn)) : -cents(Number(moneyOut))]),
        txns.map((t) => [t.date, oneLine(t.description), cents(t.amount)]),
      );

      const qif = readQif((await exportOf(`${q}qif`, 'qif')).text);
      assert.equal(qif.type, 'Bank');
      assert.deepEqual(
        qif.transactions.map((t) => [t.date, t.amountCents, t.payee]),
        txns.map((t) => [t.date, cents(t.amount), oneLine(t.description) || undefined]),
      );
    });
  });

  describe('several statements of one account', () => {
    // March and a statement from mid-March to April: the three days they share print the same rows.
    const march: SeedRow[] = [
      { date: '2024-03-02', description: 'SALARY ACME', amount: 1000, balance: 1100 },
      { date: '2024-03-10', description: 'WOOLWORTHS', amount: -200, balance: 900 },
      { date: '2024-03-15', description: 'ENGEN', amount: -50, balance: 850 },
      { date: '2024-03-16', description: 'RENT', amount: -500, balance: 350 },
    ];
    const april: SeedRow[] = [
      march[2],
      march[3],
      { date: '2024-04-01', description: 'INTEREST', amount: 1.25, balance: 351.25 },
      { date: '2024-04-03', description: 'FEE', amount: -10, balance: 341.25 },
    ];
    const seed = (user: string, rows: SeedRow[], start: string, end: string, opening: number, closing: number, account: string | null = ACCOUNT) =>
      seedSession(db, user, rows, {
        account_key: account,
        account_mask: account ? '••••9876' : null,
        period_start: start,
        period_end: end,
        opening_balance: opening.toFixed(2),
        closing_balance: closing.toFixed(2),
      });

    it('joins them in period order with each shared transaction once, the first opening and the last closing balance', async () => {
      const mar = await seed('alice', march, '2024-03-01', '2024-03-16', 100, 350);
      const apr = await seed('alice', april, '2024-03-14', '2024-04-05', 900, 341.25);
      const shared = await db('transactions').where({ session_id: apr }).whereIn('fitid', db('transactions').select('fitid').where({ session_id: mar }));
      assert.equal(shared.length, 2, 'the seeded statements share two transactions');
      const expected = [...march, ...april.slice(2)];
      // Named out of order: the export puts them in period order.
      const q = `session_ids=${apr},${mar}&report_type=`;
      await workers(async () => {
        const ofxFile = await exportOf(`${q}ofx`, 'ofx');
        assert.equal(ofxFile.rowCount, expected.length);
        const ofx = readOfx(ofxFile.text);
        assert.deepEqual(ofx.transactions.map((t) => [t.date, t.amountCents, t.memo]), expected.map((r) => [r.date, cents(r.amount), r.description]));
        assert.equal(new Set(ofx.transactions.map((t) => t.fitid)).size, expected.length, 'every FITID once');
        assert.equal(ofx.acctId, 'XXXX9876');
        assert.deepEqual([ofx.start, ofx.end, ofx.ledgerCents], ['2024-03-01', '2024-04-05', 34_125]);

        const camtFile = await exportOf(`${q}camt053`, 'xml');
        assert.deepEqual(await camt053SchemaErrors(camtFile.text), []);
        const camt = readCamt(camtFile.text);
        assert.deepEqual(camt.balances.map((b) => [b.code, b.amountCents]), [['OPBD', 10_000], ['CLBD', 34_125]]);
        assert.deepEqual(camt.entries.map((e) => e.ustrd.join('')), expected.map((r) => r.description));

        const csv = await exportOf(`${q}csv`, 'csv');
        assert.equal(csv.rowCount, expected.length, 'the CSV report joins them the same way');
        assert.equal(csv.text.trimEnd().split('\r\n').length, expected.length + 1);
      });
      const task = await db('task_status').where({ task_name: 'generate_report_async' }).orderBy('created_at').first();
      assert.equal(task.params.session_id, mar, 'the first in period order');
      assert.deepEqual(task.params.session_ids, [mar, apr]);
    });

    it('refuses statements of different accounts or of no known account (422), and another user’s statement (404)', async () => {
      const mar = await seed('alice', march, '2024-03-01', '2024-03-16', 100, 350);
      const other = await seed('alice', april, '2024-03-14', '2024-04-05', 900, 341.25, 'e'.repeat(32));
      const unknown = await seed('alice', april, '2024-03-14', '2024-04-05', 900, 341.25, null);
      const bobs = await seed('bob', april, '2024-03-14', '2024-04-05', 900, 341.25);
      const post = (query: string) => api.json(`/reports/generate_async?${query}`, { method: 'POST', token: alice });
      for (const [query, status, code] of [
        [`session_ids=${mar},${other}&report_type=ofx`, 422, 'SESSIONS_NOT_ONE_ACCOUNT'],
        [`session_ids=${mar},${unknown}&report_type=qif`, 422, 'SESSION_ACCOUNT_UNKNOWN'],
        [`session_ids=${mar},${bobs}&report_type=ofx`, 404, 'SESSION_NOT_FOUND'],
        [`session_id=${bobs}&report_type=camt053`, 404, 'SESSION_NOT_FOUND'],
        [`session_ids=${Array.from({ length: 25 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',')}&report_type=ofx`, 422, 'TOO_MANY_SESSIONS'],
        [`session_id=${mar}&session_ids=${mar}&report_type=ofx`, 400, 'BAD_REQUEST'],
        [`session_ids=${mar},nope&report_type=ofx`, 400, 'BAD_REQUEST'],
        [`session_id=${mar}&report_type=pdf`, 422, 'UNSUPPORTED_REPORT_TYPE'],
      ] as const) {
        const res = await post(query);
        assert.equal(res.status, status, `${query}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, code, query);
      }
      assert.equal(Number((await db('task_status').count({ n: '*' }))[0].n), 0, 'no task was started');
    });

    it('fails, leaving no file, when a joined statement other than the first is deleted while the export runs', async () => {
      // Only the first statement is named by the task's params (and so busy while it runs).
      const first = await seed('alice', generatedRows(4500), '2024-03-01', '2024-03-28', 1000, 0);
      const second = await seed('alice', april.slice(2), '2024-04-01', '2024-04-05', 350, 341.25);
      const acts = createGenerateReportActivities({ db, files: api.files, maxRows: 100_000, vat: { ratePercent: 15, vatCategories: [] } });
      const activity = new MockActivityEnvironment();
      // Issued from the first progress heartbeat, ahead of the rest of the rows, the file's
      // chunks and the activity's last check.
      let deleted = false;
      activity.on('heartbeat', (details: { rows?: number } | undefined) => {
        if (details?.rows && !deleted) {
          deleted = true;
          db('sessions').where({ id: second }).delete().then(() => undefined, () => undefined);
        }
      });
      const fileKey = `reports/${first}/report_20240406_000000_x.ofx`;
      const input = { taskId: '00000000-0000-4000-8000-000000000001', userId: 'alice', sessionId: first, sessionIds: [first, second], reportType: 'ofx' as const, includeVat: false, fileKey };
      await assert.rejects(activity.run(() => acts.renderReport(input)), (err: any) => err.type === 'SESSION_NOT_FOUND');
      assert.ok(deleted, 'the second statement was deleted mid-export');
      assert.equal(await api.files.stat(fileKey), null, 'no file left behind');
    });

    it('fails an OFX of a statement with no balance anywhere with EXPORT_BALANCE_UNKNOWN, and still makes its QIF', async () => {
      const bare = await seedSession(db, 'alice', [{ date: '2024-03-02', description: 'SALARY', amount: 10 }]);
      await workers(async () => {
        const rep = await api.json(`/reports/generate_async?session_id=${bare}&report_type=ofx`, { method: 'POST', token: alice });
        await finish(rep.body.task_id);
        const out = await result(rep.body.task_id);
        assert.equal(out.status, 'FAILED');
        assert.equal(out.error.code, 'EXPORT_BALANCE_UNKNOWN');
        assert.equal(Number((await db('stored_files').where({ kind: 'report' }).count({ n: '*' }))[0].n), 0, 'no file left behind');
        const qif = readQif((await exportOf(`session_id=${bare}&report_type=qif`, 'qif')).text);
        assert.deepEqual(qif.transactions, [{ date: '2024-03-02', amountCents: 1000, payee: 'SALARY', category: undefined }]);
      });
    });
  });
});
