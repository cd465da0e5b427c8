/**
 * Servers left running by an earlier start that was killed outright (SIGKILL, a crash, a
 * closed terminal without a hang-up): the embedded Postgres and the Temporal dev server
 * outlive the Node process that started them, still holding the data directory and the
 * ports. A new start stops such an orphan itself instead of refusing to start.
 *
 * "Orphaned" is judged from the parent process: a server we start is the child of a Node
 * process; once that process is gone the server is re-parented to init or a subreaper
 * (systemd, tini). A server whose parent is still a Node process belongs to a running
 * `npm start` or `npm run infra` and is left alone — the caller reports it instead.
 * Without /proc (macOS) nothing is judged orphaned: we do not stop what we cannot identify.
 */
import fs from 'node:fs';
import { isAlive, waitForPidGone } from './processes';

/** The parent pid of `pid`, or null when it cannot be read (no /proc, pid gone). */
export function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

function commandOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/** True when the process that started `pid` is gone (see above). */
export function isOrphaned(pid: number): boolean {
  const parent = parentOf(pid);
  if (parent === null) return false;
  if (parent <= 1 || !isAlive(parent)) return true;
  const command = commandOf(parent);
  return command !== null && !/(^|\/)node(js)?\b/.test(command.split(' ')[0] ?? '');
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
