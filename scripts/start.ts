/**
 * `npm start`: the whole service on embedded defaults, in one process tree — embedded
 * Postgres, the Temporal dev server with its Web UI, the migrations, one worker polling
 * all four queues, the cleanup schedule, and the API. Ctrl-C or SIGTERM stops everything,
 * leaving no server process behind; the next start resumes on the same DATA_DIR.
 */
import { loadConfig, onConfigError } from '../platform/config';
import { onStopSignal } from '../platform/stop-signals';
import { createDb, migrateLatest } from '../db/knex';
import { createLogger } from '../platform/logger';
import { describeError, startEmbeddedInfra } from '../devenv';
import { startApi } from '../api/main';
import { startWorker } from '../worker/main';
import { ensureCleanupSchedule } from '../worker/cleanup-schedule';
import { connectTemporal } from '../platform/temporal-client';
import { installWorkerTelemetry } from '../worker/telemetry';

async function main(): Promise<void> {
  const base = onConfigError(loadConfig, (line) => {
    process.stderr.write(`${line}\n`);
    process.exit(1);
  });
  const logger = createLogger(base.logLevel, { service: 'statementflow' });
  // JSON logs from the SDK, workflows and activities; the SDK's metrics on WORKER_METRICS_PORT.
  installWorkerTelemetry({ logger: logger.child({ service: 'worker' }), metricsPort: base.worker.metricsPort, metricsHost: base.worker.metricsHost });
  process.stdout.write('Starting Statementflow (embedded Postgres and Temporal on first run can take a minute)...\n');

  const infra = await startEmbeddedInfra(base, {
    onServerLog: (source, line) => logger.warn('server log', { source, line }),
    onNotice: (message) => process.stdout.write(`${message}\n`),
  });
  // The token endpoint is for the person at this machine, so only this command turns it on.
  const config = { ...base, databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, devTokenEndpoint: !base.isProduction };
  const cleanupTasks: Array<() => Promise<void>> = [() => infra.stop()];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Statementflow...\n');
    for (const fn of cleanupTasks.reverse()) await fn().catch((e) => logger.error('stop failed', { error: String(e) }));
    process.stdout.write('Stopped.\n');
    process.exit(code);
  };
  onStopSignal(() => void stopAll(0));
  void infra.died.then((reason) => {
    logger.error('an embedded server stopped unexpectedly', { reason });
    void stopAll(1);
  });

  try {
    const db = createDb(config.databaseUrl);
    const applied = await migrateLatest(db).finally(() => db.destroy());
    if (applied.length) logger.info('migrations applied', { migrations: applied });

    const worker = await startWorker(
      config,
      {
        queues: ['pdf_processing', 'bulk_operations', 'reports', 'default'],
        concurrency: config.worker.concurrency,
        workflowConcurrency: config.worker.workflowConcurrency,
        cacheSize: config.worker.cacheSize,
        shutdownGraceSeconds: config.worker.shutdownGraceSeconds,
      },
      logger.child({ service: 'worker' }),
    );
    cleanupTasks.push(() => worker.shutdown());

    const client = await connectTemporal(config.temporalAddress, config.temporalNamespace);
    await ensureCleanupSchedule(client, config);
    await client.connection.close();

    const api = await startApi(config, logger.child({ service: 'api' }));
    cleanupTasks.push(() => api.close());

    const apiUrl = `http://localhost:${config.port}`;
    process.stdout.write(
      [
        '',
        'Statementflow is running.',
        `  Web page:       ${apiUrl}/   (API reference: ${apiUrl}/docs)`,
        `  API:            ${apiUrl}   (health: ${apiUrl}/healthz)`,
        `  Temporal:       ${config.temporalAddress}   namespace ${config.temporalNamespace}`,
        infra.webUiUrl ? `  Temporal Web UI: ${infra.webUiUrl}` : '',
        `  Postgres:       ${config.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
        `  Data:           ${config.dataDir}`,
        '',
        'Get a development token:  npm run token -- <user-id>',
        `Then:  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/tasks`,
        config.jwtSecretIsDefault ? 'WARNING: JWT_SECRET is not set; the development secret is in use.' : '',
        'Press Ctrl-C to stop.',
        '',
      ]
        .filter((l) => l !== '')
        .join('\n') + '\n',
    );
  } catch (err) {
    process.stderr.write(`statementflow: ${describeError(err)}\n`);
    await stopAll(1);
  }
}

main().catch((err) => {
  process.stderr.write(`statementflow: ${describeError(err)}\n`);
  process.exit(1);
});
