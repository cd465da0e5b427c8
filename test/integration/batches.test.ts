/**
 * Batch uploads (real Postgres, real Temporal): several `file` parts make one task each
 * under a batch id, a bad file is refused alone, GET /batches/{id} shows the owner every
 * task with a summary, and completeBatchIfDone marks a finished batch exactly once, even
 * when its last tasks end at the same moment.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { completeBatchIfDone, createBatch } from '../../db/batches';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';
import { runWithWorkers } from '../support/workers';
import { FIXTURES, generateStatement, type GeneratedStatement } from '../fixtures/statements';
import { lockPdf } from '../fixtures/locked-pdf';

const count = async (db: Knex, table: string) => Number((await db(table).count({ n: '*' }))[0].n);
const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('batch uploads', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let api: TestApi;
  let statement: GeneratedStatement;
  const config = testConfig();
  const alice = tokenFor(config, 'alice');
  const bob = tokenFor(config, 'bob');
  const started: string[] = [];

  const batchForm = (files: Array<[Uint8Array, string]>, fields: Record<string, string> = {}) => {
    const f = new FormData();
    for (const [data, name] of files) f.append('file', new Blob([data], { type: 'application/pdf' }), name);
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return f;
  };
  const upload = async (body: FormData, headers: Record<string, string> = {}, on: TestApi = api) => {
    const res = await on.json('/upload_pdf_async', { method: 'POST', token: alice, headers, body });
    if (res.status === 202) for (const t of res.body.tasks ?? [{ task_id: res.body.task_id }]) if (t.task_id) started.push(t.task_id);
    return res;
  };

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    statement = await generateStatement(FIXTURES[4]);
    api = await startTestApi({ config, db, temporal: env.client });
  });
  beforeEach(() => truncateAll(db));
  afterEach(async () => {
    for (const id of started.splice(0)) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  });
  after(() => api?.close());

  it('submits one task per file under a batch id, refuses a bad file alone, and reports the batch to its owner only', async () => {
    const locked = await lockPdf(statement.pdf, { userPassword: 'batch-pass', pdfVersion: '1.6' });
    // The password is for every file: one without a lock opens all the same.
    const res = await upload(
      batchForm(
        [
          [statement.pdf, 'plain.pdf'],
          [Buffer.from('just some notes'), 'notes.txt'],
          [locked, 'locked.pdf'],
        ],
        { password: 'batch-pass' },
      ),
    );
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['batch_id', 'message', 'status', 'tasks']);
    assert.equal(res.body.status, 'submitted');
    const [plain, notes, lockedEntry] = res.body.tasks;
    assert.deepEqual([plain.file_name, plain.status], ['plain.pdf', 'submitted']);
    assert.deepEqual(notes, { file_name: 'notes.txt', status: 'rejected', error: { code: 'NOT_A_PDF', message: 'The file is not a PDF' } });
    assert.deepEqual([lockedEntry.file_name, lockedEntry.status], ['locked.pdf', 'submitted']);
    assert.equal(await count(db, 'upload_secrets'), 2, 'the password is kept for each task of the batch');
    const batchId = res.body.batch_id as string;

    const waiting = await api.json(`/batches/${batchId}`, { token: alice });
    assert.equal(waiting.status, 200);
    assert.equal(waiting.body.status, 'running');
    assert.deepEqual(waiting.body.summary, { total: 2, done: 0, failed: 0, running: 2 });
    assert.deepEqual(waiting.body.tasks.map((t: { task_id: string }) => t.task_id), [plain.task_id, lockedEntry.task_id]);
    assert.deepEqual(waiting.body.rejected, [{ file_name: 'notes.txt', error: { code: 'NOT_A_PDF', message: 'The file is not a PDF' } }]);
    // Someone else's batch, a missing one and a malformed id all answer the same 404.
    for (const [path, token] of [[`/batches/${batchId}`, bob], [`/batches/${randomUUID()}`, alice], ['/batches/not-a-uuid', alice]]) {
      const other = await api.json(path, { token });
      assert.equal(other.status, 404, path);
      assert.equal(other.body.error.code, 'BATCH_NOT_FOUND');
    }

    assert.equal(await completeBatchIfDone(db, plain.task_id), null, 'not done while its tasks run');
    // A plain client: waiting on two workflows with the time-skipping one would skip past the
    // second's time limit while the first is awaited.
    const plainClient = new Client({ connection: env.connection });
    await runWithWorkers({ connection: env.nativeConnection, db, config, queues: ['pdf_processing'] }, () =>
      Promise.all([plain.task_id, lockedEntry.task_id].map((id) => plainClient.workflow.getHandle(id).result())),
    );
    const done = await api.json(`/batches/${batchId}`, { token: alice });
    assert.equal(done.body.status, 'completed');
    assert.deepEqual(done.body.summary, { total: 2, done: 2, failed: 0, running: 0 });
    assert.deepEqual(done.body.tasks.map((t: { status: string; file_name: string }) => [t.file_name, t.status]), [['plain.pdf', 'SUCCESS'], ['locked.pdf', 'SUCCESS']]);
    assert.equal(await count(db, 'upload_secrets'), 0);

    // The task-end path may have marked the batch already (webhooks call completeBatchIfDone
    // as each task ends); if not, this call does. Either way it is marked, and only once.
    const completed = await completeBatchIfDone(db, lockedEntry.task_id);
    if (completed) {
      assert.deepEqual(completed, {
        batchId,
        userId: 'alice',
        summary: { total: 2, succeeded: 2, failed: 0, cancelled: 0 },
        taskIds: [plain.task_id, lockedEntry.task_id],
      });
    }
    assert.equal(await completeBatchIfDone(db, plain.task_id), null, 'once only');
    assert.notEqual((await api.json(`/batches/${batchId}`, { token: alice })).body.completed_at, null);
  });

  it('keeps the single-file answer exactly as it was: no batch', async () => {
    const res = await upload(batchForm([[MINIMAL_PDF, 'one.pdf']]));
    assert.equal(res.status, 202);
    assert.deepEqual(Object.keys(res.body).sort(), ['message', 'status', 'task_id']);
    assert.equal(await count(db, 'batches'), 0);
  });

  it('fails the request as for one bad file when every file of the batch is bad, leaving no batch', async () => {
    const res = await upload(batchForm([[Buffer.from('a'), 'a.txt'], [Buffer.alloc(0), 'b.pdf']]));
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, 'NOT_A_PDF');
    assert.equal(await count(db, 'batches'), 0);
    assert.equal(await count(db, 'stored_files'), 0);
  });

  it('refuses more files than MAX_FILES_PER_UPLOAD with 400 TOO_MANY_FILES', async () => {
    const capped = await startTestApi({ config: testConfig({ MAX_FILES_PER_UPLOAD: '2' }), db, temporal: env.client });
    try {
      const res = await upload(batchForm([[MINIMAL_PDF, 'a.pdf'], [MINIMAL_PDF, 'b.pdf'], [MINIMAL_PDF, 'c.pdf']]), {}, capped);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'TOO_MANY_FILES');
      assert.equal(await count(db, 'stored_files'), 0);
    } finally {
      await capped.close();
    }
  });

  it('refuses a body larger than the upload slots one request may hold with 413 UPLOAD_TOO_LARGE, before reading it', async () => {
    // 1 slot per user of 4 KB (plus the multipart allowance): 300 KB cannot fit.
    const capped = await startTestApi({ config: testConfig({ MAX_UPLOAD_BYTES: '4096', MAX_CONCURRENT_UPLOADS_PER_USER: '1' }), db, temporal: env.client });
    try {
      const files = Array.from({ length: 20 }, (_, i): [Buffer, string] => [Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(15_000, 32)]), `f${i}.pdf`]);
      const res = await upload(batchForm(files), {}, capped);
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'UPLOAD_TOO_LARGE');
      assert.equal(await count(db, 'stored_files'), 0);
    } finally {
      await capped.close();
    }
  });

  it('answers a batch sent again with its Idempotency-Key with the same batch and tasks', async () => {
    const form = () => batchForm([[MINIMAL_PDF, 'a.pdf'], [Buffer.concat([MINIMAL_PDF, Buffer.from('% b\n')]), 'b.pdf']]);
    const first = await upload(form(), { 'Idempotency-Key': 'batch-1' });
    assert.equal(first.status, 202);
    const again = await upload(form(), { 'Idempotency-Key': 'batch-1' });
    assert.equal(again.status, 202);
    assert.equal(again.body.batch_id, first.body.batch_id);
    assert.deepEqual(again.body.tasks, first.body.tasks);
    assert.equal(await count(db, 'batches'), 1);
    assert.equal(await count(db, 'task_status'), 2);
  });

  describe('completeBatchIfDone', () => {
    /** A batch of `n` tasks in `status`, their rows written straight to Postgres. */
    async function seedBatch(statuses: string[]) {
      const batchId = randomUUID();
      const taskIds = statuses.map(() => randomUUID());
      await createBatch(db, { batchId, userId: 'alice', taskIds, rejected: [] });
      await db('task_status').insert(
        taskIds.map((task_id, i) => ({ task_id, user_id: 'alice', task_name: 'parse_pdf_async', queue: 'pdf_processing', status: statuses[i] })),
      );
      return { batchId, taskIds };
    }

    it('answers null for a task without a batch and for a batch with a task still open', async () => {
      assert.equal(await completeBatchIfDone(db, randomUUID()), null);
      const { taskIds } = await seedBatch(['SUCCESS', 'PROCESSING']);
      assert.equal(await completeBatchIfDone(db, taskIds[0]), null);
      assert.equal(await count(db, 'batches'), 1);
      assert.equal((await db('batches').first()).completed_at, null);
    });

    it('counts a linked task whose row is not written yet as open', async () => {
      const batchId = randomUUID();
      const [a, b] = [randomUUID(), randomUUID()];
      await createBatch(db, { batchId, userId: 'alice', taskIds: [a, b], rejected: [] });
      await db('task_status').insert({ task_id: a, user_id: 'alice', task_name: 'parse_pdf_async', queue: 'pdf_processing', status: 'SUCCESS' });
      assert.equal(await completeBatchIfDone(db, a), null);
    });

    it('completes once when the last tasks end at the same moment, with the outcome of each', async () => {
      for (let round = 0; round < 5; round++) {
        const { batchId, taskIds } = await seedBatch(['SUCCESS', 'FAILED', 'PROCESSING', 'PROCESSING', 'PROCESSING']);
        // The three open tasks end together, each in its own transaction, each then asking.
        const ends = ['SUCCESS', 'CANCELLED', 'SUCCESS'];
        const answers = await Promise.all(
          taskIds.slice(2).map(async (id, i) => {
            await db('task_status').where({ task_id: id }).update({ status: ends[i] });
            return Promise.all([completeBatchIfDone(db, id), completeBatchIfDone(db, id)]);
          }),
        );
        const completions = answers.flat().filter((a) => a !== null);
        assert.equal(completions.length, 1, `round ${round}: exactly one caller completes the batch`);
        assert.deepEqual(completions[0], { batchId, userId: 'alice', summary: { total: 5, succeeded: 3, failed: 1, cancelled: 1 }, taskIds });
        for (const id of taskIds) assert.equal(await completeBatchIfDone(db, id), null);
      }
    });
  });
});
