/**
 * The Temporal dev server (`temporal server start-dev`), with the Web UI and Statementflow's
 * custom search attributes registered.
 *
 * - Persistent when given a SQLite file (`npm run infra` keeps it in <dataDir>/temporal/):
 *   workflows survive a restart. Without one it is in memory (tests).
 * - start resolves only once the frontend answers: the namespace can be described and every
 *   custom search attribute is listed. A taken port, a missing binary, or a server that dies
 *   or stays silent fails with one clear line.
 * - stop(): SIGTERM, a grace period, SIGKILL as the last resort.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from './binaries';
import { describeError, InfraError } from './errors';
import { assertPortFree, liveProcess, LineTail, sleep, trackPid, untrackPid, waitForExit } from './processes';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../contract/search-attributes';

export interface SearchAttributeDefinition {
  name: string;
  type: string;
}

export interface TemporalDevServerOptions {
  /** The `temporal` binary; default resolveTemporalCli(). */
  cliPath?: string;
  /** SQLite file for persistence; undefined/null: in memory, lost at stop. */
  dbFilename?: string | null;
  /** Address to bind the frontend and UI to; default 127.0.0.1. */
  ip?: string;
  /** Frontend gRPC port. */
  port: number;
  /** Web UI port; null: no UI (--headless). */
  uiPort?: number | null;
  /** Namespace to create; default 'default' (always exists). */
  namespace?: string;
  /** Server log level; default 'warn'. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Default: CUSTOM_SEARCH_ATTRIBUTES. */
  searchAttributes?: readonly SearchAttributeDefinition[];
  /** How long to wait for the frontend; default 60 s. */
  readyTimeoutMs?: number;
  /** Each line the server writes to stderr (its log). Default: kept for error messages only. */
  onLog?: (line: string) => void;
}

export interface RunningTemporalDevServer {
  /** host:port of the frontend, as TEMPORAL_ADDRESS wants it. */
  address: string;
  namespace: string;
  /** http://ip:uiPort, or null when headless. */
  webUiUrl: string | null;
  dbFilename: string | null;
  pid: number;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporalDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const searchAttributes = options.searchAttributes ?? CUSTOM_SEARCH_ATTRIBUTES;
  const uiPort = options.uiPort ?? null;
  const dbFilename = options.dbFilename ? path.resolve(options.dbFilename) : null;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const address = `${ip}:${options.port}`;

  if (dbFilename) assertDbNotInUse(dbFilename);
  await assertPortFree(options.port, ip, 'Temporal dev server', 'TEMPORAL_PORT');
  if (uiPort !== null) await assertPortFree(uiPort, ip, 'Temporal Web UI', 'TEMPORAL_UI_PORT');

  const cliPath = options.cliPath ?? (await resolveTemporalCli()).path;
  const pidFile = dbFilename ? `${dbFilename}.pid` : null;
  if (dbFilename) fs.mkdirSync(path.dirname(dbFilename), { recursive: true });

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', options.logLevel ?? 'warn'];
  if (dbFilename) args.push('--db-filename', dbFilename);
  if (uiPort !== null) args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const sa of searchAttributes) args.push('--search-attribute', `${sa.name}=${sa.type}`);

  const tail = new LineTail(80);
  let forward = true;
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawned) throw new InfraError(`cannot start the Temporal CLI ${cliPath}: ${describeError(spawned)}`);
  const pid = child.pid!;
  trackPid(pid, 'SIGTERM');
  if (pidFile) fs.writeFileSync(pidFile, `${pid}\n`);

  child.stdout!.setEncoding('utf8').on('data', (c: string) => tail.push(c)); // the start banner
  child.stderr!.setEncoding('utf8').on('data', (c: string) => tail.push(c, (line) => forward && options.onLog?.(line)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      untrackPid(pid);
      if (pidFile) fs.rmSync(pidFile, { force: true });
      resolve({ code, signal });
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      forward = false; // shutdown logs a burst of harmless connection warnings
      await stopChild(child, 15_000);
      untrackPid(pid);
    })();
    return stopping;
  };

  try {
    await waitUntilReady({ address, namespace, child, searchAttributes, readyTimeoutMs });
  } catch (err) {
    await stop();
    const why = err instanceof InfraError ? err.message : describeError(err);
    const logLine = tail.find(/level=(ERROR|FATAL)|error|panic|address already in use/i);
    throw new InfraError(`Temporal dev server failed to start on ${address}: ${why}${logLine ? ` (server said: ${logLine.trim().slice(0, 400)})` : ''}`);
  }

  return {
    address,
    namespace,
    webUiUrl: uiPort !== null ? `http://${ip}:${uiPort}` : null,
    dbFilename,
    pid,
    exited,
    stop,
  };
}

async function waitUntilReady(opts: {
  address: string;
  namespace: string;
  child: ChildProcess;
  searchAttributes: readonly SearchAttributeDefinition[];
  readyTimeoutMs: number;
}): Promise<void> {
  const { address, namespace, child, searchAttributes } = opts;
  const deadline = Date.now() + opts.readyTimeoutMs;
  const dead = (): string | undefined =>
    child.exitCode !== null || child.signalCode !== null
      ? `the server exited (${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}) before it was ready`
      : undefined;
  const [host, portText] = [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)];
  let lastError = 'no answer yet';

  // 1. The port accepts connections.
  for (;;) {
    const why = dead();
    if (why) throw new InfraError(why);
    if (await tcpOpen(host, Number(portText))) break;
    if (Date.now() > deadline) throw new InfraError(`the frontend did not open port ${portText} within ${opts.readyTimeoutMs / 1000} s`);
    await sleep(100);
  }

  // 2. The frontend answers, the namespace exists, the search attributes are registered.
  let connection: Connection | undefined;
  try {
    for (;;) {
      const why = dead();
      if (why) throw new InfraError(why);
      try {
        connection ??= await Connection.connect({ address, connectTimeout: '3s' });
        await connection.workflowService.describeNamespace({ namespace });
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = searchAttributes.filter((sa) => !customAttributes || !(sa.name in customAttributes)).map((sa) => sa.name);
        if (missing.length === 0) return;
        lastError = `search attributes not registered yet: ${missing.join(', ')}`;
      } catch (err) {
        lastError = describeError(err);
      }
      if (Date.now() > deadline) throw new InfraError(`not ready within ${opts.readyTimeoutMs / 1000} s (${lastError})`);
      await sleep(200);
    }
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** The pid of a dev server running on this SQLite file (from the pid file beside it), or null. */
export function temporalDbOwnerPid(dbFilename: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(`${dbFilename}.pid`, 'utf8').trim());
  } catch {
    return null;
  }
  return liveProcess(pid, dbFilename); // null for a stale file or a pid reused by something else
}

/**
 * Two servers on one SQLite file would corrupt it: a live one (still a temporal process
 * using this file) blocks a second start. (One orphaned by a killed start is stopped
 * before this, by startEmbeddedInfra.)
 */
export function assertDbNotInUse(dbFilename: string): void {
  const pid = temporalDbOwnerPid(dbFilename);
  if (pid === null) return;
  throw new InfraError(
    `another Temporal dev server (pid ${pid}) is already using ${dbFilename}, started by another \`npm start\` or \`npm run infra\` that is still running; stop that one first`,
  );
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}
