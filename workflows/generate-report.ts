/**
 * generateReport: one long, heartbeating activity streams the workbook into the file
 * store. The file key comes from the task and the workflow's start time, so every retry
 * writes the same key and a cancelled or failed report is removed by that key.
 */
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createReportActivities } from '../activities/generate-report';
import type { GenerateReportInput } from '../contract/tasks';
import { activityOptions, TaskRun } from './task-run';

type ReportActivities = ReturnType<typeof createReportActivities>;

/** Workflows started before the key carried the task id keep the key they began with. */
const REPORT_KEY_PER_TASK = 'report-key-per-task';

/**
 * The task's id is part of the key: two reports of one session started in the same second
 * must not share a file (the second would overwrite the first, and deleting one task would
 * delete the other's report). `taskId` is null only for workflows started before it was.
 */
export function reportFileKey(sessionId: string, startedAt: Date, reportType: 'excel' | 'csv', taskId: string | null): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = startedAt;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `reports/${sessionId}/report_${stamp}${taskId ? `_${taskId}` : ''}.${reportType === 'excel' ? 'xlsx' : 'csv'}`;
}

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
        reportType: input.reportType,
        includeVat: input.includeVat,
        fileKey,
      });
    },
    { cleanup: () => acts.discardReport({ fileKey }), fileKey: (r) => r.file_key },
  );
}
