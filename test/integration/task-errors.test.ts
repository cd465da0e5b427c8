/**
 * What a client sees of a failure that is not its own: no internal text (a database error
 * carries the SQL it ran), a reference that finds the details in the worker's log, and no
 * retries for data the database refuses. And amounts too large for the amount columns are
 * refused by name before anything is written. Real Temporal (time-skipping) and Postgres.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { taskActivity } from '../../activities/task-activity';
import { submitTask } from '../../api/task-submission';
import { discardParse, saveStatement } from '../../db/sessions';
import type { ParsedStatement } from '../../domain/statements';
import type { Config } from '../../platform/config';
import { generatedRows, seedSession, testConfig, testLogger } from '../support/fixtures';
import { getTestDb, truncateAll } from '../support/postgres';
import { createTimeSkippingEnv, getWorkflowBundle } from '../support/temporal';

const RULES = [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'salary' } }];
const SQL_TEXT = 'insert into "transactions" ("amount") values ($1) - numeric field overflow';

describe('task failures as clients see them (time-skipping Temporal + Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;

  before(async () => {
    [env, db] = await Promise.all([createTimeSkippingEnv(), getTestDb()]);
    await getWorkflowBundle();
  });
  after(() => env?.teardown());
  beforeEach(() => truncateAll(db));

  const row = (taskId: string) => db('task_status').where({ task_id: taskId }).first();

  async function runFailingCategorize(config: Config, failure: () => Error) {
    const sessionId = await seedSession(db, 'u1', generatedRows(10));
    const { taskId } = await submitTask(
      { db, temporal: env.client, config, logger: testLogger },
      { userId: 'u1', taskName: 'bulk_categorize_async', params: { session_id: sessionId, rules: RULES }, input: { sessionId, chunkRows: 100 } },
    );
    const attempts: number[] = [];
    const messages: string[] = [];
    const acts = createActivities({ db, config });
    const w = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bulk_operations',
      workflowBundle: await getWorkflowBundle(),
      activities: {
        ...acts,
        categorizeChunk: taskActivity(db, async (input: { taskId: string }) => {
          const r = await row(input.taskId);
          attempts.push(r.attempt);
          messages.push(r.progress_message);
          throw failure();
        }),
      },
    });
    await assert.rejects(w.runUntil(env.client.workflow.getHandle(taskId).result()), WorkflowFailedError);
    return { row: await row(taskId), attempts, messages };
  }

  it('an unexpected error is retried, and the client sees a generic message with a reference, never its text', async () => {
    const config = testConfig({ RETRY_MAX_ATTEMPTS: '3' });
    const { row: r, attempts, messages } = await runFailingCategorize(config, () => new Error(SQL_TEXT));
    assert.equal(attempts.length, 3, 'retried up to the limit');
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error.code, 'INTERNAL_ERROR');
    assert.match(r.error.message, /^An internal error occurred \(reference [0-9a-f]{8}\)$/);
    for (const text of [r.error.message, r.progress_message, ...messages]) {
      assert.ok(!/insert|numeric|transactions/.test(text), `internal text reached the client: ${text}`);
    }
    assert.ok(messages.some((m) => /Attempt 1( of 3)? failed: An internal error occurred \(reference [0-9a-f]{8}\) — retrying/.test(m)), JSON.stringify(messages));
  });

  it('data the database refuses (SQLSTATE class 22/23) fails at once as DATA_REJECTED', async () => {
    const config = testConfig({ RETRY_MAX_ATTEMPTS: '4' });
    const { row: r, attempts } = await runFailingCategorize(config, () => Object.assign(new Error(SQL_TEXT), { code: '22003' }));
    assert.equal(attempts.length, 1, 'no retry: the same data fails the same way');
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error.code, 'DATA_REJECTED');
    assert.ok(!/insert|numeric/.test(r.error.message), r.error.message);
    assert.match(r.error.message, /reference [0-9a-f]{8}/);
  });

  it('refuses a statement whose figures do not fit the amount columns, naming where, and writes nothing', async () => {
    const parsed: ParsedStatement = {
      bankSource: 'FNB',
      accountNumber: null,
      transactions: [
        { seq: 1, date: '2026-01-02', description: 'ok', amountCents: -1000, balanceCents: 9000, page: 1, line: 5, rawText: '' },
        // 13 digits before the decimal point: numeric(14,2) holds 12.
        { seq: 2, date: '2026-01-03', description: 'misread', amountCents: 1_234_567_890_123_00, balanceCents: 9000, page: 2, line: 7, rawText: '' },
      ],
      openingBalanceCents: 10_000,
      closingBalanceCents: 9000,
      periodStart: null,
      periodEnd: null,
      reconciled: false,
      warnings: [],
      skippedRows: [],
    };
    const session = { taskId: '00000000-0000-4000-8000-000000000001', userId: 'u1', sessionId: '00000000-0000-4000-8000-000000000002', clientId: null, fileKey: 'k', fileName: 'f.pdf', sha256: null };
    await assert.rejects(saveStatement(db, session, parsed), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'AMOUNT_OUT_OF_RANGE');
      assert.match(e.message, /page 2, line 7/);
      return true;
    });
    assert.equal(Number((await db('sessions').count({ n: '*' }))[0].n), 0);
    assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
  });

  it('a parse attempt that outlives its cleanup cannot save: the cleanup fences the task, and the late save is refused', async () => {
    const taskId = '00000000-0000-4000-8000-0000000000a1';
    const sessionId = '00000000-0000-4000-8000-0000000000a2';
    await db('task_status').insert({ task_id: taskId, user_id: 'u1', task_name: 'parse_pdf_async', queue: 'pdf_processing', status: 'PROCESSING' });
    const parsed: ParsedStatement = {
      bankSource: 'FNB',
      accountNumber: null,
      transactions: [{ seq: 1, date: '2026-01-02', description: 'ok', amountCents: -1000, balanceCents: 9000, page: 1, line: 5, rawText: '' }],
      openingBalanceCents: 10_000,
      closingBalanceCents: 9000,
      periodStart: null,
      periodEnd: null,
      reconciled: true,
      warnings: [],
      skippedRows: [],
    };
    const session = { taskId, userId: 'u1', sessionId, clientId: null, fileKey: 'k', fileName: 'f.pdf', sha256: null };
    // The workflow gave up on the attempt (heartbeat timeout, cancel) and cleaned up...
    await discardParse(db, taskId, sessionId);
    // ...while the attempt, on a worker cut off from the server, finished its parse.
    await assert.rejects(saveStatement(db, session, parsed), (e: Error & { code?: string }) => e.code === 'PARSE_DISCARDED');
    assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
    assert.equal(await db('sessions').where({ id: sessionId }).first(), undefined);

    // The same save for a task still open goes through.
    const open = { ...session, taskId: '00000000-0000-4000-8000-0000000000a3', sessionId: '00000000-0000-4000-8000-0000000000a4' };
    await db('task_status').insert({ task_id: open.taskId, user_id: 'u1', task_name: 'parse_pdf_async', queue: 'pdf_processing', status: 'PROCESSING' });
    await saveStatement(db, open, parsed);
    assert.equal((await db('sessions').where({ id: open.sessionId }).first()).status, 'READY');
  });
});
