/** `npm run schedules`: create or update the cleanup schedule from configuration, and show it. */
import { loadConfig, onConfigError, requireInfrastructure } from '../platform/config';
import { withRunningEmbeddedInfra } from '../devenv/running-infra';
import { connectTemporal } from '../platform/temporal-client';
import { ensureCleanupSchedule } from '../worker/cleanup-schedule';

async function main() {
  const config = onConfigError(
    () => {
      const found = withRunningEmbeddedInfra(loadConfig(), { temporal: true }, (m) => process.stderr.write(`${m}\n`));
      return requireInfrastructure(found, 'npm run schedules', { temporal: true }, true);
    },
    (line) => {
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  );
  const client = await connectTemporal(config.temporalAddress, config.temporalNamespace);
  try {
    const outcome = await ensureCleanupSchedule(client, config);
    const d = await client.schedule.getHandle(config.cleanup.scheduleId).describe();
    const next = d.info.nextActionTimes[0];
    process.stdout.write(
      `schedule ${config.cleanup.scheduleId} ${outcome}: cron "${config.cleanup.cron}" in ${config.cleanup.timezone}` +
        `${next ? `, next run ${next.toISOString()}` : ''}${d.state.paused ? ' (paused)' : ''}\n`,
    );
  } finally {
    await client.connection.close();
  }
}

main().catch((err) => {
  process.stderr.write(`statementflow schedules: ${(err as Error).message}\n`);
  process.exit(1);
});
