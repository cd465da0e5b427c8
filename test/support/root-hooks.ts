/**
 * Mocha root hooks (wired in .mocharc.json "require", after tsx/cjs): after the whole run,
 * tear down every server the harness started (test/support/postgres.ts, temporal.ts), so
 * no postgres or temporal process outlives mocha. A SIGINT/SIGTERM during the run does the
 * same before exiting. Light on purpose: it loads nothing that starts or imports a server.
 */
import { stopLeftoverWorkers } from './live-workers';
import { stopTestPostgres } from './postgres';
import { stopTestTemporal } from './temporal';

async function teardownAll(): Promise<unknown[]> {
  // Temporal first (workers' connections), then the database.
  const temporal = await Promise.allSettled([stopTestTemporal()]);
  const postgres = await Promise.allSettled([stopTestPostgres()]);
  return [...temporal, ...postgres].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
}

let interrupted = false;
function onSignal(signal: NodeJS.Signals, code: number): void {
  if (interrupted) process.exit(code); // second signal: now (the exit hook still kills children)
  interrupted = true;
  process.stderr.write(`\n[test harness] ${signal}: stopping test servers ...\n`);
  const force = setTimeout(() => process.exit(code), 20_000);
  force.unref();
  void teardownAll().finally(() => process.exit(code));
}
process.on('SIGINT', () => onSignal('SIGINT', 130));
process.on('SIGTERM', () => onSignal('SIGTERM', 143));

/**
 * mocha runs with "exit": false, so a handle a test left open (a Worker never shut down, a
 * knex pool or a client connection never closed) keeps the process alive forever after the
 * summary. Rather than hang CI, say what is still open and exit with mocha's own code.
 * The timer is unref'd: it never keeps the process alive itself.
 */
function exitWatchdog(): void {
  const graceMs = Number(process.env.STATEMENTFLOW_TEST_EXIT_GRACE_MS ?? 15_000);
  if (!Number.isFinite(graceMs) || graceMs <= 0) return;
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    const described = handles.map((h) => {
      const name = (h as object)?.constructor?.name ?? typeof h;
      const sock = h as { remoteAddress?: string; remotePort?: number; localPort?: number };
      if (name === 'Socket' && sock.remotePort) return `Socket to ${sock.remoteAddress}:${sock.remotePort}`;
      if (name === 'ChildProcess') return `ChildProcess pid ${(h as { pid?: number }).pid}`;
      return name;
    });
    const summary = [...new Set(described)].map((d) => `${d} x${described.filter((x) => x === d).length}`).join(', ');
    process.stderr.write(
      `\n[test harness] mocha is still running ${graceMs / 1000} s after the last test: something a test opened was never closed ` +
        `(open: ${summary || process.getActiveResourcesInfo().join(', ') || 'nothing visible to Node: a Temporal Worker or Runtime?'}). Exiting.\n`,
    );
    process.exit(); // mocha's own 'exit' listener sets the code (number of failures)
  }, graceMs).unref();
}

export const mochaHooks = {
  async afterEach(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const stopped = await stopLeftoverWorkers();
    if (stopped > 0) process.stderr.write(`[test harness] stopped ${stopped} worker(s) left running by "${this.currentTest?.fullTitle()}"\n`);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const errors = await teardownAll();
    exitWatchdog();
    if (errors.length) throw errors[0];
  },
};
