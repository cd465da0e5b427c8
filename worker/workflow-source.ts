/**
 * Where the worker's workflow code comes from: the prebuilt bundle (`npm run
 * build:workflows`, what production runs) when it exists, otherwise a bundle built at
 * start from workflows/ (development).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowSource } from './create-workers';

export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export function workflowSource(): WorkflowSource {
  if (fs.existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  return { workflowsPath: require.resolve('../workflows') };
}
