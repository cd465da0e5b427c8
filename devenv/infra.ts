/**
 * startEmbeddedInfra(config): the embedded defaults behind `npm run infra` and `npm start`.
 *
 * - Postgres: DATABASE_URL if set; otherwise an embedded Postgres in <DATA_DIR>/postgres on
 *   EMBEDDED_PG_PORT, with the `statementflow` database created.
 * - Temporal: TEMPORAL_ADDRESS if set; otherwise the Temporal dev server on TEMPORAL_PORT with
 *   its Web UI on TEMPORAL_UI_PORT, state in <DATA_DIR>/temporal/temporal.db (workflows
 *   survive a restart), namespace TEMPORAL_NAMESPACE, custom search attributes registered.
 * Both start in parallel; if one fails the other is stopped again and the error (InfraError,
 * one line) is thrown. Migrations are not run here: the service runs them at start.
 */
import path from 'node:path';
import type { Config } from '../platform/config';
import { describeError, InfraError } from './errors';
import { assertClusterNotRunning, runningClusterPid, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { claimDataDir, isOrphaned, releaseDataDir, stopOrphan } from './leftovers';
import { assertPortFree } from './processes';
import { assertDbNotInUse, startTemporalDevServer, temporalDbOwnerPid, type RunningTemporalDevServer } from './temporal-dev-server';

export interface EmbeddedInfra {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** The Temporal Web UI, or null when TEMPORAL_ADDRESS points elsewhere. */
  webUiUrl: string | null;
  /** The embedded servers started (null: an external one from the config is used). */
  postgres: RunningPostgres | null;
  temporal: RunningTemporalDevServer | null;
  /** Resolves with a one-line reason if an embedded server exits without stop(). */
  died: Promise<string>;
  /** Stops what was started (Temporal first, then Postgres). Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartInfraOptions {
  /** Server log lines worth showing (Temporal warnings, Postgres warnings and errors). */
  onServerLog?: (source: 'postgres' | 'temporal', line: string) => void;
  /** Forward every Postgres log line, not only warnings and errors. */
  verbosePostgres?: boolean;
  /** One-line notes for the person starting it (e.g. a server of a killed run was stopped). */
  onNotice?: (message: string) => void;
}

export function temporalDbFilename(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'temporal', 'temporal.db');
}

export async function startEmbeddedInfra(config: Config, options: StartInfraOptions = {}): Promise<EmbeddedInfra> {
  const forward = options.onServerLog;
  const pgLog = forward
    ? (line: string) => {
        if (options.verbosePostgres || /\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) forward('postgres', line);
      }
    : undefined;

  // Servers orphaned by an earlier start that was killed outright still hold the data and
  // the ports: stop them (Postgres with a fast shutdown; it recovers from its WAL anyway).
  const orphans: Array<{ what: string; pid: number | null; signal: NodeJS.Signals }> = [
    { what: 'Postgres', pid: config.databaseUrl ? null : runningClusterPid(path.join(config.dataDir, 'postgres'))?.pid ?? null, signal: 'SIGINT' },
    { what: 'Temporal dev server', pid: config.temporalAddress ? null : temporalDbOwnerPid(temporalDbFilename(config)), signal: 'SIGTERM' },
  ];
  for (const { what, pid, signal } of orphans) {
    if (pid === null || !isOrphaned(pid, config.dataDir)) continue;
    options.onNotice?.(`stopping the embedded ${what} (pid ${pid}) left running by an earlier start that was killed`);
    if (!(await stopOrphan(pid, signal))) throw new InfraError(`the embedded ${what} (pid ${pid}) left by an earlier start would not stop; stop it by hand`);
  }

  // Preflight, before anything starts (no initdb for a doomed start): a server of a
  // running start still holding the data, then every port at once.
  const leftovers: string[] = [];
  for (const check of [
    () => !config.databaseUrl && assertClusterNotRunning(path.join(config.dataDir, 'postgres')),
    () => !config.temporalAddress && assertDbNotInUse(temporalDbFilename(config)),
  ]) {
    try {
      check();
    } catch (err) {
      leftovers.push(describeError(err));
    }
  }
  if (leftovers.length) throw new InfraError(leftovers.join('; '));
  const embedded = !config.databaseUrl || !config.temporalAddress;
  const portChecks = await Promise.allSettled([
    config.databaseUrl ? undefined : assertPortFree(config.embeddedPgPort, '127.0.0.1', 'Embedded Postgres', 'EMBEDDED_PG_PORT'),
    config.temporalAddress ? undefined : assertPortFree(config.temporalPort, '127.0.0.1', 'Temporal dev server', 'TEMPORAL_PORT'),
    config.temporalAddress ? undefined : assertPortFree(config.temporalUiPort, '127.0.0.1', 'Temporal Web UI', 'TEMPORAL_UI_PORT'),
  ]);
  const portErrors = portChecks.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => describeError(r.reason));
  if (portErrors.length) throw new InfraError(portErrors.join('; '));

  // From here the servers are ours: a later start that finds them with us gone stops them.
  if (embedded) claimDataDir(config.dataDir);
  const [pgResult, temporalResult] = await Promise.allSettled([
    config.databaseUrl
      ? Promise.resolve(null)
      : startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, onLog: pgLog }),
    config.temporalAddress
      ? Promise.resolve(null)
      : startTemporalDevServer({
          dbFilename: temporalDbFilename(config),
          ip: '127.0.0.1',
          port: config.temporalPort,
          uiPort: config.temporalUiPort,
          namespace: config.temporalNamespace,
          onLog: forward ? (line) => forward('temporal', line) : undefined,
        }),
  ]);

  if (pgResult.status === 'rejected' || temporalResult.status === 'rejected') {
    await Promise.allSettled([
      pgResult.status === 'fulfilled' ? pgResult.value?.stop() : undefined,
      temporalResult.status === 'fulfilled' ? temporalResult.value?.stop() : undefined,
    ]);
    if (embedded) releaseDataDir(config.dataDir);
    const reasons = [pgResult, temporalResult]
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => describeError(r.reason));
    throw new InfraError(reasons.join('; '));
  }

  const postgres = pgResult.value;
  const temporal = temporalResult.value;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Temporal first: its workers' connections go before the database does.
      await temporal?.stop();
      await postgres?.stop();
      if (embedded) releaseDataDir(config.dataDir);
    })();
    return stopping;
  };

  const died = new Promise<string>((resolve) => {
    const watch = (name: string, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined): void => {
      void exited?.then(({ code, signal }) => {
        if (!stopping) resolve(`${name} exited unexpectedly (${code !== null ? `code ${code}` : signal})`);
      });
    };
    watch('embedded Postgres', postgres?.exited);
    watch('Temporal dev server', temporal?.exited);
  });

  return {
    databaseUrl: postgres?.databaseUrl ?? config.databaseUrl,
    temporalAddress: temporal?.address ?? config.temporalAddress,
    temporalNamespace: config.temporalNamespace,
    webUiUrl: temporal?.webUiUrl ?? null,
    postgres,
    temporal,
    died,
    stop,
  };
}
