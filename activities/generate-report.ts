/**
 * Activity of the generateReport workflow: stream the session's rows through the Excel or
 * CSV renderer straight into the file store. It heartbeats as rows are written (so a
 * cancel lands within seconds) and refines the mirrored percent; a failure or cancel
 * aborts the writer, which removes every chunk already stored: no partial file remains.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import type { FileStore } from '../db/files';
import { TOO_LARGE_CODE, renderCsvReport, renderExcelReport, type VatSettings } from '../domain/reports';
import { findReadySessionOfUser, sessionRows } from '../db/sessions';
import { refineProgress } from '../db/tasks';
import { taskActivity } from './task-activity';

export interface ReportDeps {
  db: Knex;
  files: FileStore;
  vat: VatSettings;
  maxRows: number;
}

export interface ReportResult {
  status: 'success';
  file_key: string;
  file_size: number;
  filename: string;
  row_count: number;
}

const CONTENT_TYPES = {
  excel: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

export function createGenerateReportActivities(deps: ReportDeps) {
  const { db, files } = deps;
  return {
    renderReport: taskActivity(
      db,
      async (input: {
        taskId: string;
        userId: string;
        sessionId: string;
        reportType: 'excel' | 'csv';
        includeVat: boolean;
        fileKey: string;
      }): Promise<ReportResult> => {
        const session = await findReadySessionOfUser(db, input.userId, input.sessionId);
        if (!session) {
          throw new TaskInputError(TaskErrorCodes.SESSION_NOT_FOUND, 'The session does not exist or is not ready');
        }
        const total: number = session.transaction_count;
        if (total > deps.maxRows) {
          throw new TaskInputError(TOO_LARGE_CODE, `The session has ${total} rows; reports hold at most ${deps.maxRows}`);
        }
        // The download is named by the report's time; the task id in the key is for uniqueness only.
        const filename = (input.fileKey.split('/').pop() as string).replace(/_[0-9a-f]{8}-[0-9a-f-]{27}(?=\.)/, '');
        const writer = files.createWriter({
          fileKey: input.fileKey,
          userId: input.userId,
          kind: 'report',
          filename,
          contentType: CONTENT_TYPES[input.reportType],
        });
        const render = input.reportType === 'excel' ? renderExcelReport : renderCsvReport;
        try {
          const outcome = await render(sessionRows(db, input.sessionId), writer, {
            includeVat: input.includeVat,
            vat: deps.vat,
            title: session.file_name ?? undefined,
            signal: cancellationSignal(),
            progressEvery: 2000,
            onProgress: async (rows) => {
              heartbeat({ rows });
              const pct = total > 0 ? 5 + (90 * rows) / total : 50;
              await refineProgress(db, input.taskId, pct, `Writing row ${rows} of ${total}`);
            },
          });
          await new Promise<void>((resolve, reject) => {
            if (writer.writableFinished) return resolve();
            writer.once('finish', resolve);
            writer.once('error', reject);
            if (!writer.writableEnded) writer.end();
          });
          const stored = await files.stat(input.fileKey);
          if (!stored) throw new Error('the report file was not sealed');
          return { status: 'success', file_key: input.fileKey, file_size: stored.size, filename, row_count: outcome.rowsWritten };
        } catch (err) {
          await writer.abort();
          throw err;
        }
      },
    ),

    discardReport: async (input: { fileKey: string }): Promise<void> => {
      await files.delete(input.fileKey);
    },
  };
}
