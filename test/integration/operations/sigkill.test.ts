/**
 * A worker killed with SIGKILL mid-task (no shutdown at all) loses nothing: the activity it
 * was running times out on its heartbeat, is retried on the next worker, and the task ends
 * SUCCESS with every row right — the chunks done before the kill are not done twice wrong,
 * and a statement read whole by the parse's fast path is read again, saved once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { submitTask } from '../../../api/task-submission';
import { uploadFileKey } from '../../../contract/file-keys';
import { FileStore } from '../../../db/files';
import { largeStatement } from '../../fixtures/statements';
import { silentLogger } from '../../../platform/logger';
import { generatedRows, seedSession, testConfig } from '../../support/fixtures';
import { getTestDatabaseUrl, getTestDb } from '../../support/postgres';
import { getDevServer, getDevServerNativeConnection, getWorkflowBundle } from '../../support/temporal';
import { runWithWorkers } from '../../support/workers';
import { OPS_NAMESPACE, opsNamespaceClient, waitFor } from './support';

const ROOT = path.resolve(__dirname, '../../..');
const USER = 'ops-sigkill-user';
const ROWS = 20_000;

function spawnWorker(queue: string, env: NodeJS.ProcessEnv) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts', `--queues=${queue}`, '--no-schedules'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', TEMPORAL_NAMESPACE: OPS_NAMESPACE, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn', ...env },
  });
  return { proc, exited: new Promise((resolve) => proc.once('exit', resolve)) };
}

describe('worker: SIGKILL mid-task loses nothing', function () {
  this.timeout(300_000);
  let db: Knex;
  let client: Client;

  before(async () => {
    const dev = await getDevServer();
    [db, client] = await Promise.all([getTestDb(), opsNamespaceClient(dev.connection), getWorkflowBundle()]);
  });

  it('retries the interrupted chunk on the next worker and finishes with every row right', async () => {
    const dev = await getDevServer();
    const config = testConfig({ CATEGORIZE_CHUNK_ROWS: '100', RETRY_INITIAL_INTERVAL_SECONDS: '1', ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: '2' });
    const sessionId = await seedSession(db, USER, generatedRows(ROWS));
    const { proc, exited } = spawnWorker('bulk_operations', { DATABASE_URL: await getTestDatabaseUrl(), TEMPORAL_ADDRESS: dev.address });
    try {
      const { taskId } = await submitTask(
        { db, temporal: client, config, logger: silentLogger },
        {
          userId: USER,
          taskName: 'bulk_categorize_async',
          params: { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'salary' } }] },
          input: { sessionId, chunkRows: config.rules.chunkRows },
        },
      );
      const row = () => db('task_status').where({ task_id: taskId }).first();
      await waitFor('the task to be under way', async () => {
        const r = await row();
        return r.status === 'PROCESSING' && r.progress_percent >= 10;
      }, 180_000, 50);
      proc.kill('SIGKILL');
      await exited;
      const mid = await row();
      assert.equal(mid.status, 'PROCESSING');

      const result = await runWithWorkers(
        { connection: await getDevServerNativeConnection(), namespace: OPS_NAMESPACE, db, config, queues: ['bulk_operations'] },
        () => client.workflow.getHandle(taskId).result(),
      );
      assert.equal(result.status, 'success');
      assert.equal(result.categorized_count, ROWS / 5);
      const final = await row();
      assert.equal(final.status, 'SUCCESS');
      const wrong = await db('transactions')
        .where({ session_id: sessionId })
        .andWhereRaw(`coalesce(category = 'Salary', false) <> (description = 'SALARY ACME LTD')`)
        .count({ n: '*' });
      assert.equal(Number(wrong[0].n), 0);
      assert.equal(Number((await db('transactions').where({ session_id: sessionId }).count({ n: '*' }))[0].n), ROWS);
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  });

  it('reads a statement whose fast-path read was killed again on the next worker, and saves it once', async () => {
    const dev = await getDevServer();
    const config = testConfig({ RETRY_INITIAL_INTERVAL_SECONDS: '1', ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: '2' });
    // Long enough that the kill lands inside the one activity: it reads, parses and saves
    // all its pages (the fast path's limit is raised to take it).
    const statement = await largeStatement(400);
    const files = new FileStore(db);
    const taskId = randomUUID();
    const sessionId = randomUUID();
    const fileKey = uploadFileKey(taskId, 'large.pdf');
    await files.put({ fileKey, userId: USER, kind: 'upload', filename: 'large.pdf', contentType: 'application/pdf' }, Buffer.from(statement.pdf));
    const { proc, exited } = spawnWorker('pdf_processing', { DATABASE_URL: await getTestDatabaseUrl(), TEMPORAL_ADDRESS: dev.address });
    try {
      await submitTask(
        { db, temporal: client, config, logger: silentLogger },
        {
          taskId,
          userId: USER,
          taskName: 'parse_pdf_async',
          params: { session_id: sessionId },
          input: { fileKey, fileName: 'large.pdf', clientId: null, sessionId, pagesPerChunk: 50, fastPathMaxPages: 1000 },
        },
      );
      const row = () => db('task_status').where({ task_id: taskId }).first();
      // The activity reports "Parsing N pages..." once the pages are read, before it saves.
      await waitFor('the fast path to be parsing', async () => /^Parsing \d+ pages/.test((await row()).progress_message ?? ''), 180_000, 25);
      proc.kill('SIGKILL');
      await exited;
      assert.equal((await row()).status, 'PROCESSING');

      const result = await runWithWorkers(
        { connection: await getDevServerNativeConnection(), namespace: OPS_NAMESPACE, db, config, queues: ['pdf_processing'] },
        () => client.workflow.getHandle(taskId).result(),
      );
      assert.equal(result.transaction_count, statement.truth.transactions.length);
      assert.equal(result.reconciled, true);
      const events = (await client.workflow.getHandle(taskId).fetchHistory()).events ?? [];
      const started = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      assert.equal(started[0], 2, 'the fast-path activity ran a second attempt');
      const n = await db('transactions').where({ session_id: sessionId }).count({ n: '*' });
      assert.equal(Number(n[0].n), statement.truth.transactions.length);
      assert.equal((await row()).status, 'SUCCESS');
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  });
});
