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
import { testConfig } from '../support/fixtures';

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

    async function runCleanup(dryRun: boolean) {
      const config = testConfig();
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'default',
        workflowBundle: await getWorkflowBundle(),
        activities: createActivities({ db, config }),
      });
      return worker.runUntil(
        env.client.workflow.execute('cleanupOldResults', {
          taskQueue: 'default',
          workflowId: `cleanup-test-${randomUUID()}`,
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
        { expired_results: 2, report_files: 1, upload_files: 1, work_files: 1, old_tasks: 2, unmirrored_tasks: undefined },
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
      assert.deepEqual(Object.values(second.counts), [0, 0, 0, 0, 0, 0]);
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
