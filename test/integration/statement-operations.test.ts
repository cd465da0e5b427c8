/**
 * The three operations end to end, as a client uses them: upload a statement over HTTP,
 * let real workers parse it, read every transaction back; categorize; generate Excel and
 * CSV reports and download them. Bad PDFs fail with their codes and leave nothing behind.
 */
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, encryptedStatementPdf, invoicePdf, truncated, type GeneratedStatement } from '../fixtures/statements';

describe('statement operations end to end (HTTP → Temporal → Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let statement: GeneratedStatement;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig({ PDF_PAGES_PER_CHUNK: '2' });
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
    statement = await generateStatement(FIXTURES[0]); // Standard Bank, December → January
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const workers = <T>(work: () => Promise<T>) =>
    runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing', 'bulk_operations', 'reports'] }, work);

  async function upload(pdf: Uint8Array, name = 'statement.pdf', clientId?: string) {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    if (clientId) form.append('client_id', clientId);
    const res = await api.json('/upload_pdf_async', { method: 'POST', token: alice, body: form });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.task_id as string;
  }

  const finish = (taskId: string) => env.client.workflow.getHandle(taskId).result().catch(() => undefined);
  const result = (taskId: string) => api.json(`/tasks/${taskId}/result`, { token: alice });

  it('parses an uploaded statement: every row exactly, reconciled, in statement order', async () => {
    const taskId = await upload(statement.pdf, 'sb-dec-jan.pdf', 'client-7');
    await workers(() => finish(taskId));
    const res = await result(taskId);
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    const r = res.body.result;
    const truth = statement.truth;
    assert.equal(r.status, 'success');
    assert.equal(r.bank_source, truth.bankSource);
    assert.equal(r.transaction_count, truth.transactions.length);
    assert.equal(r.reconciled, true);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.skipped_rows, []);
    assert.equal(r.opening_balance, truth.openingBalanceCents / 100);
    assert.equal(r.closing_balance, truth.closingBalanceCents / 100);
    assert.deepEqual([r.period_start, r.period_end], [truth.periodStart, truth.periodEnd]);

    const page = await api.json(`/sessions/${r.session_id}/transactions?limit=10000`, { token: alice });
    assert.equal(page.body.total, truth.transactions.length);
    assert.equal(page.body.bank_source, truth.bankSource);
    assert.deepEqual(
      page.body.transactions.map((t: any) => [t.date, t.description, t.amount, t.balance]),
      truth.transactions.map((t) => [t.date, t.description, t.amountCents / 100, t.balanceCents === null ? null : t.balanceCents / 100]),
    );
    const session = await db('sessions').where({ id: r.session_id }).first();
    assert.equal(session.client_id, 'client-7');
    assert.equal(session.status, 'READY');
    // Work files are gone; the upload stays until its retention.
    assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0);
    const status = await api.json(`/tasks/${taskId}/status`, { token: alice });
    assert.equal(status.body.progress_percent, 100);
  });

  for (const [name, make, code] of [
    ['a password-protected PDF', async () => encryptedStatementPdf(), 'PDF_ENCRYPTED'],
    ['a truncated PDF', async () => truncated(statement.pdf), 'PDF_UNREADABLE'],
    ['an invoice that prints bank details', () => invoicePdf(), 'NOT_A_STATEMENT'],
  ] as const) {
    it(`fails ${name} at once with ${code}, leaving no session rows`, async () => {
      const taskId = await upload(await make());
      await workers(() => finish(taskId));
      const res = await result(taskId);
      assert.equal(res.body.status, 'FAILED');
      assert.equal(res.body.error.code, code);
      assert.doesNotMatch(res.body.error.message, /at \w+ \(/, 'no stack trace');
      const row = await db('task_status').where({ task_id: taskId }).first();
      assert.ok(row.attempt <= 1, 'not retried');
      assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
    });
  }

  it('categorizes the parsed session, then produces Excel and CSV reports its owner can download', async () => {
    const taskId = await upload(statement.pdf);
    await workers(async () => {
      await finish(taskId);
      const sessionId = (await result(taskId)).body.result.session_id;
      const cat = await api.json(`/bulk_categorize_async?session_id=${sessionId}`, {
        method: 'POST',
        token: alice,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          rules: [
            { category: 'Fuel', conditions: { any: [{ field: 'description', op: 'contains', value: 'engen' }, { field: 'description', op: 'contains', value: 'shell' }] } },
            { category: 'Groceries', conditions: { field: 'description', op: 'regex', value: 'woolworths|checkers|pick n pay' } },
            { category: 'Income', conditions: { field: 'amount', op: 'gt', value: 0 } },
          ],
        }),
      });
      assert.equal(cat.status, 202, JSON.stringify(cat.body));
      await finish(cat.body.task_id);
      const catResult = (await result(cat.body.task_id)).body;
      assert.equal(catResult.status, 'SUCCESS', JSON.stringify(catResult));
      const counts = await db('transactions').where({ session_id: sessionId }).whereNotNull('category').count({ n: '*' });
      assert.equal(catResult.result.categorized_count, Number(counts[0].n));
      assert.ok(catResult.result.by_category.Income > 0);

      for (const type of ['excel', 'csv'] as const) {
        const rep = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=${type}&include_vat=true`, { method: 'POST', token: alice });
        assert.equal(rep.status, 202);
        await finish(rep.body.task_id);
        const out = (await result(rep.body.task_id)).body;
        assert.equal(out.status, 'SUCCESS', JSON.stringify(out));
        assert.match(out.result.file_key, new RegExp(`^reports/${sessionId}/report_\\d{8}_\\d{6}_${rep.body.task_id}\\.${type === 'excel' ? 'xlsx' : 'csv'}$`));
        const dl = await api.request(`/download_file?file_key=${encodeURIComponent(out.result.file_key)}`, { token: alice });
        assert.equal(dl.status, 200);
        const bytes = Buffer.from(await dl.arrayBuffer());
        assert.equal(bytes.length, out.result.file_size);
        const rows = statement.truth.transactions.length;
        if (type === 'excel') {
          const wb = new ExcelJS.Workbook();
          await wb.xlsx.load(bytes as unknown as ArrayBuffer);
          const sheet = wb.getWorksheet('Transactions')!;
          const amounts: number[] = [];
          sheet.eachRow((row) => {
            const v = row.getCell(4).value;
            if (typeof v === 'number') amounts.push(v);
          });
          assert.equal(amounts.length, rows);
          const sum = Math.round(amounts.reduce((a, b) => a + b, 0) * 100);
          const expected = statement.truth.transactions.reduce((a, t) => a + t.amountCents, 0);
          assert.equal(sum, expected);
          assert.ok(wb.getWorksheet('VAT'), 'VAT sheet present');
        } else {
          const text = bytes.toString('utf8');
          assert.equal(text.trimEnd().split('\r\n').length, rows + 1);
        }
        const other = await api.json(`/download_file?file_key=${encodeURIComponent(out.result.file_key)}`, { token: tokenFor(config, 'mallory') });
        assert.equal(other.status, 404);
        // Deleting the finished task removes its file too.
        await api.json(`/tasks/${rep.body.task_id}`, { method: 'DELETE', token: alice });
        const after = await api.json(`/download_file?file_key=${encodeURIComponent(out.result.file_key)}`, { token: alice });
        assert.equal(after.status, 404);
      }

      // Two reports of one session at once (the same second, as often as not): a file each,
      // and deleting one task leaves the other's report.
      const both = await Promise.all([0, 1].map(() => api.json(`/reports/generate_async?session_id=${sessionId}&report_type=csv`, { method: 'POST', token: alice })));
      await Promise.all(both.map((r) => finish(r.body.task_id)));
      const keys = await Promise.all(both.map(async (r) => (await result(r.body.task_id)).body.result.file_key as string));
      assert.notEqual(keys[0], keys[1]);
      await api.json(`/tasks/${both[0].body.task_id}`, { method: 'DELETE', token: alice });
      const kept = await api.request(`/download_file?file_key=${encodeURIComponent(keys[1])}`, { token: alice });
      assert.equal(kept.status, 200);
      assert.match(kept.headers.get('content-disposition') ?? '', /filename="report_\d{8}_\d{6}\.csv"/);
    });
  });

  it('removes the report file when generation fails after writing it', async () => {
    const taskId = await upload(statement.pdf);
    await workers(() => finish(taskId));
    const sessionId = (await result(taskId)).body.result.session_id;
    let written: string | undefined;
    const failing = await runWithWorkers(
      {
        connection: env.nativeConnection, db, config, queues: ['reports'],
        // Writes the whole file under the task's key, then fails for good: the workflow's
        // cleanup, not the activity, must remove it.
        activities: {
          renderReport: async (input: { fileKey: string; userId: string }) => {
            written = input.fileKey;
            await api.files.put({ fileKey: input.fileKey, userId: input.userId, kind: 'report', filename: 'r.xlsx', contentType: 'application/octet-stream' }, Buffer.alloc(2 * 1024 * 1024 + 5, 1));
            throw ApplicationFailure.nonRetryable('disk on fire', 'REPORT_WRITE_FAILED');
          },
        },
      },
      async () => {
        const rep = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=excel`, { method: 'POST', token: alice });
        await finish(rep.body.task_id);
        return (await result(rep.body.task_id)).body;
      },
    );
    assert.ok(written, 'the activity ran');
    assert.equal(failing.status, 'FAILED');
    assert.equal(failing.error.code, 'REPORT_WRITE_FAILED');
    assert.equal(await api.files.stat(written!), null);
    assert.equal(Number((await db('stored_file_chunks').count({ n: '*' }))[0].n) > 0, true, 'the upload remains');
    assert.equal(Number((await db('stored_files').where({ kind: 'report' }).count({ n: '*' }))[0].n), 0);
  });
});
