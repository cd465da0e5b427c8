/**
 * The API entry point (`npm run api`): configured by environment only, needs DATABASE_URL
 * and TEMPORAL_ADDRESS. `npm start` uses startApi() with the embedded infrastructure.
 */
import type { Server } from 'node:http';
import { loadConfig, onConfigError, requireInfrastructure, type Config } from '../platform/config';
import { onStopSignal } from '../platform/stop-signals';
import { createDb, migrateLatest } from '../db/knex';
import { FileStore } from '../db/files';
import { createLogger, type Logger } from '../platform/logger';
import { connectTemporal } from '../platform/temporal-client';
import { createApp } from './app';
import { TaskEventsHub } from './events/hub';
import { startPendingSweep } from '../platform/task-reconcile';

export async function startApi(config: Config, logger: Logger): Promise<{ server: Server; close: () => Promise<void> }> {
  const db = createDb(config.databaseUrl);
  const temporal = await connectTemporal(config.temporalAddress, config.temporalNamespace);
  const events = new TaskEventsHub({ db, logger });
  const app = createApp({ config, db, temporal, files: new FileStore(db), logger, events });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${config.port} is already in use (set PORT to another port)`) : err),
    );
  });
  // Settles tasks left PENDING by an API that died before starting their workflow, or by a
  // start whose answer was lost: every API process runs it, and its writes are idempotent.
  const sweep = startPendingSweep({
    db,
    temporal,
    logger,
    intervalMs: config.submissionSweepSeconds * 1000,
    resultTtlSeconds: config.resultTtlSeconds,
  });
  return {
    server,
    close: async () => {
      await sweep.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await events.close(); // ends the event streams, which would otherwise hold close() open forever
      server.closeIdleConnections(); // their connections, idle now, would linger for the keep-alive timeout
      await closed;
      server.closeAllConnections?.();
      await temporal.connection.close();
      await db.destroy();
    },
  };
}

async function main(): Promise<void> {
  const config = onConfigError(
    () => requireInfrastructure(loadConfig(), 'npm run api', { database: true, temporal: true }),
    (line) => {
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  );
  const logger = createLogger(config.logLevel, { service: 'api' });
  if (config.jwtSecretIsDefault) logger.warn('JWT_SECRET is not set: using the development secret. Never do this in production.');
  const db = createDb(config.databaseUrl);
  await migrateLatest(db).finally(() => db.destroy());
  const api = await startApi(config, logger);
  logger.info('api listening', { url: `http://localhost:${config.port}` });
  // Repeats of the signal are ignored while open requests finish (platform/stop-signals.ts).
  onStopSignal(() => void api.close().then(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`statementflow api: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
