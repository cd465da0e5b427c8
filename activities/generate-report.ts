/**
 * Activity of the generateReport workflow: stream the rows of the session (or of several
 * statements of one account, each transaction once) through the Excel, CSV or export
 * renderer straight into the file store. It heartbeats as rows are written (so a cancel
 * lands within seconds) and refines the mirrored percent; a failure or cancel aborts the
 * writer, which removes every chunk already stored: no partial file remains.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import type { ReportType } from '../contract/tasks';
import type { FileStore } from '../db/files';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_RENDERERS,
  TOO_LARGE_CODE,
  hasNeededBalance,
  isExportType,
  printableAccount,
  renderCsvReport,
  renderExcelReport,
  reportTitle,
  type ExportStatement,
  type RenderOutcome,
  type ReportRow,
  type VatSettings,
} from '../domain/reports';
import { decimalStringToCents } from '../domain/money';
import { sessionRows, sessionsForReport, type ReportSessionRecord } from '../db/sessions';
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

/** Codes of a report the sessions cannot make (the API refuses these before it starts a task). */
export const REPORT_INPUT_CODES = {
  /** Joined sessions must be statements of one account. */
  SESSIONS_NOT_ONE_ACCOUNT: 'SESSIONS_NOT_ONE_ACCOUNT',
  /** OFX and camt.053 state a balance; the statement printed none and its rows carry none. */
  EXPORT_BALANCE_UNKNOWN: 'EXPORT_BALANCE_UNKNOWN',
} as const;

const CONTENT_TYPES: Record<ReportType, string> = {
  excel: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  ...EXPORT_CONTENT_TYPES,
};

const cents = (v: string | null): number | null => (v === null ? null : decimalStringToCents(v));

/** The rows of the sessions in period order, each transaction once (a later statement's overlap is left out). */
async function* reportRows(db: Knex, sessions: readonly ReportSessionRecord[]): AsyncGenerator<ReportRow> {
  for (let i = 0; i < sessions.length; i += 1) {
    yield* sessionRows(db, sessions[i].id, 2000, { skipFitidsOf: sessions.slice(0, i).map((s) => s.id) });
  }
}

/** What an export prints about the statements: the first one's opening, the last one's closing. */
function exportStatement(sessions: readonly ReportSessionRecord[], taskId: string, now: Date): ExportStatement {
  const first = sessions[0];
  const last = sessions[sessions.length - 1];
  const periodStart = first.period_from ?? first.first_date ?? now.toISOString().slice(0, 10);
  return {
    bankName: first.bank_source ?? '',
    accountId: printableAccount(first.account_mask),
    periodStart,
    periodEnd: last.period_to ?? last.last_date ?? periodStart,
    openingBalanceCents: cents(first.opening_balance ?? first.rows_opening),
    closingBalanceCents: cents(last.closing_balance ?? last.rows_closing),
    createdAt: now,
    messageId: taskId.replace(/-/g, ''),
  };
}

/** The READY sessions of the report, all of one account when there are several; throws what is wrong otherwise. */
export async function loadReportSessions(db: Knex, userId: string, ids: readonly string[]): Promise<ReportSessionRecord[]> {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const sessions = (await sessionsForReport(db, userId, [...wanted])).filter((s) => s.status === 'READY');
  if (sessions.length !== wanted.size) {
    throw new TaskInputError(TaskErrorCodes.SESSION_NOT_FOUND, 'The session does not exist or is not ready');
  }
  if (sessions.length > 1) {
    const key = sessions[0].account_key;
    if (key === null || sessions.some((s) => s.account_key !== key)) {
      throw new TaskInputError(REPORT_INPUT_CODES.SESSIONS_NOT_ONE_ACCOUNT, 'The sessions are not statements of one account');
    }
  }
  return sessions;
}

export function createGenerateReportActivities(deps: ReportDeps) {
  const { db, files } = deps;
  return {
    renderReport: taskActivity(
      db,
      async (input: {
        taskId: string;
        userId: string;
        sessionId: string;
        /** Several statements of one account as one report; absent for one session. */
        sessionIds?: string[];
        reportType: ReportType;
        includeVat: boolean;
        fileKey: string;
      }): Promise<ReportResult> => {
        const ids = input.sessionIds?.length ? input.sessionIds : [input.sessionId];
        const sessions = await loadReportSessions(db, input.userId, ids);
        // An upper bound when statements overlap: their shared rows are written once.
        const total = sessions.reduce((n, s) => n + s.transaction_count, 0);
        if (total > deps.maxRows) {
          throw new TaskInputError(TOO_LARGE_CODE, `The report would have ${total} rows; reports hold at most ${deps.maxRows}`);
        }
        const statement = exportStatement(sessions, input.taskId, new Date());
        if (isExportType(input.reportType) && !hasNeededBalance(input.reportType, statement)) {
          throw new TaskInputError(
            REPORT_INPUT_CODES.EXPORT_BALANCE_UNKNOWN,
            'The statement prints no opening or closing balance and its rows carry none; OFX and camt.053 files must state one (use csv_xero, csv_sage or qif)',
          );
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
        const pacing = {
          signal: cancellationSignal(),
          progressEvery: 2000,
          onProgress: async (rows: number) => {
            heartbeat({ rows });
            const pct = total > 0 ? 5 + (90 * rows) / total : 50;
            await refineProgress(db, input.taskId, pct, `Writing row ${rows} of ${total}`);
          },
        };
        try {
          const rows = reportRows(db, sessions);
          let outcome: RenderOutcome;
          if (isExportType(input.reportType)) {
            outcome = await EXPORT_RENDERERS[input.reportType](rows, writer, { ...pacing, statement });
          } else {
            const render = input.reportType === 'excel' ? renderExcelReport : renderCsvReport;
            outcome = await render(rows, writer, { ...pacing, includeVat: input.includeVat, vat: deps.vat, title: reportTitle(sessions[0].file_name, sessions.some((s) => s.corrected)) });
          }
          await new Promise<void>((resolve, reject) => {
            if (writer.writableFinished) return resolve();
            writer.once('finish', resolve);
            writer.once('error', reject);
            if (!writer.writableEnded) writer.end();
          });
          // Only the first session is guarded against deletion by the task (its params name
          // it): a later one deleted meanwhile would have cut its rows short.
          if (sessions.length > 1) await loadReportSessions(db, input.userId, ids);
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
