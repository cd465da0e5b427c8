/**
 * cleanupOldResults (the 02:00 schedule, or `npm run cleanup`): every retention step in
 * batches, with progress, counts per kind, and a dry-run mode that only counts. The run
 * is recorded in task_status like any task (user "system").
 */
import { proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { createCleanupActivities, CleanupStep } from '../activities/cleanup-old-results';
import type { createSystemTaskActivities } from '../activities/task-mirror';
import type { CleanupInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type CleanupActivities = ReturnType<typeof createCleanupActivities> & ReturnType<typeof createSystemTaskActivities>;

const STEPS: CleanupStep[] = ['expired_results', 'report_files', 'upload_files', 'work_files', 'old_tasks', 'unmirrored_tasks'];
/** Bounds one run even if a step keeps finding work (e.g. a flood of new rows). */
const MAX_BATCHES_PER_STEP = 10_000;

const DEFAULT_SETTINGS = {
  retry: { maximumAttempts: 4, initialIntervalMs: 60_000, backoffCoefficient: 2, maximumIntervalMs: 600_000 },
  softTimeLimitMs: 25 * 60_000,
  activityStartToCloseMs: 10 * 60_000,
  heartbeatTimeoutMs: 60_000,
  progressMirrorIntervalMs: 500,
  resultTtlSeconds: 3600,
};

export async function cleanupOldResults(input: CleanupInput = {}) {
  const settings = input.settings ?? DEFAULT_SETTINGS;
  const acts = proxyActivities<CleanupActivities>(activityOptions(settings));
  const taskId = uuid4();
  await acts.recordSystemTask({
    taskId,
    taskName: 'cleanup_old_results',
    queue: workflowInfo().taskQueue,
    params: { dry_run: Boolean(input.dryRun), workflow_id: workflowInfo().workflowId },
  });
  const run = new TaskRun({ taskId, settings });

  return run.run(
    async () => {
      const policy = await acts.cleanupPolicy({ dryRun: Boolean(input.dryRun), now: input.now });
      const counts: Record<string, number> = {};
      for (const [i, step] of STEPS.entries()) {
        let offset = 0;
        counts[step] = 0;
        for (let batch = 0; batch < MAX_BATCHES_PER_STEP; batch++) {
          const out = await acts.cleanupBatch({ step, policy, offset });
          counts[step] += out.affected;
          // Candidates left in place (dry run, still-running workflows) are paged past.
          offset += policy.dryRun ? out.scanned : out.scanned - out.affected;
          if (out.scanned < policy.batchSize) break;
          await run.progress(5 + (90 * i) / STEPS.length, `${step.replace(/_/g, ' ')}: ${counts[step]} so far`);
        }
        await run.progress(5 + (90 * (i + 1)) / STEPS.length, `${step.replace(/_/g, ' ')}: ${counts[step]}`);
      }
      return { status: 'success' as const, dry_run: policy.dryRun, now: policy.now, counts };
    },
    { cleanup: async () => undefined },
  );
}
