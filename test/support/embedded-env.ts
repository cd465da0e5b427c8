/**
 * For tests that run the service's scripts (npm start, npm run infra, the operator
 * commands) on embedded defaults: a data directory and the environment to run them in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getFreePort } from '../../devenv/processes';

export interface EmbeddedPorts {
  pg: number;
  temporal: number;
  ui: number;
}

export async function freeEmbeddedPorts(): Promise<EmbeddedPorts> {
  return { pg: await getFreePort(), temporal: await getFreePort(), ui: await getFreePort() };
}

/** A fresh DATA_DIR; world-readable, since as root the embedded Postgres runs as `postgres`. */
export function tempDataDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `statementflow-test-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * This process's environment for a script on embedded defaults in `dataDir` on `ports`:
 * without DATABASE_URL / TEMPORAL_ADDRESS, so the script starts (or finds) its own servers.
 */
export function embeddedEnv(dataDir: string, ports: EmbeddedPorts, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  return {
    ...env,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(ports.pg),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    ...extra,
  };
}
