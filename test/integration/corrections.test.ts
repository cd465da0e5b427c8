/**
 * A person finishes a statement that did not prove itself: corrects a row, deletes one,
 * inserts a missed one, each with the session's version in If-Match, and the statement is
 * rechecked each time (HTTP → Postgres; parses through Temporal with real workers). Every
 * change is audited; other users see nothing; a stale or missing version, an open task and
 * bad values are refused without changing anything.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { buildOpenApiDocument } from '../../api/openapi/document';
import { CORRECTED_NOTE } from '../../domain/reports';
import type { Config, TaskQueue } from '../../platform/config';
import { FIXTURES, generateStatement } from '../fixtures/statements';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { getTestDb, truncateAll } from '../support/postgres';
import { checkSchema } from '../support/schema-check';
import { getTimeSkippingEnv } from '../support/temporal';
import { runWithWorkers } from '../support/workers';

type Doc = Record<string, any>;
const RULES = { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }] };

describe('corrections of a statement’s rows (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let bob: string;
  const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;
  const doc: Doc = buildOpenApiDocument({ includeDev: false });

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    bob = tokenFor(config, 'bob');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const workers = <T>(work: () => Promise<T>, queues: TaskQueue[]) => runWithWorkers({ connection: env.nativeConnection, db, config, queues }, work);

  async function parse(pdf: Uint8Array): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'statement.pdf');
    const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await workers(() => env.client.workflow.getHandle(res.body.task_id).result(), ['pdf_processing']);
    const result = await api.json(`/tasks/${res.body.task_id}/result`, { token: alice });
    assert.equal(result.body.status, 'SUCCESS', JSON.stringify(result.body));
    return result.body.result.session_id;
  }

  /** A change, checked against the documented answer of its operation whatever its status. */
  async function change(method: 'PATCH' | 'POST' | 'DELETE', path: string, body: unknown, opts: { ifMatch?: string | null; token?: string } = {}) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
    const res = await api.json(path, { method, token: opts.token ?? alice, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const template = method === 'POST' ? '/sessions/{session_id}/transactions' : '/sessions/{session_id}/transactions/{transaction_id}';
    const documented = doc.paths[template][method.toLowerCase()].responses[String(res.status)];
    assert.ok(documented, `${method} ${res.status} is documented: ${JSON.stringify(res.body)}`);
    const schema = documented.$ref
      ? doc.components.responses[documented.$ref.split('/').pop()].content['application/json'].schema
      : documented.content['application/json'].schema;
    assert.deepEqual(checkSchema(doc, schema, res.body), []);
    return res;
  }
  const patch = (sid: string, tx: number, body: unknown, ifMatch: string | null = '"v1"', token?: string) =>
    change('PATCH', `/sessions/${sid}/transactions/${tx}`, body, { ifMatch, token });
  const transactions = async (sid: string) => (await api.json(`/sessions/${sid}/transactions`, { token: alice })).body.transactions as any[];
  const audit = async (sid: string, token = alice) => api.json(`/sessions/${sid}/audit`, { token });
  const version = async (sid: string) => (await db('sessions').where({ id: sid }).first('version')).version as number;

  /** A READY session whose rows prove themselves: balances chain from 1000 to the last. */
  async function provenSession(n = 8): Promise<string> {
    const rows = generatedRows(n);
    return seedSession(db, 'alice', rows, { opening_balance: '1000.00', closing_balance: rows.at(-1)!.balance!.toFixed(2), reconciled: true });
  }

  it('proves a statement once the balance it misread is corrected, keeping the row’s fitid, and audits the change', async () => {
    const g = await generateStatement({ ...fnb, corruptBalanceAt: 40 });
    const sid = await parse(g.pdf);
    const session = await api.json(`/sessions/${sid}`, { token: alice });
    assert.deepEqual([session.body.proven, session.body.version, session.body.corrected, session.headers.get('etag')], [false, 1, false, '"v1"']);
    const review = await api.json(`/sessions/${sid}/review`, { token: alice });
    assert.equal(review.headers.get('etag'), '"v1"');
    const bad = review.body.problems[0].transaction;
    const truth = g.truth.transactions.find((t) => t.page === g.corrupted![0].page && t.line === g.corrupted![0].line)!;
    assert.notEqual(bad.balance, truth.balanceCents! / 100, 'the review shows the misread balance');

    const fixed = await patch(sid, bad.id, { balance: truth.balanceCents! / 100 }, '"v1"');
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(fixed.headers.get('etag'), '"v2"');
    assert.deepEqual(
      [fixed.body.version, fixed.body.proven, fixed.body.review_required, fixed.body.corrected, fixed.body.review.problems],
      [2, true, false, true, []],
    );
    assert.deepEqual([fixed.body.transaction.id, fixed.body.transaction.fitid, fixed.body.transaction.balance], [bad.id, bad.fitid, truth.balanceCents! / 100]);

    const after = await api.json(`/sessions/${sid}`, { token: alice });
    assert.deepEqual([after.body.proven, after.body.reconciled, after.body.review_required, after.body.corrected, after.body.version], [true, true, false, true, 2]);
    assert.equal(after.headers.get('etag'), '"v2"');
    const reviewAfter = (await api.json(`/sessions/${sid}/review`, { token: alice })).body;
    assert.deepEqual([reviewAfter.proven, reviewAfter.problems, reviewAfter.version], [true, [], 2]);

    const log = await audit(sid);
    assert.equal(log.status, 200);
    assert.equal(log.body.corrections.length, 1);
    const [entry] = log.body.corrections;
    assert.deepEqual([entry.user_id, entry.action, entry.transaction_id, entry.version], ['alice', 'update', bad.id, 2]);
    assert.deepEqual([entry.before.balance, entry.after.balance, entry.after.fitid], [bad.balance, truth.balanceCents! / 100, bad.fitid]);
    assert.ok(Date.parse(entry.created_at) > 0);
  });

  it('a deleted row breaks the chain; inserting it back after its neighbour proves the statement again, with the id a parse gives it', async () => {
    const sid = await provenSession(8);
    const before = await transactions(sid);
    const gone = before[4];

    const del = await change('DELETE', `/sessions/${sid}/transactions/${gone.id}`, undefined, { ifMatch: '"v1"' });
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.deepEqual([del.body.proven, del.body.review_required, del.body.version, del.body.transaction], [false, true, 2, null]);
    assert.equal(del.body.review.counts.balance_breaks, 1);
    const brk = del.body.review.problems.find((p: any) => p.code === 'BALANCE_MISMATCH');
    assert.equal(brk.transaction_id, before[5].id, 'the break is at the row after the gap');
    assert.equal((await transactions(sid)).length, 7);
    assert.equal((await api.json(`/sessions/${sid}`, { token: alice })).body.transaction_count, 7);
    const review = (await api.json(`/sessions/${sid}/review`, { token: alice })).body;
    assert.equal(review.problems.find((p: any) => p.code === 'BALANCE_MISMATCH').transaction.id, before[5].id, 'the review shows the row');

    const { id: _id, category: _c, fitid: _f, ...figures } = gone;
    const ins = await change('POST', `/sessions/${sid}/transactions`, { after: before[3].id, ...figures }, { ifMatch: '"v2"' });
    assert.equal(ins.status, 201, JSON.stringify(ins.body));
    assert.equal(ins.headers.get('etag'), '"v3"');
    assert.deepEqual([ins.body.proven, ins.body.version, ins.body.review.problems], [true, 3, []]);
    assert.equal(ins.body.transaction.fitid, gone.fitid, 'the same figures at the same occurrence get the same id');
    assert.equal(ins.body.transaction.line, null);
    const now = await transactions(sid);
    assert.deepEqual(
      now.map((t) => [t.description, t.amount, t.balance, t.fitid]),
      before.map((t) => [t.description, t.amount, t.balance, t.fitid]),
      'the rows are back in statement order',
    );

    // A new first row (after: null) goes before every other.
    const first = await change('POST', `/sessions/${sid}/transactions`, { after: null, date: '2024-03-01', description: 'OPENING FEE', amount: -5, balance: null }, { ifMatch: '"v3"' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal((await transactions(sid))[0].description, 'OPENING FEE');
    assert.equal(first.body.proven, false, 'opening plus the rows no longer gives the closing balance');
    assert.equal(first.body.review.counts.totals_differ, 1);

    const log = (await audit(sid)).body.corrections;
    assert.deepEqual(log.map((c: any) => [c.action, c.version]), [['delete', 2], ['insert', 3], ['insert', 4]]);
    assert.deepEqual([log[0].before.id, log[0].after], [gone.id, null]);
    assert.deepEqual([log[1].before, log[1].after.id], [null, ins.body.transaction.id]);
  });

  it('refuses a stale version with 412 (naming the current one), a missing one with 428, and changes nothing', async () => {
    const sid = await provenSession();
    const [row] = await transactions(sid);
    assert.equal((await patch(sid, row.id, { description: 'FIRST' }, '"v1"')).status, 200);

    const stale = await patch(sid, row.id, { description: 'SECOND' }, '"v1"');
    assert.equal(stale.status, 412);
    assert.deepEqual([stale.body.error.code, stale.body.error.details.current_version], ['VERSION_MISMATCH', 2]);
    const missing = await patch(sid, row.id, { description: 'SECOND' }, null);
    assert.deepEqual([missing.status, missing.body.error.code], [428, 'PRECONDITION_REQUIRED']);
    const missingDelete = await change('DELETE', `/sessions/${sid}/transactions/${row.id}`, undefined, {});
    assert.equal(missingDelete.status, 428);
    const malformed = await patch(sid, row.id, { description: 'SECOND' }, '*');
    assert.deepEqual([malformed.status, malformed.body.error.code], [400, 'INVALID_IF_MATCH']);

    assert.equal((await transactions(sid))[0].description, 'FIRST');
    assert.equal(await version(sid), 2);
    assert.equal((await audit(sid)).body.corrections.length, 1);
  });

  it('answers another user 404 on every route, and changes nothing', async () => {
    const sid = await provenSession();
    const [row, second] = await transactions(sid);
    const asBob = { ifMatch: '"v1"', token: bob };
    const answers = [
      await change('PATCH', `/sessions/${sid}/transactions/${row.id}`, { description: 'MINE' }, asBob),
      await change('POST', `/sessions/${sid}/transactions`, { after: row.id, date: '2024-03-02', description: 'MINE', amount: 1 }, asBob),
      await change('DELETE', `/sessions/${sid}/transactions/${second.id}`, undefined, asBob),
      await audit(sid, bob),
    ];
    for (const a of answers) assert.deepEqual([a.status, a.body.error.code], [404, 'SESSION_NOT_FOUND']);
    // Bob's own session does not reach Alice's rows either.
    const bobs = await seedSession(db, 'bob', generatedRows(2));
    const cross = await change('PATCH', `/sessions/${bobs}/transactions/${row.id}`, { description: 'MINE' }, asBob);
    assert.deepEqual([cross.status, cross.body.error.code], [404, 'TRANSACTION_NOT_FOUND']);
    assert.equal(await version(sid), 1);
    assert.deepEqual((await transactions(sid)).slice(0, 2).map((t) => t.id), [row.id, second.id]);
    assert.equal((await transactions(sid))[0].description, row.description);
  });

  it('refuses a change while a task is open on the session (409 SESSION_BUSY naming it)', async () => {
    const sid = await provenSession();
    const [row] = await transactions(sid);
    const cat = await api.json(`/bulk_categorize_async?session_id=${sid}`, { method: 'POST', token: alice, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(RULES) });
    assert.equal(cat.status, 202, JSON.stringify(cat.body));
    try {
      const busy = await patch(sid, row.id, { description: 'CHANGED' });
      assert.deepEqual([busy.status, busy.body.error.code, busy.body.error.details.task_id], [409, 'SESSION_BUSY', cat.body.task_id]);
      assert.equal(await version(sid), 1);
    } finally {
      // Let the categorization end, so nothing outlives the test.
      await workers(() => env.client.workflow.getHandle(cat.body.task_id).result(), ['bulk_operations']);
    }
    const free = await patch(sid, row.id, { description: 'CHANGED' });
    assert.equal(free.status, 200, JSON.stringify(free.body));
  });

  it('refuses values out of range, unreal dates, long descriptions and unknown fields with clear codes', async () => {
    const sid = await provenSession();
    const [row] = await transactions(sid);
    const other = await seedSession(db, 'alice', generatedRows(2));
    const [foreign] = (await api.json(`/sessions/${other}/transactions`, { token: alice })).body.transactions;
    const refused: Array<[unknown, number, string]> = [
      [{ amount: 1_000_000_000_000 }, 422, 'AMOUNT_OUT_OF_RANGE'],
      [{ balance: -1_000_000_000_000 }, 422, 'AMOUNT_OUT_OF_RANGE'],
      [{ amount: 1.005 }, 422, 'INVALID_AMOUNT'],
      [{ amount: '12.00' }, 422, 'INVALID_AMOUNT'],
      [{ balance: 'none' }, 422, 'INVALID_BALANCE'],
      [{ date: '2024-02-30' }, 422, 'INVALID_DATE'],
      [{ date: '01/03/2024' }, 422, 'INVALID_DATE'],
      [{ description: 'x'.repeat(501) }, 422, 'DESCRIPTION_TOO_LONG'],
      [{ description: '  ' }, 422, 'INVALID_DESCRIPTION'],
      [{}, 422, 'NOTHING_TO_CHANGE'],
      [{ amount: 1, category: 'Food' }, 400, 'UNKNOWN_FIELD'],
      [[{ amount: 1 }], 400, 'INVALID_BODY'],
    ];
    for (const [body, status, code] of refused) {
      const res = await patch(sid, row.id, body);
      assert.deepEqual([res.status, res.body.error.code], [status, code], JSON.stringify(body));
    }
    const post = (body: unknown) => change('POST', `/sessions/${sid}/transactions`, body, { ifMatch: '"v1"' });
    const full = { date: '2024-03-02', description: 'MISSED', amount: -10, balance: null };
    assert.equal((await post({ ...full, after: undefined })).body.error.code, 'MISSING_FIELD');
    assert.equal((await post({ after: row.id, date: '2024-03-02', amount: 1 })).body.error.code, 'MISSING_FIELD');
    assert.equal((await post({ ...full, after: 'first' })).body.error.code, 'INVALID_AFTER');
    const elsewhere = await post({ ...full, after: foreign.id });
    assert.deepEqual([elsewhere.status, elsewhere.body.error.code], [422, 'AFTER_NOT_FOUND']);
    assert.equal((await patch(sid, foreign.id, { amount: 1 })).body.error.code, 'TRANSACTION_NOT_FOUND');
    assert.equal((await patch(sid, 0, { amount: 1 })).status, 404);

    // The largest amount the column holds is taken.
    const edge = await patch(sid, row.id, { amount: 999_999_999_999.99 });
    assert.equal(edge.status, 200, JSON.stringify(edge.body));
    assert.equal(edge.body.transaction.amount, 999_999_999_999.99);
    assert.equal((await audit(sid)).body.corrections.length, 1, 'only the accepted change is recorded');
  });

  it('says in the xlsx report’s title row, on every sheet, that the statement was corrected by hand', async () => {
    const sid = await provenSession();
    const [row] = await transactions(sid);
    assert.equal((await patch(sid, row.id, { description: 'SALARY ACME LIMITED' })).status, 200);
    const rep = await api.json(`/reports/generate_async?session_id=${sid}&report_type=excel`, { method: 'POST', token: alice });
    assert.equal(rep.status, 202, JSON.stringify(rep.body));
    await workers(() => env.client.workflow.getHandle(rep.body.task_id).result(), ['reports']);
    const out = (await api.json(`/tasks/${rep.body.task_id}/result`, { token: alice })).body;
    assert.equal(out.status, 'SUCCESS', JSON.stringify(out));
    const dl = await api.request(`/download_file?file_key=${encodeURIComponent(out.result.file_key)}`, { token: alice });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await dl.arrayBuffer()) as ArrayBuffer);
    assert.ok(wb.worksheets.length >= 3);
    for (const sheet of wb.worksheets) assert.equal(sheet.getCell('A1').value, `test.pdf — ${CORRECTED_NOTE}`, sheet.name);
  });
});
