/**
 * The keys of files in the file store (db/files.ts). Each names its owner task, so every
 * retry of a step writes the same key and a task's files can be found and removed by it.
 * Workflow code builds report keys, so this stays free of I/O.
 */
import type { ReportType } from './tasks';

/** The file extension of each report type: the CSV imports are CSV, camt.053 is XML. */
export const REPORT_EXTENSIONS: Record<ReportType, string> = {
  excel: 'xlsx',
  csv: 'csv',
  ofx: 'ofx',
  qif: 'qif',
  csv_xero: 'csv',
  csv_sage: 'csv',
  camt053: 'xml',
};

/** An uploaded statement. `fileName` has been made safe by the API. */
export const uploadFileKey = (taskId: string, fileName: string): string => `uploads/${taskId}/${fileName}`;

/** Extracted pages of one chunk of a parse: scratch space, removed when the parse ends. */
export const workFilePrefix = (taskId: string): string => `work/${taskId}/`;
export const workFileKey = (taskId: string, first: number, last: number): string => `${workFilePrefix(taskId)}pages-${first}-${last}.json`;

/** The start of the key of every report of a session: its reports are found without their tasks. */
export const sessionReportPrefix = (sessionId: string): string => `reports/${sessionId}/`;

/**
 * A report: named by the session and the workflow's start time (what the download is
 * called). The task's id is part of the key: two reports of one session started in the
 * same second must not share a file (the second would overwrite the first, and deleting
 * one task would delete the other's report). `taskId` is null only for workflows started
 * before the key carried it.
 */
export function reportFileKey(sessionId: string, startedAt: Date, reportType: ReportType, taskId: string | null): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = startedAt;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${sessionReportPrefix(sessionId)}report_${stamp}${taskId ? `_${taskId}` : ''}.${REPORT_EXTENSIONS[reportType]}`;
}
