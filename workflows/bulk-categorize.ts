/**
 * bulkCategorize: apply the task's rule set to its session in seq-range chunks, so
 * progress moves and a retry redoes one chunk. A failure or cancel restores every
 * category the task changed.
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { createBulkCategorizeActivities } from '../activities/bulk-categorize';
import type { BulkCategorizeInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type CategorizeActivities = ReturnType<typeof createBulkCategorizeActivities>;

export async function bulkCategorize(input: BulkCategorizeInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<CategorizeActivities>(activityOptions(input.settings));
  const ids = { taskId: input.taskId, sessionId: input.sessionId };
  // Restoring is only right once the original categories were recorded by prepare.
  let recorded = false;

  return run.run(
    async () => {
      await run.progress(2, 'Checking the rules and the session...');
      const { seqMin, seqMax, rowCount } = await acts.prepareCategorization({ ...ids, userId: input.userId });
      recorded = true;
      let changed = 0;
      let done = 0;
      const step = Math.max(1, input.chunkRows);
      for (let from = seqMin; from <= seqMax; from += step) {
        const to = Math.min(seqMax, from + step - 1);
        const { updated } = await acts.categorizeChunk({ ...ids, seqFrom: from, seqTo: to });
        changed += updated;
        done = Math.min(rowCount, done + (to - from + 1));
        await run.progress(5 + (85 * (to - seqMin + 1)) / (seqMax - seqMin + 1), `Categorized ${done} of ${rowCount} transactions`);
      }
      await run.progress(92, 'Counting categories...');
      const result = await acts.summarizeCategories({ ...ids, rowsChanged: changed });
      // Past this point the run has succeeded: forgetting the undo set must not be cut
      // short by a cancel, and nothing may restore from it once it is gone.
      recorded = false;
      await CancellationScope.nonCancellable(() => acts.settleCategorization({ ...ids, restore: false }));
      return result;
    },
    { cleanup: () => acts.settleCategorization({ ...ids, restore: recorded }) },
  );
}
