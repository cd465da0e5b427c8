/**
 * generateReport: one long, heartbeating activity streams the report (a workbook, a CSV
 * or an export) into the file store. The file key comes from the task and the workflow's
 * start time, so every retry writes the same key and a cancelled or failed report is
 * removed by that key.
 */
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createGenerateReportActivities } from '../activities/generate-report';
import { reportFileKey } from '../contract/file-keys';
import type { GenerateReportInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type ReportActivities = ReturnType<typeof createGenerateReportActivities>;

/** Workflows started before the key carried the task id keep the key they began with. */
const REPORT_KEY_PER_TASK = 'report-key-per-task';

export async function generateReport(input: GenerateReportInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<ReportActivities>(activityOptions(input.settings));
  const fileKey = reportFileKey(input.sessionId, workflowInfo().startTime, input.reportType, patched(REPORT_KEY_PER_TASK) ? input.taskId : null);

  return run.run(
    async () => {
      await run.progress(3, 'Generating the report...');
      return acts.renderReport({
        taskId: input.taskId,
        userId: input.userId,
        sessionId: input.sessionId,
        // Only when given, so the activity input of a one-session report is as it was.
        ...(input.sessionIds ? { sessionIds: input.sessionIds } : {}),
        reportType: input.reportType,
        includeVat: input.includeVat,
        fileKey,
      });
    },
    { cleanup: () => acts.discardReport({ fileKey }), fileKey: (r) => r.file_key },
  );
}
