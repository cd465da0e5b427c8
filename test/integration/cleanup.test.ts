/**
 * Retention: the cleanupOldResults workflow on the time-skipping server with data of every
 * age (only what is past retention goes; a second run removes nothing more; a dry run only
 * counts), and the 02:00 schedule on the dev server (created once by concurrent starters,
 * spec and zone as configured, updated on change, a trigger running to completion).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { FileStore } from '../../db/files';
import { taskSettingsFrom } from '../../platform/task-settings';
import { ensureCleanupSchedule } from '../../worker/cleanup-schedule';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection, getTimeSkippingEnv, getWorkflowBundle } from '../support/temporal';
import { generatedRows, seedSession, testConfig } from '../support/fixtures';

const NOW = new Date('2026-06-15T02:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

async function seedAges(db: Knex) {
  const files = new FileStore(db);
  const task = (status: string, createdDaysAgo: number, extra: Record<string, unknown> = {}) => ({
    task_id: randomUUID(),
    user_id: 'u1',
    task_name: 'generate_report_async',
    queue: 'reports',
    status,
    created_at: daysAgo(createdDaysAgo),
    updated_at: daysAgo(createdDaysAgo),
    ...extra,
  });
  const rows = [
    task('SUCCESS', 40, { result: JSON.stringify({ ok: 1 }), expires_at: daysAgo(39.9) }), // old task: deleted
    task('FAILED', 31), // old task: deleted
    task('SUCCESS', 2, { result: JSON.stringify({ ok: 2 }), expires_at: daysAgo(1.9) }), // result expired: cleared
    task('SUCCESS', 0.01, { result: JSON.stringify({ ok: 3 }), expires_at: new Date(NOW.getTime() + 3600_000) }), // fresh: kept
    task('PROCESSING', 29), // open, not old enough for anything but reconciliation (no workflow → lost)
  ];
  await db('task_status').insert(rows);
  const put = async (kind: 'report' | 'upload' | 'work', ageDays: number) => {
    const key = `${kind === 'report' ? 'reports' : kind === 'upload' ? 'uploads' : 'work'}/${randomUUID()}/f.bin`;
    await files.put({ fileKey: key, userId: 'u1', kind, filename: 'f.bin', contentType: 'application/octet-stream' }, Buffer.from(kind));
    await db('stored_files').where({ file_key: key }).update({ created_at: daysAgo(ageDays) });
    return key;
  };
  const keys = {
    oldReport: await put('report', 8),
    newReport: await put('report', 6),
    oldUpload: await put('upload', 7.5),
    newUpload: await put('upload', 1),
    oldWork: await put('work', 2),
  };
  return { rows, keys };
}

/**
 * Sessions of every age and state for the old_sessions step (retention 30 days). Their
 * files and task rows are a day old, inside every other step's retention, so only
 * old_sessions removes them.
 */
async function seedSessionAges(db: Knex) {
  const files = new FileStore(db);
  const put = async (key: string, kind: 'upload' | 'report', userId: string) => {
    await files.put({ fileKey: key, userId, kind, filename: key.split('/').pop() as string, contentType: 'application/octet-stream' }, Buffer.from(key));
    await db('stored_files').where({ file_key: key }).update({ created_at: daysAgo(1) });
    return key;
  };
  const task = (taskName: string, status: string, extra: Record<string, unknown>) => ({
    task_id: randomUUID(),
    user_id: 'u1',
    task_name: taskName,
    queue: 'reports',
    status,
    created_at: daysAgo(1),
    // Written "now": an open row that is not quiet, so reconciliation leaves it alone.
    updated_at: NOW,
    ...extra,
  });
  const parseTaskId = randomUUID();
  const uploadKey = `uploads/${parseTaskId}/s.pdf`;
  const ids = {
    oldReady: await seedSession(db, 'u1', generatedRows(3), { created_at: daysAgo(40), task_id: parseTaskId, file_key: uploadKey }),
    oldFailed: await seedSession(db, 'u2', [], { status: 'FAILED', created_at: daysAgo(31) }),
    oldBusy: await seedSession(db, 'u1', generatedRows(2), { created_at: daysAgo(45) }),
    oldParsing: await seedSession(db, 'u1', [], { status: 'PARSING', created_at: daysAgo(40) }),
    fresh: await seedSession(db, 'u1', generatedRows(2), { created_at: daysAgo(29) }),
  };
  await put(uploadKey, 'upload', 'u1');
  const oldReport = await put(`reports/${ids.oldReady}/report_20260501_120000.csv`, 'report', 'u1');
  await put(`reports/${ids.oldReady}/report_20260502_120000.xlsx`, 'report', 'u1');
  const freshReport = await put(`reports/${ids.fresh}/report_20260610_120000.csv`, 'report', 'u1');
  await db('category_undo').insert({ task_id: randomUUID(), session_id: ids.oldReady, seq: 1, old_category: null });
  const report = task('generate_report_async', 'SUCCESS', {
    params: JSON.stringify({ session_id: ids.oldReady }),
    result: JSON.stringify({ status: 'success', file_key: oldReport }),
    file_key: oldReport,
  });
  const busy = task('bulk_categorize_async', 'PROCESSING', { params: JSON.stringify({ session_id: ids.oldBusy }) });
  await db('task_status').insert([report, busy]);
  return { ids, keys: { freshReport }, reportTaskId: report.task_id, busyTaskId: busy.task_id };
}

describe('retention and the 02:00 cleanup', function () {
  this.timeout(120_000);
  let db: Knex;

  before(async () => {
    db = await getTestDb();
  });
  beforeEach(() => truncateAll(db));

  describe('cleanupOldResults workflow (time-skipping)', () => {
    let env: TestWorkflowEnvironment;
    before(async () => {
      env = await getTimeSkippingEnv();
    });

    async function runCleanup(dryRun: boolean, config = testConfig(), workflowId = `cleanup-test-${randomUUID()}`) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'default',
        workflowBundle: await getWorkflowBundle(),
        activities: createActivities({ db, config }),
      });
      return worker.runUntil(
        env.client.workflow.execute('cleanupOldResults', {
          taskQueue: 'default',
          workflowId,
          args: [{ dryRun, now: NOW.toISOString(), settings: taskSettingsFrom(config) }],
        }),
      );
    }

    it('removes only what is past retention, records what it did, and a second run removes nothing more', async () => {
      const { rows, keys } = await seedAges(db);
      const dry = await runCleanup(true);
      assert.equal(dry.dry_run, true);
      assert.deepEqual(
        { ...dry.counts, unmirrored_tasks: undefined },
        { expired_results: 2, report_files: 1, upload_files: 1, work_files: 1, old_tasks: 2, unmirrored_tasks: undefined, old_sessions: 0, upload_secrets: 0 },
      );
      // The dry run removed nothing.
      assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 5);

      const first = await runCleanup(false);
      assert.equal(first.counts.expired_results, 2);
      assert.equal(first.counts.report_files, 1);
      assert.equal(first.counts.upload_files, 1);
      assert.equal(first.counts.work_files, 1);
      assert.equal(first.counts.old_tasks, 2);
      assert.equal(first.counts.unmirrored_tasks, 1); // the PROCESSING row with no workflow: lost

      const remainingFiles = (await db('stored_files').select('file_key')).map((r) => r.file_key).sort();
      assert.deepEqual(remainingFiles, [keys.newReport, keys.newUpload].sort());
      const byId = new Map((await db('task_status').where({ user_id: 'u1' })).map((r) => [r.task_id, r]));
      assert.ok(!byId.has(rows[0].task_id) && !byId.has(rows[1].task_id), 'old tasks deleted');
      assert.equal(byId.get(rows[2].task_id).result, null, 'expired result cleared, row kept');
      assert.deepEqual(byId.get(rows[3].task_id).result, { ok: 3 }, 'fresh result kept');
      assert.equal(byId.get(rows[4].task_id).status, 'FAILED');
      assert.equal(byId.get(rows[4].task_id).error.code, 'SUBMISSION_LOST');

      // Each run (the dry one and this one) is recorded like any task, with what it did.
      const recorded = await db('task_status').where({ user_id: 'system', task_name: 'cleanup_old_results', status: 'SUCCESS' });
      assert.equal(recorded.length, 2);
      assert.ok(recorded.some((r) => r.result.dry_run === false && r.result.counts.old_tasks === 2));

      const second = await runCleanup(false);
      assert.deepEqual(Object.values(second.counts), [0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it('deletes old finished sessions with their files and reports only when SESSION_RETENTION_DAYS is set, in batches, counting in a dry run', async () => {
      const s = await seedSessionAges(db);
      const all = Object.values(s.ids).sort();
      const sessionIds = async () => (await db('sessions').select('id')).map((r) => r.id).sort();

      // Off by default: the step runs and deletes nothing.
      const off = await runCleanup(false);
      assert.equal(off.counts.old_sessions, 0);
      assert.deepEqual(await sessionIds(), all);

      // Batches of 2 over 3 old finished sessions, one of them with a task running on it.
      const retention = testConfig({ SESSION_RETENTION_DAYS: '30', CLEANUP_BATCH_SIZE: '2' });
      const dry = await runCleanup(true, retention);
      assert.equal(dry.counts.old_sessions, 2);
      assert.deepEqual(await sessionIds(), all, 'a dry run only counts');
      assert.equal(Number((await db('stored_files').count({ n: '*' }))[0].n), 4);

      const real = await runCleanup(false, retention);
      assert.equal(real.counts.old_sessions, 2);
      assert.deepEqual(await sessionIds(), [s.ids.oldBusy, s.ids.oldParsing, s.ids.fresh].sort());
      for (const id of [s.ids.oldReady, s.ids.oldFailed]) {
        assert.equal(Number((await db('transactions').where({ session_id: id }).count({ n: '*' }))[0].n), 0);
      }
      assert.equal(Number((await db('category_undo').count({ n: '*' }))[0].n), 0);
      assert.deepEqual((await db('stored_files').select('file_key')).map((r) => r.file_key), [s.keys.freshReport]);
      // The report's task keeps its row, without the result that named the deleted file.
      const reportTask = await db('task_status').where({ task_id: s.reportTaskId }).first();
      assert.equal(reportTask.status, 'SUCCESS');
      assert.equal(reportTask.result, null);
      assert.equal(reportTask.file_key, null);
      assert.ok(reportTask.result_cleared_at);
      assert.equal((await db('task_status').where({ task_id: s.busyTaskId }).first()).status, 'PROCESSING');

      const again = await runCleanup(false, retention);
      assert.equal(again.counts.old_sessions, 0);
    });

    it('replays a run recorded with the old_sessions step', async () => {
      // Runs recorded before the step existed are in test/fixtures/histories (replay.test.ts);
      // this is a run of today's code, which records the step's patch marker.
      const workflowId = `cleanup-replay-${randomUUID()}`;
      await runCleanup(false, testConfig({ SESSION_RETENTION_DAYS: '30' }), workflowId);
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      assert.ok(history.events?.some((e) => e.markerRecordedEventAttributes), 'the run records its patch marker');
      await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, workflowId);
    });
  });

  describe('the cleanup schedule (dev server)', () => {
    it('is created exactly once by concurrent starters, with the configured cron and zone, and updated on change', async () => {
      const { client } = await getDevServer();
      const scheduleId = `cleanup-test-${randomUUID()}`;
      const config = testConfig({ CLEANUP_SCHEDULE_ID: scheduleId, CLEANUP_TIMEZONE: 'Africa/Johannesburg' });
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => ensureCleanupSchedule(client, config)));
      assert.equal(outcomes.filter((o) => o === 'created').length, 1);
      const handle = client.schedule.getHandle(scheduleId);
      let d = await handle.describe();
      assert.equal(d.spec.timezone, 'Africa/Johannesburg');
      const cal = d.spec.calendars?.[0];
      assert.deepEqual([cal?.hour, cal?.minute], [[{ start: 2, end: 2, step: 1 }], [{ start: 0, end: 0, step: 1 }]]);
      assert.equal(d.policies.overlap, 'SKIP');
      assert.equal(d.action.type, 'startWorkflow');
      if (d.action.type === 'startWorkflow') {
        assert.equal(d.action.workflowType, 'cleanupOldResults');
        assert.equal(d.action.taskQueue, 'default');
      }
      let matches = 0;
      for await (const s of client.schedule.list()) if (s.scheduleId === scheduleId) matches++;
      assert.equal(matches, 1);

      await ensureCleanupSchedule(client, testConfig({ CLEANUP_SCHEDULE_ID: scheduleId, CLEANUP_CRON: '30 3 * * *', CLEANUP_TIMEZONE: 'UTC' }));
      d = await handle.describe();
      assert.equal(d.spec.timezone, 'UTC');
      assert.deepEqual(d.spec.calendars?.[0]?.hour, [{ start: 3, end: 3, step: 1 }]);
      await handle.delete();
    });

    it('runs the workflow to completion when triggered', async () => {
      const { client } = await getDevServer();
      const scheduleId = `cleanup-trigger-${randomUUID()}`;
      const config = testConfig({ CLEANUP_SCHEDULE_ID: scheduleId });
      await ensureCleanupSchedule(client, config);
      const handle = client.schedule.getHandle(scheduleId);
      const worker = await Worker.create({
        connection: await getDevServerNativeConnection(),
        namespace: 'default',
        taskQueue: 'default',
        workflowBundle: await getWorkflowBundle(),
        activities: createActivities({ db, config }),
      });
      const result = await worker.runUntil(async () => {
        await handle.trigger();
        let workflowId: string | undefined;
        for (let i = 0; i < 100 && !workflowId; i++) {
          const info = (await handle.describe()).info;
          workflowId = info.runningActions[0]?.workflow.workflowId ?? info.recentActions[0]?.action.workflow.workflowId;
          if (!workflowId) await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(workflowId, 'the trigger started a run');
        return client.workflow.getHandle(workflowId).result();
      });
      assert.equal(result.status, 'success');
      assert.equal(result.dry_run, false);
      await handle.delete();
    });
  });
});
