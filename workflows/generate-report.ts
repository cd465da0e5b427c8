/**
 * generateReport: one long, heartbeating activity streams the workbook into the file
 * store. The file key comes from the workflow's start time, so every retry writes the
 * same key and a cancelled or failed report is removed by that key.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createReportActivities } from '../activities/render-report';
import type { GenerateReportInput } from '../core/task-contract';
import { activityOptions, TaskRun } from './task-run';

type ReportActivities = ReturnType<typeof createReportActivities>;

export function reportFileKey(sessionId: string, startedAt: Date, reportType: 'excel' | 'csv'): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = startedAt;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `reports/${sessionId}/report_${stamp}.${reportType === 'excel' ? 'xlsx' : 'csv'}`;
}

export async function generateReport(input: GenerateReportInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<ReportActivities>(activityOptions(input.settings));
  const fileKey = reportFileKey(input.sessionId, workflowInfo().startTime, input.reportType);

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
