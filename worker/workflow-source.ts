/**
 * Where the worker's workflow code comes from: the prebuilt bundle (`npm run
 * build:workflows`, what production runs) when it exists, otherwise a bundle built at
 * start from workflows/ (development).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowSource } from './create-workers';

export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

/**
 * One bundle for all the process's workers (one per queue): bundling per worker would run
 * webpack once per queue at start and keep each result in memory.
 */
export async function workflowSource(): Promise<WorkflowSource> {
  if (fs.existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  return { workflowBundle: { code } };
}
