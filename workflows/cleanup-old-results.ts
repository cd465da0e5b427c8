/**
 * cleanupOldResults (the 02:00 schedule, or `npm run cleanup`): every retention step in
 * batches, with progress, counts per kind, and a dry-run mode that only counts. The run
 * is recorded in task_status like any task (user "system").
 */
import { ApplicationFailure, patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { createCleanupOldResultsActivities } from '../activities/cleanup-old-results';
import type { createSystemTaskActivities } from '../activities/task-mirror';
import { CLEANUP_STEPS, type CleanupInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type CleanupActivities = ReturnType<typeof createCleanupOldResultsActivities> & ReturnType<typeof createSystemTaskActivities>;

/** Bounds one run even if a step keeps finding work (e.g. a flood of new rows). */
const MAX_BATCHES_PER_STEP = 10_000;

/**
 * The old_sessions step came after the others: a run begun without it (its history has no
 * marker for this patch) finishes with the steps it began with, so its replay matches.
 */
const OLD_SESSIONS_STEP = 'cleanup-old-sessions';
/** The upload_secrets step came later still, behind its own marker for the same reason. */
const UPLOAD_SECRETS_STEP = 'cleanup-upload-secrets';

export async function cleanupOldResults(input: CleanupInput) {
  // Workflow code cannot read configuration: a start without settings is a starter's bug.
  const settings = input?.settings;
  if (!settings) throw ApplicationFailure.nonRetryable('cleanupOldResults needs the task settings in its input', 'INVALID_INPUT');
  const acts = proxyActivities<CleanupActivities>(activityOptions(settings));
  // Decided once, before the first command, so every later step of the run agrees with it.
  const steps = CLEANUP_STEPS.filter(
    (step) => (step !== 'old_sessions' || patched(OLD_SESSIONS_STEP)) && (step !== 'upload_secrets' || patched(UPLOAD_SECRETS_STEP)),
  );
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
      for (const [i, step] of steps.entries()) {
        let offset = 0;
        counts[step] = 0;
        for (let batch = 0; batch < MAX_BATCHES_PER_STEP; batch++) {
          const out = await acts.cleanupBatch({ step, policy, offset });
          counts[step] += out.affected;
          // Candidates left in place (dry run, still-running workflows) are paged past.
          offset += policy.dryRun ? out.scanned : out.scanned - out.affected;
          if (out.scanned < policy.batchSize) break;
          await run.progress(5 + (90 * i) / steps.length, `${step.replace(/_/g, ' ')}: ${counts[step]} so far`);
        }
        await run.progress(5 + (90 * (i + 1)) / steps.length, `${step.replace(/_/g, ' ')}: ${counts[step]}`);
      }
      return { status: 'success' as const, dry_run: policy.dryRun, now: policy.now, counts };
    },
    { cleanup: async () => undefined },
  );
}
