/**
 * `npm run cleanup [-- --dry-run]`: run the cleanup now. Without --dry-run it triggers the
 * schedule (so the run shows under the schedule in the Web UI); a dry run starts the same
 * workflow directly with dryRun set. Waits for the outcome and prints the counts.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig, onConfigError, requireInfrastructure } from '../platform/config';
import { withRunningEmbeddedInfra } from '../devenv/running-infra';
import { connectTemporal } from '../platform/temporal-client';
import { TASK_TYPES, type CleanupInput } from '../contract/tasks';
import { taskSettingsFrom } from '../platform/task-settings';
import { ensureCleanupSchedule } from '../worker/cleanup-schedule';

async function main() {
  const dryRun = process.argv.includes('--dry-run');
  const unknown = process.argv.slice(2).filter((a) => a !== '--dry-run');
  if (unknown.length) {
    process.stderr.write(`usage: npm run cleanup [-- --dry-run]   (unknown: ${unknown.join(' ')})\n`);
    process.exit(2);
  }
  const config = onConfigError(
    () => {
      const found = withRunningEmbeddedInfra(loadConfig(), { temporal: true }, (m) => process.stderr.write(`${m}\n`));
      return requireInfrastructure(found, 'npm run cleanup', { temporal: true }, true);
    },
    (line) => {
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  );
  const client = await connectTemporal(config.temporalAddress, config.temporalNamespace);
  try {
    let workflowId: string;
    if (dryRun) {
      const input: CleanupInput = { dryRun: true, settings: taskSettingsFrom(config) };
      workflowId = `cleanup-dry-run-${randomUUID()}`;
      await client.workflow.start(TASK_TYPES.cleanup_old_results.workflowType, {
        workflowId,
        taskQueue: TASK_TYPES.cleanup_old_results.queue,
        args: [input],
      });
    } else {
      await ensureCleanupSchedule(client, config);
      const handle = client.schedule.getHandle(config.cleanup.scheduleId);
      const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
      await handle.trigger();
      workflowId = await waitForNewRun(async () => (await handle.describe()).info, before);
    }
    process.stdout.write(`cleanup ${dryRun ? '(dry run) ' : ''}running as workflow ${workflowId}\n`);
    const result = await client.workflow.getHandle(workflowId).result();
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await client.connection.close();
  }
}

async function waitForNewRun(
  describe: () => Promise<{ recentActions: { action: { workflow: { workflowId: string } } }[]; runningActions: { workflow: { workflowId: string } }[] }>,
  before: Set<string>,
): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const info = await describe();
    const ids = [...info.runningActions.map((a) => a.workflow.workflowId), ...info.recentActions.map((a) => a.action.workflow.workflowId)];
    const fresh = ids.find((id) => !before.has(id));
    if (fresh) return fresh;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the schedule was triggered but no run appeared within 20 s (is a worker polling the default queue?)');
}

main().catch((err) => {
  process.stderr.write(`statementflow cleanup: ${(err as Error).message}\n`);
  process.exit(1);
});
