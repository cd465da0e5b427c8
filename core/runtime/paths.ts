import path from 'node:path';

/** The repository root (this file is core/runtime/paths.ts). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The git-ignored cache: fetched binaries in bin/, downloaded wheels in wheels/. */
export const CACHE_DIR = path.join(PROJECT_ROOT, '.cache');
