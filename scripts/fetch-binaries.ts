/**
 * `npm run fetch-binaries`: resolves (and if needed fetches into .cache/bin/) the Temporal
 * CLI and the time-skipping test server, and prints where each one is. CI runs it before
 * the tests so the first test does not pay for the download. Exit 1 with one line on failure.
 */
import { describeError, InfraError } from '../devenv/errors';
import { resolveTemporalCli, resolveTestServer } from '../devenv/binaries';

const log = (m: string): void => {
  process.stderr.write(`fetch-binaries: ${m}\n`);
};

async function main(): Promise<void> {
  const started = Date.now();
  const cli = await resolveTemporalCli({ log });
  process.stdout.write(`temporal: ${cli.path} (version ${cli.version}, from ${cli.source})\n`);
  // No SDK-download fallback here: this command's job is to have a local binary.
  const testServer = await resolveTestServer({ log, allowSdkDownload: false });
  if (testServer.kind === 'path') {
    process.stdout.write(`temporal-test-server: ${testServer.path} (version ${testServer.version}, from ${testServer.source})\n`);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  const prefix = err instanceof InfraError ? '' : 'unexpected error: ';
  process.stderr.write(`statementflow: ${prefix}${describeError(err)}\n`);
  if (!(err instanceof InfraError) && process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
