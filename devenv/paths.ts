import path from 'node:path';

/** The repository root (this file is devenv/paths.ts). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The git-ignored cache: fetched binaries in bin/, downloaded wheels in wheels/.
 * STATEMENTFLOW_CACHE_DIR moves it (e.g. to share one cache between several clones).
 */
export const CACHE_DIR = process.env.STATEMENTFLOW_CACHE_DIR?.trim()
  ? path.resolve(process.env.STATEMENTFLOW_CACHE_DIR.trim())
  : path.join(PROJECT_ROOT, '.cache');
