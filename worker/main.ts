/**
 * The worker entry point (`npm run worker -- --queues=… --concurrency=…`). SIGTERM or
 * Ctrl-C stops polling, lets running activities finish within the grace period, and
 * exits; nothing is lost, because Temporal hands unfinished work to the next worker.
 */
import os from 'node:os';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, onConfigError, requireInfrastructure, type Config } from '../platform/config';
import { onStopSignal } from '../platform/stop-signals';
import { createDb, migrateLatest } from '../db/knex';
import { createLogger, type Logger } from '../platform/logger';
import { parseWorkerArgs, UsageError, WORKER_HELP } from './cli';
import { createWorkers, type WorkerSettings } from './create-workers';
import { workflowSource } from './workflow-source';
import { ensureCleanupSchedule } from './cleanup-schedule';
import { connectTemporal } from '../platform/temporal-client';
import { installWorkerTelemetry } from './telemetry';
import { warmUpStatementReading } from './warm-up';

export interface RunningWorker {
  workers: Worker[];
  done: Promise<void>;
  shutdown: () => Promise<void>;
}

export async function startWorker(config: Config, settings: WorkerSettings, logger: Logger): Promise<RunningWorker> {
  const db = createDb(config.databaseUrl, Math.max(10, settings.concurrency * settings.queues.length + 2));
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporalAddress });
  } catch (err) {
    await db.destroy();
    throw new Error(`cannot reach Temporal at ${config.temporalAddress}: ${(err as Error).message.split('\n')[0]}`);
  }
  const workers = await createWorkers({
    connection,
    namespace: config.temporalNamespace,
    db,
    config,
    settings: { ...settings, identity: settings.identity ?? `${os.hostname()}-${process.pid}` },
    workflows: await workflowSource(),
  });
  // Before polling: a statement that arrived meanwhile would wait behind it all the same.
  if (config.pdf.warmUp && settings.queues.includes('pdf_processing')) await warmUpStatementReading(logger);
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    await connection.close();
    await db.destroy();
  });
  logger.info('worker polling', {
    queues: settings.queues,
    concurrency: settings.concurrency,
    workflow_concurrency: settings.workflowConcurrency,
    identity: settings.identity ?? `${os.hostname()}-${process.pid}`,
  });
  return {
    workers,
    done,
    shutdown: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

async function main(): Promise<void> {
  const exitOnConfigError = (line: string): never => {
    process.stderr.write(`${line}\n`);
    return process.exit(1);
  };
  const config = onConfigError(loadConfig, exitOnConfigError);
  let cli;
  try {
    cli = parseWorkerArgs(process.argv.slice(2), config);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`statementflow worker: ${err.message}\n(see --help)\n`);
      process.exit(2);
    }
    throw err;
  }
  if (cli.help) {
    process.stdout.write(WORKER_HELP);
    return;
  }
  const logger = createLogger(cli.logLevel ?? config.logLevel, { service: 'worker' });
  if (cli.priorityNote) logger.warn(cli.priorityNote);
  onConfigError(() => requireInfrastructure(config, 'npm run worker', { database: true, temporal: true }), exitOnConfigError);
  // JSON logs for the SDK, workflows and activities, and the SDK's Prometheus metrics.
  // Signals stay ours (below) so shutdown is graceful and logged.
  installWorkerTelemetry({ logger, metricsPort: config.worker.metricsPort, metricsHost: config.worker.metricsHost });
  const db = createDb(config.databaseUrl);
  await migrateLatest(db).finally(() => db.destroy());
  const running = await startWorker(config, cli.settings, logger);
  if (cli.schedules) {
    const client = await connectTemporal(config.temporalAddress, config.temporalNamespace);
    const outcome = await ensureCleanupSchedule(client, config).finally(() => client.connection.close());
    logger.info(`cleanup schedule ${outcome}`, { schedule_id: config.cleanup.scheduleId, cron: config.cleanup.cron, timezone: config.cleanup.timezone });
  }
  // A repeated signal does not cut the graceful shutdown short: activities keep their grace.
  onStopSignal(
    (signal) => {
      logger.info('worker shutting down', { signal, grace_seconds: cli.settings.shutdownGraceSeconds });
      void running.shutdown();
    },
    (signal) => logger.info('worker already shutting down', { signal }),
  );
  await running.done;
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`statementflow worker: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
