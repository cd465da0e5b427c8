/**
 * Servers left running by an earlier start that was killed outright (SIGKILL, a crash, a
 * closed terminal without a hang-up): the embedded Postgres and the Temporal dev server
 * outlive the Node process that started them, still holding the data directory and the
 * ports. A new start stops such an orphan itself instead of refusing to start.
 *
 * Who started them is recorded in DATA_DIR/.owner (pid and process start time, so a pid
 * reused by another process does not count) when a start brings the servers up. Servers
 * whose owner is gone are orphans; servers whose owner still runs belong to a running
 * `npm start` or `npm run infra` and are left alone — the caller reports those instead.
 * With no owner file (servers of an older version), the parent process decides: a server
 * re-parented to init or a subreaper has lost its starter. Without /proc (macOS) nothing
 * is judged orphaned: we do not stop what we cannot identify.
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandLineOf, isAlive, procStatOf, waitForPidGone } from './processes';

/** The parent pid of `pid`, or null when it cannot be read (no /proc, pid gone). */
export function parentOf(pid: number): number | null {
  const ppid = Number(procStatOf(pid)?.[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** When `pid` started (clock ticks since boot), or null. */
export function startTimeOf(pid: number): string | null {
  return procStatOf(pid)?.[19] ?? null;
}

const ownerFile = (dataDir: string) => path.join(dataDir, '.owner');

/** Records this process as the one running DATA_DIR's embedded servers. */
export function claimDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.pid, start: startTimeOf(process.pid) }));
}

/** Forgets the claim, if it is still this process's. */
export function releaseDataDir(dataDir: string): void {
  try {
    const owner = JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8')) as { pid?: number };
    if (owner.pid === process.pid) fs.rmSync(ownerFile(dataDir), { force: true });
  } catch {
    // no claim to forget
  }
}

/**
 * True when the process that started server `pid` on `dataDir` is gone (see above); false
 * when it still runs, or when that cannot be told.
 */
export function isOrphaned(pid: number, dataDir: string): boolean {
  let owner: { pid?: unknown; start?: unknown } | null = null;
  try {
    owner = JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8'));
  } catch {
    owner = null;
  }
  if (owner && typeof owner.pid === 'number') {
    if (owner.pid === process.pid) return false;
    if (!isAlive(owner.pid)) return true;
    const start = startTimeOf(owner.pid);
    return start !== null && owner.start !== null && start !== owner.start; // the pid now belongs to another process
  }
  // No owner file: judge by the parent (see above).
  const parent = parentOf(pid);
  if (parent === null) return false;
  if (parent <= 1 || !isAlive(parent)) return true;
  const program = commandLineOf(parent)?.[0];
  return program !== undefined && !/(^|\/)node[\w.-]*$/.test(program);
}

/**
 * Stops an orphaned server: `signal` first (the server's own clean shutdown), SIGKILL if it
 * is still there after `timeoutMs`. Resolves true once it is gone.
 */
export async function stopOrphan(pid: number, signal: NodeJS.Signals, timeoutMs = 20_000): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return !isAlive(pid);
  }
  if (await waitForPidGone(pid, timeoutMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone in between
  }
  return waitForPidGone(pid, 5_000);
}
