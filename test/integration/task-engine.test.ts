/**
 * The task lifecycle on a real Temporal server with time skipping and a real Postgres:
 * retries with backoff, non-retryable input errors, the soft and hard time limits,
 * cancellation with cleanup, and the progress query. Driven through bulkCategorize, the
 * simplest real workflow, with one activity wrapped to misbehave on purpose.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { activityInfo, heartbeat, sleep as activitySleep } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { taskActivity } from '../../activities/task-activity';
import type { Config } from '../../platform/config';
import { silentLogger } from '../../platform/logger';
import { testLogger } from '../support/fixtures';
import { progressQuery } from '../../contract/tasks';
import { submitTask } from '../../api/task-submission';
import { freshTask } from '../../api/task-view';
import { taskSettingsFrom } from '../../platform/task-settings';
import { getTestDb, truncateAll } from '../support/postgres';
import { createTimeSkippingEnv, getWorkflowBundle } from '../support/temporal';
import { seedSession, testConfig, generatedRows } from '../support/fixtures';

const RULES = [
  { category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'salary' } },
  { category: 'Fuel', conditions: { field: 'description', op: 'starts_with', value: 'ENGEN' } },
];

describe('task engine (time-skipping Temporal + Postgres)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;

  before(async () => {
    // Its own server: these tests assert on skipped time, which another test's in-flight
    // activity on a shared server would hold back.
    [env, db] = await Promise.all([createTimeSkippingEnv(), getTestDb()]);
    await getWorkflowBundle();
  });
  after(() => env?.teardown());
  beforeEach(() => truncateAll(db));

  async function submitCategorize(config: Config, userId: string, sessionId: string, params?: Record<string, unknown>) {
    return submitTask(
      { db, temporal: env.client, config, logger: testLogger },
      {
        userId,
        taskName: 'bulk_categorize_async',
        params: params ?? { session_id: sessionId, rules: RULES, only_uncategorized: false },
        input: { sessionId, chunkRows: config.rules.chunkRows },
      },
    );
  }

  async function worker(config: Config, override: (acts: ReturnType<typeof createActivities>) => Record<string, unknown> = () => ({})) {
    const acts = createActivities({ db, config });
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bulk_operations',
      workflowBundle: await getWorkflowBundle(),
      activities: { ...acts, ...override(acts) },
    });
  }

  /** Activity attempts as history records them (the last attempt of each), with server times in seconds. */
  async function activityStarts(taskId: string) {
    const events = (await env.client.workflow.getHandle(taskId).fetchHistory()).events ?? [];
    const byId = new Map(events.map((e) => [String(e.eventId), e]));
    return events
      .filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => {
        const scheduled = byId.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId));
        return {
          type: scheduled?.activityTaskScheduledEventAttributes?.activityType?.name,
          attempt: e.activityTaskStartedEventAttributes!.attempt,
          scheduledAt: Number(scheduled?.eventTime?.seconds ?? 0),
          startedAt: Number(e.eventTime?.seconds ?? 0),
        };
      });
  }

  const row = (taskId: string) => db('task_status').where({ task_id: taskId }).first();
  const categories = async (sessionId: string) =>
    (await db('transactions').where({ session_id: sessionId }).orderBy('seq').select('category')).map((r) => r.category);

  it('retries a failing chunk with exponential backoff, then succeeds', async () => {
    const config = testConfig({ CATEGORIZE_CHUNK_ROWS: '100' });
    const sessionId = await seedSession(db, 'u1', generatedRows(250));
    const attempts: number[] = [];
    const { taskId } = await submitCategorize(config, 'u1', sessionId);
    const w = await worker(config, (acts) => ({
      categorizeChunk: taskActivity(db, async (input: Parameters<typeof acts.categorizeChunk>[0]) => {
        attempts.push(activityInfo().attempt);
        if (input.seqFrom === 1 && activityInfo().attempt < 3) throw new Error('connection reset by peer');
        return acts.categorizeChunk(input);
      }),
    }));
    const result = await w.runUntil(env.client.workflow.getHandle(taskId).result());
    const retried = (await activityStarts(taskId)).find((a) => a.type === 'categorizeChunk' && a.attempt === 3);
    assert.ok(retried, 'the first chunk ran a third attempt');
    const skippedSeconds = retried.startedAt - retried.scheduledAt;

    assert.deepEqual(attempts.slice(0, 3), [1, 2, 3]);
    // 60 s, then 60 × 2 = 120 s of backoff were skipped, not waited.
    assert.ok(skippedSeconds >= 180, `skipped only ${skippedSeconds} s`);
    assert.equal(result.status, 'success');
    assert.equal(result.categorized_count, 100); // 50 salary + 50 fuel rows of 250
    const r = await row(taskId);
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.attempt, 3);
    assert.equal(r.progress_percent, 100);
    assert.deepEqual(r.result.by_category, { Salary: 50, Fuel: 50 });
    assert.ok(r.expires_at > r.completed_at);
  });

  it('fails at once, without retrying, on an input error, and leaves the data as it was', async () => {
    const config = testConfig();
    const sessionId = await seedSession(db, 'u1', generatedRows(10));
    // An invalid rule set stored in the row (the API would have refused it): the activity must refuse it too.
    const { taskId } = await submitCategorize(config, 'u1', sessionId, { rules: [{ category: '', conditions: {} }] });
    const w = await worker(config);
    await assert.rejects(w.runUntil(env.client.workflow.getHandle(taskId).result()), WorkflowFailedError);
    const started = (await activityStarts(taskId)).filter((a) => a.type === 'prepareCategorization');
    assert.deepEqual(started.map((a) => a.attempt), [1], 'one attempt, no retry');
    const r = await row(taskId);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error.code, 'INVALID_RULES');
    assert.ok(r.attempt <= 1);
    assert.deepEqual(await categories(sessionId), Array(10).fill(null));
  });

  it('stops work at the soft time limit, restores the data, and fails with SOFT_TIME_LIMIT', async () => {
    const config = testConfig({ SOFT_TIME_LIMIT_SECONDS: '3', HARD_TIME_LIMIT_SECONDS: '3600', CATEGORIZE_CHUNK_ROWS: '100' });
    const sessionId = await seedSession(db, 'u1', generatedRows(200));
    let sawCancel = false;
    const { taskId } = await submitCategorize(config, 'u1', sessionId);
    const w = await worker(config, (acts) => ({
      categorizeChunk: async (input: Parameters<typeof acts.categorizeChunk>[0]) => {
        const out = await acts.categorizeChunk(input);
        if (input.seqFrom > 1) {
          try {
            for (;;) {
              heartbeat();
              await activitySleep(200);
            }
          } catch (err) {
            sawCancel = true;
            throw err;
          }
        }
        return out;
      },
    }));
    const err = await w.runUntil(env.client.workflow.getHandle(taskId).result().catch((e) => e));
    assert.ok(err instanceof WorkflowFailedError);
    assert.equal((err.cause as { type?: string }).type, 'SOFT_TIME_LIMIT');
    assert.ok(sawCancel, 'the running activity was cancelled');
    const r = await row(taskId);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error.code, 'SOFT_TIME_LIMIT');
    // Chunk 1 had been applied; the cleanup put every category back.
    assert.deepEqual(await categories(sessionId), Array(200).fill(null));
    assert.equal(Number((await db('category_undo').count({ n: '*' }))[0].n), 0);
  });

  it('cancels mid-activity within seconds, cleans up, and ends CANCELLED; the progress query shows the live state', async () => {
    const config = testConfig({ CATEGORIZE_CHUNK_ROWS: '50' });
    // Some rows had categories before: a cancelled run must give exactly those back.
    const before = generatedRows(150).map((r, i) => ({ ...r, category: i % 7 === 0 ? 'Kept' : null }));
    const sessionId = await seedSession(db, 'u1', before);
    let blocked!: () => void;
    const reached = new Promise<void>((r) => (blocked = r));
    const { taskId } = await submitCategorize(config, 'u1', sessionId);
    const w = await worker(config, (acts) => ({
      categorizeChunk: async (input: Parameters<typeof acts.categorizeChunk>[0]) => {
        const out = await acts.categorizeChunk(input);
        if (input.seqFrom === 51) {
          blocked();
          for (;;) {
            heartbeat();
            await activitySleep(100);
          }
        }
        return out;
      },
    }));
    const handle = env.client.workflow.getHandle(taskId);
    await w.runUntil(async () => {
      await reached;
      const live = await handle.query(progressQuery);
      assert.equal(live.status, 'PROCESSING');
      assert.ok(live.percent > 5 && live.percent < 100, `percent ${live.percent}`);
      assert.match(live.message, /Categorized 50 of 150/);
      const view = await freshTask({ db, temporal: env.client, logger: silentLogger, resultTtlSeconds: 3600 }, 'u1', taskId);
      assert.equal(view.live?.status, 'PROCESSING');
      await handle.cancel();
      await assert.rejects(handle.result());
    });
    const r = await row(taskId);
    assert.equal(r.status, 'CANCELLED');
    assert.equal(r.error.code, 'CANCELLED');
    assert.deepEqual(await categories(sessionId), before.map((r) => r.category));
  });

  it('a cancel that arrives as a run is settling its success keeps the result: SUCCESS, and every category, earlier ones included, stays', async () => {
    const config = testConfig({ CATEGORIZE_CHUNK_ROWS: '50' });
    // Categories an earlier task set: a late cancel must not take them away.
    const before = generatedRows(120).map((r, i) => ({ ...r, category: i % 5 === 0 ? 'Earlier' : null }));
    const sessionId = await seedSession(db, 'u1', before);
    let reached!: () => void;
    const settling = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const { taskId } = await submitCategorize(config, 'u1', sessionId);
    const w = await worker(config, (acts) => ({
      // The undo set is forgotten, then the activity waits for the test to cancel: the
      // window in which a cancel once turned a finished run into a restore from nothing.
      settleCategorization: async (input: Parameters<typeof acts.settleCategorization>[0]) => {
        await acts.settleCategorization(input);
        if (!input.restore) {
          reached();
          await released;
        }
      },
    }));
    const handle = env.client.workflow.getHandle(taskId);
    await w.runUntil(async () => {
      await settling;
      await handle.cancel();
      release();
      await handle.result();
    });
    const r = await row(taskId);
    assert.equal(r.status, 'SUCCESS');
    const after = await categories(sessionId);
    before.forEach((b, i) => {
      if (b.category) assert.ok(after[i] !== null, `row ${i} lost the category it had before the task`);
    });
    assert.ok(after.filter((c) => c !== null).length > before.filter((b) => b.category).length, 'the rules were applied');
    assert.equal(Number((await db('category_undo').count({ n: '*' }))[0].n), 0);
  });

  it('never restores from an undo set that was not recorded: the categories stay as they are', async () => {
    const rows = generatedRows(30).map((r, i) => ({ ...r, category: i % 3 === 0 ? 'Earlier' : null }));
    const sessionId = await seedSession(db, 'u1', rows);
    const acts = createActivities({ db, config: testConfig() });
    await acts.settleCategorization({ taskId: randomUUID(), sessionId, restore: true });
    assert.deepEqual(await categories(sessionId), rows.map((r) => r.category));
  });

  it('reconciles a workflow that hit the hard limit without mirroring itself', async () => {
    const config = testConfig();
    const sessionId = await seedSession(db, 'u1', generatedRows(5));
    // The row as the API writes it, and a workflow with a 2 s execution timeout that no worker polls.
    const taskId = randomUUID();
    await db('task_status').insert({ task_id: taskId, user_id: 'u1', task_name: 'bulk_categorize_async', queue: 'bulk_operations', status: 'PENDING' });
    const handle = await env.client.workflow.start('bulkCategorize', {
      taskQueue: 'nobody-polls-this',
      workflowId: taskId,
      workflowExecutionTimeout: '2s',
      args: [{ taskId, userId: 'u1', taskName: 'bulk_categorize_async', settings: taskSettingsFrom(config), sessionId, chunkRows: 10 }],
    });
    for (let i = 0; i < 100 && (await handle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal((await handle.describe()).status.name, 'TIMED_OUT');
    assert.equal((await row(taskId)).status, 'PENDING');
    const view = await freshTask({ db, temporal: env.client, logger: silentLogger, resultTtlSeconds: 3600 }, 'u1', taskId);
    assert.equal(view.row.status, 'FAILED');
    assert.equal(view.row.error?.code, 'HARD_TIME_LIMIT');
    assert.ok(view.row.completed_at);
  });

  it('answers a missing task, and another user\'s task, in exactly the same way', async () => {
    const config = testConfig();
    const sessionId = await seedSession(db, 'owner', generatedRows(3));
    const { taskId } = await submitCategorize(config, 'owner', sessionId);
    const deps = { db, temporal: env.client, logger: silentLogger, resultTtlSeconds: 3600 };
    const other = await freshTask(deps, 'intruder', taskId).catch((e) => e);
    const missing = await freshTask(deps, 'intruder', randomUUID()).catch((e) => e);
    assert.equal(other.status, 404);
    assert.deepEqual([other.code, other.message], [missing.code, missing.message]);
    await env.client.workflow.getHandle(taskId).terminate('test cleanup');
  });
});
