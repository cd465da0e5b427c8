/**
 * `npm run infra`: the embedded Postgres and the Temporal dev server (with its Web UI), in
 * the foreground, for running the API and worker by hand against them. Prints the lines to
 * export; Ctrl-C or SIGTERM stops both cleanly. DATABASE_URL / TEMPORAL_ADDRESS, if set,
 * are used as they are and the matching embedded server is not started.
 * A bad input (configuration, a taken port, a missing binary) prints one line and exits 1.
 */
import { loadConfig, onConfigError } from '../platform/config';
import { onStopSignal } from '../platform/stop-signals';
import { describeError, InfraError } from '../devenv/errors';
import { startEmbeddedInfra, type EmbeddedInfra } from '../devenv/infra';

const config = onConfigError(loadConfig, (line) => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
});
const debug = config.logLevel === 'debug';

function fail(err: unknown): never {
  const prefix = err instanceof InfraError ? '' : 'unexpected error: ';
  process.stderr.write(`statementflow: ${prefix}${describeError(err)}\n`);
  if (debug && !(err instanceof InfraError) && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let infra: EmbeddedInfra | undefined;
  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stderr.write(`infra: ${signal}, stopping ...\n`);
    try {
      await infra?.stop();
      process.stderr.write('infra: stopped\n');
      process.exit(0);
    } catch (err) {
      fail(err);
    }
  };
  // Installed before starting, so a Ctrl-C during start still stops what came up.
  onStopSignal((signal) => void shutdown(signal));

  const started = Date.now();
  process.stderr.write(`infra: starting (data in ${config.dataDir}) ...\n`);
  infra = await startEmbeddedInfra(config, {
    onServerLog: (source, line) => process.stderr.write(`[${source}] ${line}\n`),
    onNotice: (message) => process.stderr.write(`infra: ${message}\n`),
    verbosePostgres: debug,
  });
  if (shuttingDown) {
    await infra.stop();
    return;
  }

  const lines = [
    `DATABASE_URL=${infra.databaseUrl}`,
    `TEMPORAL_ADDRESS=${infra.temporalAddress}`,
    `TEMPORAL_NAMESPACE=${infra.temporalNamespace}`,
  ];
  if (infra.webUiUrl) lines.push(`TEMPORAL_WEB_UI=${infra.webUiUrl}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const notes = [
    infra.postgres ? `Postgres: embedded, ${infra.postgres.clusterDir}${infra.postgres.initialised ? ' (new cluster)' : ''}` : 'Postgres: external (DATABASE_URL)',
    infra.temporal ? `Temporal: dev server, ${infra.temporal.dbFilename}` : 'Temporal: external (TEMPORAL_ADDRESS)',
    infra.webUiUrl ? `Temporal Web UI: ${infra.webUiUrl}` : undefined,
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C to stop`,
  ].filter(Boolean);
  process.stderr.write(notes.map((n) => `infra: ${n}`).join('\n') + '\n');

  const reason = await infra.died;
  if (shuttingDown) return;
  shuttingDown = true;
  process.stderr.write(`statementflow: ${reason}; stopping the rest\n`);
  await infra.stop().catch(() => undefined);
  process.exit(1);
}

main().catch(fail);
