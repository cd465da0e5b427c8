/** `npm run build:workflows`: the prebuilt workflow bundle production workers load (dist/workflow-bundle.js). */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE } from '../worker/workflow-source';

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  fs.mkdirSync(path.dirname(PREBUILT_BUNDLE), { recursive: true });
  fs.writeFileSync(PREBUILT_BUNDLE, code);
  process.stdout.write(`wrote ${PREBUILT_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`build:workflows: ${(err as Error).message}\n`);
  process.exit(1);
});
