/**
 * Child-process bookkeeping shared by the runtime layer.
 *
 * Every server process we start is registered here. Normal shutdown goes through each
 * server's own stop(); this is the safety net for the paths that skip it (an uncaught
 * error, process.exit() from elsewhere): on the process 'exit' event every child still
 * alive is signalled synchronously, so nothing is left running behind us.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { InfraError } from './errors';

interface Tracked {
  pid: number;
  signal: NodeJS.Signals;
}

const tracked = new Map<number, Tracked>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const t of tracked.values()) {
      try {
        process.kill(t.pid, t.signal);
      } catch {
        // already gone
      }
    }
  });
}

/** Remember a child to signal at process exit if it is still alive then. */
export function trackPid(pid: number, signalOnExit: NodeJS.Signals): void {
  installExitHook();
  tracked.set(pid, { pid, signal: signalOnExit });
}

export function untrackPid(pid: number): void {
  tracked.delete(pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's command-line arguments, from /proc; null where they cannot be read (no /proc, the pid gone). */
export function commandLineOf(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
}

/**
 * The fields of /proc/<pid>/stat after the command name (0: state, 1: parent pid,
 * 19: start time in clock ticks since boot), or null. The name may hold spaces and
 * parentheses, so the fields are read after its last ')'.
 */
export function procStatOf(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * `pid` from a pid file, if that process is alive and still the one meant: where /proc
 * tells, its command line must mention `mark` (a reused pid is someone else). Without
 * /proc (macOS) a live pid is trusted.
 */
export function liveProcess(pid: number, mark: string): number | null {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  const args = commandLineOf(pid);
  return args === null || args.some((a) => a.includes(mark)) ? pid : null;
}

/** Resolves when the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Polls a pid (not necessarily our child) until it is gone. */
export async function waitForPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last `max` lines of a child's output, for error messages. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 50) {}

  push(chunk: string, onLine?: (line: string) => void): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.add(line, onLine);
  }

  private add(line: string, onLine?: (line: string) => void): void {
    if (!line.trim()) return;
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
    onLine?.(line);
  }

  all(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial] : [...this.lines];
  }

  /** The last line matching `re`, or the last line at all. */
  find(re: RegExp): string | undefined {
    const all = this.all();
    for (let i = all.length - 1; i >= 0; i--) if (re.test(all[i]!)) return all[i];
    return undefined;
  }
}

/** Throws InfraError if something already listens on host:port. */
export async function assertPortFree(port: number, host: string, what: string, envHint?: string): Promise<void> {
  const free = await new Promise<boolean | Error>((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' ? false : err));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
  if (free === true) return;
  const hint = envHint ? ` (set ${envHint} to use another port)` : '';
  if (free === false) {
    throw new InfraError(`${what}: port ${port} on ${host} is already in use${hint}`);
  }
  throw new InfraError(`${what}: cannot listen on ${host}:${port}: ${free.message}${hint}`);
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}
