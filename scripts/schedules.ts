/** `npm run schedules`: create or update the cleanup schedule from configuration, and show it. */
import { loadConfigOrExit, requireInfrastructure } from '../platform/config';
import { withRunningEmbeddedInfra } from '../devenv/running-infra';
import { connectTemporal } from '../platform/temporal-client';
import { ensureCleanupSchedule } from '../worker/cleanup-schedule';

async function main() {
  const config = withRunningEmbeddedInfra(loadConfigOrExit(), { temporal: true }, (m) => process.stderr.write(`${m}\n`));
  requireInfrastructure(config, 'npm run schedules', { temporal: true }, true);
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
