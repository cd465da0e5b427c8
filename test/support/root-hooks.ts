/**
 * Mocha root hooks (wired in .mocharc.json "require", after tsx/cjs): after the whole run,
 * tear down every server the harness started (test/support/postgres.ts, temporal.ts), so
 * no postgres or temporal process outlives mocha. A SIGINT/SIGTERM during the run does the
 * same before exiting. Light on purpose: it loads nothing that starts or imports a server.
 */
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

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const errors = await teardownAll();
    if (errors.length) throw errors[0];
  },
};
