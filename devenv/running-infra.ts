/**
 * The embedded servers that a running `npm start` or `npm run infra` keeps up on this
 * DATA_DIR, found from their own pid files. The operator commands (`npm run migrate`,
 * `schedules`, `cleanup`) use them when DATABASE_URL / TEMPORAL_ADDRESS are not set, so
 * "npm run cleanup" works beside "npm start" as it is, without exporting the lines
 * `npm run infra` prints. The API and the worker do not: they are configured by
 * environment only.
 */
import path from 'node:path';
import type { Config } from '../platform/config';
import { EMBEDDED_DATABASE, postgresUrl, runningClusterPid } from './embedded-postgres';
import { temporalDbFilename } from './infra';
import { commandLineOf } from './processes';
import { temporalDbOwnerPid } from './temporal-dev-server';

/** The value of `--flag N` in a running process's command line, or null. */
function flagOf(pid: number, flag: string): number | null {
  const args = commandLineOf(pid) ?? [];
  const i = args.indexOf(flag);
  const n = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * `config` with DATABASE_URL and/or TEMPORAL_ADDRESS (as `needs` says) filled in from the
 * embedded servers running on its DATA_DIR, where they are not set; `note` hears what
 * was used.
 */
export function withRunningEmbeddedInfra(
  config: Config,
  needs: { database?: boolean; temporal?: boolean },
  note: (message: string) => void = () => undefined,
): Config {
  let { databaseUrl, temporalAddress } = config;
  if (needs.database && !databaseUrl) {
    const pg = runningClusterPid(path.join(config.dataDir, 'postgres'));
    if (pg) {
      databaseUrl = postgresUrl(Number(pg.port) || config.embeddedPgPort, EMBEDDED_DATABASE);
      note(`using the embedded Postgres running on ${config.dataDir} (pid ${pg.pid})`);
    }
  }
  if (needs.temporal && !temporalAddress) {
    const pid = temporalDbOwnerPid(temporalDbFilename(config));
    if (pid !== null) {
      temporalAddress = `127.0.0.1:${flagOf(pid, '--port') ?? config.temporalPort}`;
      note(`using the Temporal dev server running on ${config.dataDir} (${temporalAddress})`);
    }
  }
  return { ...config, databaseUrl, temporalAddress };
}
