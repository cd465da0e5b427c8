/**
 * Password-protected statements end to end (real Postgres, real Temporal): the upload's
 * `password` opens RC4, AES-128 and AES-256 locks on the fast path and the chunked path; a
 * file locked only against changes opens without one; a wrong password fails
 * PDF_PASSWORD_INCORRECT, none PDF_ENCRYPTED. The password is kept sealed until the parse
 * ends however it ends, and appears in no workflow history, task row or log line.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createApp } from '../../api/app';
import { TaskEventsHub } from '../../api/events/hub';
import { createCleanupOldResultsActivities } from '../../activities/cleanup-old-results';
import { FileStore } from '../../db/files';
import { readUploadPassword, saveUploadPassword } from '../../db/upload-secrets';
import type { Config } from '../../platform/config';
import { createLogger, silentLogger } from '../../platform/logger';
import { createSecretBox } from '../../platform/secret-box';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';
import { lockPdf, type LockVersion } from '../fixtures/locked-pdf';

const PASSWORD = 'Spr1ng-Bok_8104';

describe('password-protected statements', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let statement: GeneratedStatement;
  const locked = new Map<string, Buffer>();
  const config: Config = testConfig();
  const token = tokenFor(config, 'alice');

  /** The API with every log line it writes kept, at debug level. */
  async function startCapturingApi(cfg: Config = config, temporal?: Client) {
    const lines: string[] = [];
    const logger = createLogger('debug', { service: 'test' }, (line) => lines.push(line));
    const files = new FileStore(db);
    const events = new TaskEventsHub({ db, logger: silentLogger });
    const server = createApp({ config: cfg, db, temporal: temporal ?? env.client, files, logger, events }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const json = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('Authorization', `Bearer ${token}`);
      const res = await fetch(url + path, { ...init, headers });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const close = async () => {
      await events.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    };
    return { lines, json, close };
  }

  const form = (pdf: Buffer, password?: string, name = 'locked.pdf') => {
    const f = new FormData();
    f.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    if (password !== undefined) f.append('password', password);
    return f;
  };

  /** Uploads `pdf` (with `password`), runs its workflow to the end; what the task came to and where the password could have leaked. */
  async function parse(pdf: Buffer, password: string | undefined, cfg: Config = config) {
    const api = await startCapturingApi(cfg);
    try {
      const sub = await api.json('/upload_pdf_async', { method: 'POST', body: form(pdf, password) });
      assert.equal(sub.status, 202, JSON.stringify(sub.body));
      const taskId = sub.body.task_id as string;
      await runWithWorkers({ connection: env.nativeConnection, db, config: cfg, queues: ['pdf_processing'] }, () =>
        env.client.workflow.getHandle(taskId).result().catch(() => undefined),
      );
      const res = await api.json(`/tasks/${taskId}/result`);
      const history = await env.client.workflow.getHandle(taskId).fetchHistory();
      const row = await db('task_status').where({ task_id: taskId }).first();
      const secrets = Number((await db('upload_secrets').where({ task_id: taskId }).count({ n: '*' }))[0].n);
      const rows = res.body.result ? await db('transactions').where({ session_id: res.body.result.session_id }).count({ n: '*' }) : [{ n: 0 }];
      return { taskId, res, history, row, secrets, logs: api.lines, transactions: Number(rows[0].n) };
    } finally {
      await api.close();
    }
  }

  /** The password in any form it could be written in: as sent, or base64 of a payload holding it. */
  function assertNowhere(what: string, text: string, password = PASSWORD) {
    assert.ok(!text.includes(password), `${what} holds the password`);
    assert.ok(!text.includes(Buffer.from(password).toString('base64').slice(0, 12)), `${what} holds the password in base64`);
    assert.ok(!text.includes(Buffer.from(JSON.stringify(password)).toString('base64').slice(4, 16)), `${what} holds a payload with the password`);
  }

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    statement = await generateStatement(FIXTURES[0]);
    for (const v of ['1.4', '1.6', '1.7ext3'] as LockVersion[]) {
      locked.set(v, await lockPdf(statement.pdf, { userPassword: PASSWORD, ownerPassword: 'owner-only-secret', pdfVersion: v }));
    }
    locked.set('owner', await lockPdf(statement.pdf, { ownerPassword: 'owner-only-secret', pdfVersion: '1.6' }));
  });
  beforeEach(() => truncateAll(db));

  for (const [version, lock] of [['1.4', 'RC4 128-bit'], ['1.6', 'AES-128'], ['1.7ext3', 'AES-256']] as const) {
    it(`parses a statement locked with ${lock} (PDF ${version}) given its password, and forgets the password`, async () => {
      const out = await parse(locked.get(version)!, PASSWORD);
      assert.equal(out.res.body.status, 'SUCCESS', JSON.stringify(out.res.body));
      assert.equal(out.res.body.result.reconciled, true);
      assert.equal(out.transactions, statement.truth.transactions.length);
      assert.equal(out.secrets, 0, 'the sealed password is deleted once the parse succeeds');
    });
  }

  it('opens a locked statement on the chunked path too (inspect, then one chunk per page)', async () => {
    const out = await parse(locked.get('1.6')!, PASSWORD, testConfig({ PDF_FAST_PATH_MAX_PAGES: '0', PDF_PAGES_PER_CHUNK: '1' }));
    assert.equal(out.res.body.status, 'SUCCESS', JSON.stringify(out.res.body));
    assert.equal(out.transactions, statement.truth.transactions.length);
    const activities = (out.history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    assert.equal(activities[0], 'inspectStatement');
    assert.ok(activities.includes('extractPageChunk'));
    assert.equal(out.secrets, 0);
  });

  it('parses a file locked only against changes (owner password) without asking for one', async () => {
    const out = await parse(locked.get('owner')!, undefined);
    assert.equal(out.res.body.status, 'SUCCESS', JSON.stringify(out.res.body));
    assert.equal(out.transactions, statement.truth.transactions.length);
  });

  it('fails PDF_PASSWORD_INCORRECT for a wrong password, saying so without repeating it, and forgets it', async () => {
    const wrong = 'not-the-Password-42';
    const out = await parse(locked.get('1.7ext3')!, wrong);
    assert.equal(out.res.body.status, 'FAILED');
    assert.equal(out.res.body.error.code, 'PDF_PASSWORD_INCORRECT');
    assert.match(out.res.body.error.message, /password/i);
    assertNowhere('the error', JSON.stringify(out.res.body), wrong);
    assert.equal(out.secrets, 0, 'the sealed password is deleted when the parse fails');
    // One attempt: a wrong password is not retried.
    const attempts = (out.history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    assert.deepEqual(attempts.filter((a) => a !== 1), []);
  });

  it('fails PDF_ENCRYPTED for a locked file sent without a password, naming the password field', async () => {
    const out = await parse(locked.get('1.4')!, undefined);
    assert.equal(out.res.body.status, 'FAILED');
    assert.equal(out.res.body.error.code, 'PDF_ENCRYPTED');
    assert.match(out.res.body.error.message, /"password" field/);
  });

  it('keeps the password out of the workflow history, the task row and the logs', async () => {
    const out = await parse(locked.get('1.6')!, PASSWORD);
    assert.equal(out.res.body.status, 'SUCCESS', JSON.stringify(out.res.body));
    assert.ok(out.logs.length > 0, 'the API logged the request');
    assertNowhere('the workflow history', JSON.stringify(out.history));
    assertNowhere('the task row', JSON.stringify(out.row));
    assertNowhere('the log', out.logs.join('\n'));
    assert.deepEqual(Object.keys(out.row.params).sort(), ['client_id', 'file_name', 'session_id', 'sha256']);
  });

  it('keeps the password sealed at rest while the task waits, and deletes it when the task is cancelled', async () => {
    const api = await startCapturingApi();
    try {
      const sub = await api.json('/upload_pdf_async', { method: 'POST', body: form(locked.get('1.6')!, PASSWORD) });
      assert.equal(sub.status, 202);
      const taskId = sub.body.task_id as string;
      const stored = await db('upload_secrets').where({ task_id: taskId }).first();
      assert.ok(stored, 'the password is stored for the parse');
      assert.ok(!Buffer.from(stored.sealed).includes(PASSWORD), 'sealed, not in the clear');
      assert.equal(await readUploadPassword(db, createSecretBox(config.fileSecretKey), taskId), PASSWORD);
      assert.equal((await api.json(`/tasks/${taskId}`, { method: 'DELETE' })).status, 200);
      await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () =>
        env.client.workflow.getHandle(taskId).result().catch(() => undefined),
      );
      assert.equal((await api.json(`/tasks/${taskId}/status`)).body.status, 'CANCELLED');
      assert.equal(Number((await db('upload_secrets').count({ n: '*' }))[0].n), 0, 'the sealed password is deleted when the parse is cancelled');
      assertNowhere('the log', api.lines.join('\n'));
    } finally {
      await api.close();
    }
  });

  it('stores no password when the task is not created (the task engine refuses the start)', async () => {
    const unreachable = new Client({ connection: await Connection.lazy({ address: '127.0.0.1:1' }) });
    const api = await startCapturingApi(config, unreachable);
    try {
      const res = await api.json('/upload_pdf_async', { method: 'POST', body: form(locked.get('1.6')!, PASSWORD) });
      assert.equal(res.status, 503);
      assert.equal(Number((await db('upload_secrets').count({ n: '*' }))[0].n), 0);
      assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 0);
    } finally {
      await api.close();
      await unreachable.connection.close();
    }
  });

  it('refuses a password over 256 characters with 400 BAD_PASSWORD, storing nothing', async () => {
    const api = await startTestApi({ config, db, temporal: env.client });
    try {
      const res = await api.json('/upload_pdf_async', { method: 'POST', token, body: form(locked.get('1.6')!, 'x'.repeat(257)) });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'BAD_PASSWORD');
      assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 0);
    } finally {
      await api.close();
    }
  });

  it('binds an Idempotency-Key to the password without keeping it: the same upload with another password is another request', async () => {
    const api = await startTestApi({ config, db, temporal: env.client });
    const started: string[] = [];
    try {
      const send = (password: string) =>
        api.json('/upload_pdf_async', { method: 'POST', token, headers: { 'Idempotency-Key': 'locked-1' }, body: form(locked.get('1.6')!, password) });
      const first = await send(PASSWORD);
      assert.equal(first.status, 202);
      started.push(first.body.task_id);
      const again = await send(PASSWORD);
      assert.equal(again.body.task_id, first.body.task_id, 'the same upload with the same password is the same task');
      const other = await send('another-password');
      assert.equal(other.status, 422);
      assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      const row = await db('task_status').where({ task_id: first.body.task_id }).first();
      assertNowhere('the task row', JSON.stringify(row));
      assert.equal(Number((await db('upload_secrets').count({ n: '*' }))[0].n), 1, 'the replays left no password of their own');
    } finally {
      for (const id of started) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
      await api.close();
    }
  });

  it('the cleanup schedule sweeps passwords a parse left behind: its task ended, or it is hours old', async () => {
    const box = createSecretBox(config.fileSecretKey);
    const ids = { ended: crypto.randomUUID(), old: crypto.randomUUID(), running: crypto.randomUUID(), fresh: crypto.randomUUID() };
    for (const id of Object.values(ids)) await saveUploadPassword(db, box, id, PASSWORD);
    const task = (taskId: string, status: string) => ({ task_id: taskId, user_id: 'alice', task_name: 'parse_pdf_async', queue: 'pdf_processing', status });
    await db('task_status').insert([task(ids.ended, 'FAILED'), task(ids.running, 'PROCESSING'), task(ids.old, 'PROCESSING')]);
    await db('upload_secrets').where({ task_id: ids.old }).update({ created_at: db.raw(`now() - interval '7 hours'`) });
    const acts = createCleanupOldResultsActivities({
      db,
      files: new FileStore(db),
      cleanup: { taskRetentionDays: 30, reportRetentionDays: 30, uploadRetentionDays: 30, sessionRetentionDays: 0, batchSize: 100, resultTtlSeconds: 3600 },
    });
    const policy = await acts.cleanupPolicy({ dryRun: true });
    assert.deepEqual(await acts.cleanupBatch({ step: 'upload_secrets', policy, offset: 0 }), { affected: 2, scanned: 2 });
    assert.equal(Number((await db('upload_secrets').count({ n: '*' }))[0].n), 4, 'a dry run only counts');
    await acts.cleanupBatch({ step: 'upload_secrets', policy: { ...policy, dryRun: false }, offset: 0 });
    const left = (await db('upload_secrets').select('task_id')).map((r) => r.task_id).sort();
    assert.deepEqual(left, [ids.running, ids.fresh].sort());
  });
});
