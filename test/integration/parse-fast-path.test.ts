/**
 * The parse's fast path: a statement of at most PDF_FAST_PATH_MAX_PAGES pages is read,
 * parsed and saved by one activity (no inspect step, no chunks, no work files); a longer
 * one goes on to the chunked steps (PDF_TEXT_THREADS of them at once), and 0 turns the
 * fast path off. The rows are the same either way; a cancel during the read saves nothing.
 */
import assert from 'node:assert/strict';
import { heartbeat, sleep as activitySleep } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { createActivities } from '../../activities';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';

describe('parse fast path: short statements in one activity', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let statement: GeneratedStatement;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    statement = await generateStatement(FIXTURES[0]);
    assert.ok(statement.pages >= 3, `the fixture needs several pages, has ${statement.pages}`);
  });
  beforeEach(() => truncateAll(db));

  /** Uploads `pdf` as alice; the 202's task id. */
  async function upload(api: TestApi, token: string, pdf: Uint8Array, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    const sub = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
    assert.equal(sub.status, 202, JSON.stringify(sub.body));
    return sub.body.task_id as string;
  }

  /** Uploads the statement under `settings`, runs it to the end; the task's result, its activities in order, its rows. */
  async function parseWith(settings: Record<string, string>) {
    const config: Config = testConfig(settings);
    const api: TestApi = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      const taskId = await upload(api, token, statement.pdf, 'statement.pdf');
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () =>
        env.client.workflow.getHandle(taskId).result().catch(() => undefined),
      );
      const res = await api.json(`/tasks/${taskId}/result`, { token });
      const events = (await env.client.workflow.getHandle(taskId).fetchHistory()).events ?? [];
      const activities = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => !!n);
      const rows = res.body.result
        ? await db('transactions').where({ session_id: res.body.result.session_id }).orderBy('seq').select(db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'amount', 'balance')
        : [];
      const status = await db('task_status').where({ task_id: taskId }).first();
      return { res, activities, rows, status, events };
    } finally {
      await api.close();
    }
  }

  const truthRows = () =>
    statement.truth.transactions.map((t) => [t.date, t.description, (t.amountCents / 100).toFixed(2), t.balanceCents === null ? null : (t.balanceCents / 100).toFixed(2)]);
  const asRows = (rows: Array<{ date: string; description: string; amount: string; balance: string | null }>) =>
    rows.map((r) => [r.date, r.description, Number(r.amount).toFixed(2), r.balance === null ? null : Number(r.balance).toFixed(2)]);

  it('reads a statement within the limit in one activity: no inspect, no chunks, no work files', async () => {
    const { res, activities, rows, status } = await parseWith({ PDF_PAGES_PER_CHUNK: '1' });
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    assert.equal(res.body.result.reconciled, true);
    // The terminal write is a local activity: no task-queue activity after the read.
    assert.deepEqual(activities, ['parseWholeStatement']);
    assert.deepEqual(asRows(rows), truthRows());
    assert.equal(status.progress_percent, 100);
    assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0);
  });

  it('goes on to the chunked steps when the statement is longer than the limit, without opening it for its length again', async () => {
    const { res, activities, rows } = await parseWith({ PDF_PAGES_PER_CHUNK: '1', PDF_FAST_PATH_MAX_PAGES: String(statement.pages - 1) });
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    assert.deepEqual(activities, [
      'parseWholeStatement',
      ...Array.from({ length: statement.pages }, () => 'extractPageChunk'),
      'parseAndSaveStatement',
      'discardParseWork',
    ]);
    assert.deepEqual(asRows(rows), truthRows());
  });

  it('with PDF_TEXT_THREADS=2, extracts two chunks at once and saves the same rows', async () => {
    const { res, activities, rows, events } = await parseWith({
      PDF_PAGES_PER_CHUNK: '1',
      PDF_FAST_PATH_MAX_PAGES: String(statement.pages - 1),
      PDF_TEXT_THREADS: '2',
    });
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    assert.equal(res.body.result.reconciled, true);
    assert.equal(activities.filter((a) => a === 'extractPageChunk').length, statement.pages);
    // The first two chunks were scheduled before either was done: side by side.
    const chunkIds = new Set(
      events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractPageChunk').map((e) => String(e.eventId)),
    );
    const order = events.flatMap((e) =>
      chunkIds.has(String(e.eventId)) ? ['scheduled'] : chunkIds.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) ? ['completed'] : [],
    );
    assert.deepEqual(order.slice(0, 2), ['scheduled', 'scheduled']);
    assert.equal(order.filter((o) => o === 'completed').length, statement.pages);
    assert.deepEqual(asRows(rows), truthRows());
    assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0);
  });

  it('always chunks with PDF_FAST_PATH_MAX_PAGES=0', async () => {
    const { res, activities, rows } = await parseWith({ PDF_PAGES_PER_CHUNK: '1', PDF_FAST_PATH_MAX_PAGES: '0' });
    assert.equal(res.body.status, 'SUCCESS', JSON.stringify(res.body));
    assert.equal(activities[0], 'inspectStatement');
    assert.ok(!activities.includes('parseWholeStatement'));
    assert.deepEqual(asRows(rows), truthRows());
  });

  it('a statement the fast path refuses fails with its code and leaves no session', async () => {
    const config = testConfig({});
    const api = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      // Cut off before its end: refused as unreadable by the first (and only) step.
      const cut = statement.pdf.subarray(0, Math.floor(statement.pdf.length * 0.6));
      const taskId = await upload(api, token, cut, 'cut.pdf');
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () =>
        env.client.workflow.getHandle(taskId).result().catch(() => undefined),
      );
      const res = await api.json(`/tasks/${taskId}/result`, { token });
      assert.equal(res.body.status, 'FAILED');
      assert.equal(res.body.error.code, 'PDF_UNREADABLE');
      assert.equal(Number((await db('sessions').count({ n: '*' }))[0].n), 0);
      assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
    } finally {
      await api.close();
    }
  });

  it('a cancel during the one-activity read ends CANCELLED and leaves no session, rows, work files or upload secrets', async () => {
    const config = testConfig({});
    const api = await startTestApi({ config, db, temporal: env.client });
    try {
      const token = tokenFor(config, 'alice');
      let reached!: () => void;
      const started = new Promise<void>((r) => (reached = r));
      let cancelSeen = false;
      // Holds the read until the cancel has reached the activity, then hands over to the
      // worker's own: what it does with a cancelled context is what this test checks.
      const holdingTheRead = (service: ReturnType<typeof createActivities>) => ({
        parseWholeStatement: async (input: Parameters<typeof service.parseWholeStatement>[0]) => {
          reached();
          for (;;) {
            heartbeat();
            try {
              await activitySleep(100);
            } catch {
              cancelSeen = true;
              break;
            }
          }
          return service.parseWholeStatement(input);
        },
      });
      const taskId = await upload(api, token, statement.pdf, 'statement.pdf');
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'], activities: holdingTheRead }, async () => {
        await started;
        const del = await api.json(`/tasks/${taskId}`, { method: 'DELETE', token });
        assert.deepEqual(del.body, { message: 'Task cancelled' });
        await env.client.workflow.getHandle(taskId).result().catch(() => undefined);
      });
      assert.ok(cancelSeen, 'the cancel reached the running activity');
      const res = await api.json(`/tasks/${taskId}/result`, { token });
      assert.equal(res.body.status, 'CANCELLED', JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'CANCELLED');
      for (const table of ['sessions', 'transactions', 'upload_secrets']) {
        assert.equal(Number((await db(table).count({ n: '*' }))[0].n), 0, `${table} left behind`);
      }
      assert.equal(Number((await db('stored_files').where({ kind: 'work' }).count({ n: '*' }))[0].n), 0);
    } finally {
      await api.close();
    }
  });
});
