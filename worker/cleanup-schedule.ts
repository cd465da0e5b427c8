/**
 * The 02:00 cleanup as a Temporal Schedule (celery beat's replacement). Created or updated
 * idempotently by every worker at start and by `npm run schedules`: when many start at
 * once, one create wins and the others update it to the same spec, so there is exactly one
 * schedule, and a changed configuration updates it.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../platform/config';
import { TASK_TYPES, type CleanupInput } from '../contract/tasks';
import { taskSettingsFrom } from '../platform/task-settings';

/** Missed runs (server down at 02:00) are still taken if the server is back within this window. */
export const CATCHUP_WINDOW = '6h';

export function cleanupScheduleOptions(config: Config): ScheduleOptions {
  const { workflowType, queue } = TASK_TYPES.cleanup_old_results;
  const input: CleanupInput = { dryRun: false, settings: taskSettingsFrom(config) };
  return {
    scheduleId: config.cleanup.scheduleId,
    spec: { cronExpressions: [config.cleanup.cron], timezone: config.cleanup.timezone },
    action: {
      type: 'startWorkflow',
      workflowType,
      taskQueue: queue,
      args: [input],
      workflowExecutionTimeout: config.hardTimeLimitSeconds * 1000,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
    memo: { purpose: 'Deletes expired results, old files and old task rows; reconciles unmirrored tasks' },
  };
}

export async function ensureCleanupSchedule(client: Client, config: Config): Promise<'created' | 'updated'> {
  const options = cleanupScheduleOptions(config);
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return 'updated';
}
