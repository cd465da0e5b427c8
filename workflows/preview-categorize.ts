/**
 * previewCategorize: what a rule set would change on a session too large to preview within
 * a request, as a task: one activity, its answer the task's result (the same body as the
 * immediate preview). Nothing is written, so a failure or cancel has nothing to undo.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createPreviewCategorizeActivities } from '../activities/preview-categorize';
import type { PreviewCategorizeInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type PreviewActivities = ReturnType<typeof createPreviewCategorizeActivities>;

export async function previewCategorize(input: PreviewCategorizeInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<PreviewActivities>(activityOptions(input.settings));
  return run.run(
    async () => {
      await run.progress(5, 'Previewing the rules...');
      return acts.previewCategorization({ taskId: input.taskId, userId: input.userId, sessionId: input.sessionId, samplePerRule: input.samplePerRule });
    },
    // A preview writes nothing: there is nothing to undo.
    { cleanup: async () => undefined },
  );
}
