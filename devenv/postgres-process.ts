/**
 * The server process when a start goes wrong: a start that does not finish in time, a
 * process that must be taken down at once, and the one-line explanation of a failure read
 * from the server's last log lines (another server on the cluster, a taken port, a FATAL),
 * so the person starting it sees the cause rather than a timeout.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describeError } from './errors';
import { EMBEDDED_PG_HOST } from './postgres-connection';
import { LineTail, sleep, waitForExit } from './processes';

/** Turns the error of a failed start, and what the server logged, into one line a person can act on. */
export function explainStartFailure(err: unknown, tail: LineTail, clusterDir: string, port: number): string {
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
    return `Embedded Postgres: port ${port} on ${EMBEDDED_PG_HOST} is already in use (set EMBEDDED_PG_PORT to use another port)`;
  }
  const fatal = tail.find(/\b(FATAL|PANIC|ERROR):/);
  const why = err === undefined ? 'the server exited during start' : describeError(err);
  return `embedded Postgres failed to start on ${clusterDir}: ${fatal ? fatal.trim() : why}`;
}

/** The last few lines the server printed, for the end of an error message. */
export function lastLines(tail: LineTail): string {
  const lines = tail.all().slice(-3).map((l) => l.trim());
  return lines.length ? ` (last output: ${lines.join(' | ')})` : '';
}

/** Stops the server at once: immediate shutdown first, then SIGKILL if it does not go. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGQUIT'); // immediate shutdown: the postmaster takes its children down
  if (await waitForExit(child, 5_000)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
  await sleep(200); // backends notice the postmaster is gone and exit
}

/** `p`, or a rejection with `message()` if it has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
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
