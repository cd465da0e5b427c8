/**
 * The cluster directory on disk (<dataDir>/postgres): whether it already holds a cluster
 * (then it is resumed) or is empty (then initdb runs), and whether a Postgres is still
 * running on it, found from its postmaster.pid. Checking this first turns "port taken" or
 * "lock file exists" from deep inside Postgres into a message that names the cause.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeError, InfraError } from './errors';
import { liveProcess } from './processes';

/** The pid of a Postgres running on this cluster (from its postmaster.pid), or null. */
export function runningClusterPid(clusterDir: string): { pid: number; port?: string } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  // A stale file (Postgres cleans it up) or a pid reused by another process is no cluster.
  const pid = liveProcess(Number(lines[0]), 'postgres');
  return pid === null ? null : { pid, port: lines[3]?.trim() || undefined };
}

/**
 * A Postgres still running on this cluster (another `npm start` or `npm run infra` on the
 * same DATA_DIR) is named as such, rather than reported as a taken port or a lock-file
 * error. (One orphaned by a killed start is stopped before this, by startEmbeddedInfra.)
 */
export function assertClusterNotRunning(clusterDir: string): void {
  const running = runningClusterPid(clusterDir);
  if (!running) return;
  const { pid, port } = running;
  throw new InfraError(
    `a Postgres is already running on ${clusterDir} (pid ${pid}${port ? `, port ${port}` : ''}), started by another \`npm start\` or \`npm run infra\` that is still running; stop that one first`,
  );
}

/** true: an initialised cluster. false: empty or missing (initdb will run). Throws otherwise. */
export function inspectClusterDir(clusterDir: string): boolean {
  if (fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) return true;
  let entries: string[];
  try {
    entries = fs.readdirSync(clusterDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InfraError(`cannot read the Postgres data directory ${clusterDir}: ${describeError(err)}`);
  }
  if (entries.length > 0) {
    throw new InfraError(`${clusterDir} is not empty but holds no Postgres cluster (no PG_VERSION); move it away or set DATA_DIR elsewhere`);
  }
  return false;
}
