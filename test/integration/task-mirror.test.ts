/**
 * The task_status mirror on a real Postgres: writes that arrive out of order (retries,
 * replayed local activities) never move a task backwards, and nothing overwrites a
 * terminal state.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createTaskMirrorActivities } from '../../activities/task-mirror';
import { refineProgress } from '../../db/tasks';
import { getTestDb, truncateAll } from '../support/postgres';

describe('task_status mirror', () => {
  let db: Knex;
  let mirror: ReturnType<typeof createTaskMirrorActivities>;
  before(async () => {
    db = await getTestDb();
    mirror = createTaskMirrorActivities(db);
  });
  beforeEach(() => truncateAll(db));

  async function newTask() {
    const taskId = randomUUID();
    await db('task_status').insert({ task_id: taskId, user_id: 'u', task_name: 'parse_pdf_async', queue: 'pdf_processing' });
    return taskId;
  }
  const row = (taskId: string) => db('task_status').where({ task_id: taskId }).first();

  it('applies a write only if its sequence number is newer, and never lowers the percent', async () => {
    const taskId = await newTask();
    assert.equal(await mirror.mirrorProgress({ taskId, seq: 5, status: 'PROCESSING', percent: 50, message: 'five' }), true);
    assert.equal(await mirror.mirrorProgress({ taskId, seq: 3, status: 'PROCESSING', percent: 80, message: 'three (stale)' }), false);
    let r = await row(taskId);
    assert.deepEqual([r.progress_percent, r.progress_message, Number(r.progress_seq)], [50, 'five', 5]);
    assert.ok(r.started_at, 'PROCESSING sets started_at');
    await mirror.mirrorProgress({ taskId, seq: 6, status: 'PROCESSING', percent: 40, message: 'six' });
    r = await row(taskId);
    assert.deepEqual([r.progress_percent, r.progress_message], [50, 'six']);
  });

  it('lets an activity refine the percent upwards only', async () => {
    const taskId = await newTask();
    await mirror.mirrorProgress({ taskId, seq: 1, status: 'PROCESSING', percent: 10, message: 'start' });
    await refineProgress(db, taskId, 30, 'row 300');
    await refineProgress(db, taskId, 20, 'row 200 (late)');
    const r = await row(taskId);
    assert.deepEqual([r.progress_percent, r.progress_message], [30, 'row 300']);
  });

  it('writes the terminal state once, with expiry, and ignores anything after it', async () => {
    const taskId = await newTask();
    await mirror.mirrorProgress({ taskId, seq: 2, status: 'PROCESSING', percent: 60, message: 'working' });
    assert.equal(await mirror.finishTask({ taskId, seq: 3, status: 'SUCCESS', message: 'Completed', result: { n: 1 }, resultTtlSeconds: 3600 }), true);
    assert.equal(await mirror.mirrorProgress({ taskId, seq: 9, status: 'PROCESSING', percent: 70, message: 'late' }), false);
    assert.equal(await mirror.finishTask({ taskId, seq: 10, status: 'FAILED', message: 'late', resultTtlSeconds: 3600 }), false);
    await refineProgress(db, taskId, 99, 'late refine');
    const r = await row(taskId);
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.progress_percent, 100);
    assert.equal(r.progress_message, 'Completed');
    assert.deepEqual(r.result, { n: 1 });
    const ttl = (new Date(r.expires_at).getTime() - new Date(r.completed_at).getTime()) / 1000;
    assert.ok(Math.abs(ttl - 3600) < 2, `ttl ${ttl}`);
  });
});
