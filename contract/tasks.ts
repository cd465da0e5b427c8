/**
 * The task contract shared by the API, the workflows and the activities: names, queues,
 * statuses, inputs and the progress query. Workflow code imports this file, so it must
 * stay free of Node.js APIs and I/O.
 */
import { defineQuery } from '@temporalio/workflow';

export const TASK_STATUSES = ['PENDING', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];
export const OPEN_STATUSES: readonly TaskStatus[] = ['PENDING', 'PROCESSING'];
export const isTerminal = (s: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(s);

/** Task name (as the Celery service named its tasks) → workflow type and default task queue. */
export const TASK_TYPES = {
  parse_pdf_async: { workflowType: 'parsePdf', queue: 'pdf_processing' },
  bulk_categorize_async: { workflowType: 'bulkCategorize', queue: 'bulk_operations' },
  generate_report_async: { workflowType: 'generateReport', queue: 'reports' },
  /** A rule preview of a session past PREVIEW_MAX_ROWS (smaller ones are answered at once). */
  preview_categorize_async: { workflowType: 'previewCategorize', queue: 'bulk_operations' },
  cleanup_old_results: { workflowType: 'cleanupOldResults', queue: 'default' },
} as const;
export type TaskName = keyof typeof TASK_TYPES;
export const TASK_NAMES = Object.keys(TASK_TYPES) as TaskName[];

/**
 * Timeouts, retries and limits, read from configuration by the submitter and carried in
 * the workflow input: workflow code cannot read the environment, and a running workflow
 * keeps the settings it started with.
 */
export interface TaskSettings {
  retry: { maximumAttempts: number; initialIntervalMs: number; backoffCoefficient: number; maximumIntervalMs: number };
  softTimeLimitMs: number;
  activityStartToCloseMs: number;
  heartbeatTimeoutMs: number;
  progressMirrorIntervalMs: number;
  resultTtlSeconds: number;
}

/** What every workflow receives besides its own parameters. */
export interface TaskEnvelope {
  taskId: string;
  userId: string;
  taskName: TaskName;
  settings: TaskSettings;
  /**
   * The task has a callback_url (stored with the task, never in the input): its end is
   * delivered without first asking whether anyone listens. Absent means no callback.
   */
  hasCallback?: boolean;
}

export interface ParsePdfInput extends TaskEnvelope {
  fileKey: string;
  fileName: string;
  clientId: string | null;
  sessionId: string;
  /** Pages per extraction activity on long statements (PDF_PAGES_PER_CHUNK). */
  pagesPerChunk: number;
  /**
   * Statements of at most this many pages are read, parsed and saved in one activity
   * (PDF_FAST_PATH_MAX_PAGES; 0 turns the fast path off). Absent in inputs of workflows
   * started before it existed.
   */
  fastPathMaxPages?: number;
  /**
   * Extraction activities run at once on a long statement: CHUNKS_PER_TEXT_THREAD per
   * pdf.js thread (PDF_TEXT_THREADS). Absent in inputs of workflows started before chunks
   * ran side by side: one at a time.
   */
  chunksAtOnce?: number;
}

/**
 * A long statement's chunks under way per pdf.js thread: while a thread reads one, the
 * next waits for it, so the thread does not idle while a chunk's files are read and written
 * and the workflow schedules the next (bench/RESULTS.md).
 */
export const CHUNKS_PER_TEXT_THREAD = 2;

export interface BulkCategorizeInput extends TaskEnvelope {
  sessionId: string;
  /**
   * Rows per categorization activity (CATEGORIZE_CHUNK_ROWS). The validated rule set is
   * stored with the task row (params), not sent through history.
   */
  chunkRows: number;
}

/**
 * What a report can be: the Excel workbook and CSV of the Transactions sheet, and the
 * exports for accounting software (docs/exports.md).
 */
export const REPORT_TYPES = ['excel', 'csv', 'ofx', 'qif', 'csv_xero', 'csv_sage', 'camt053'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
/** The most sessions (statements of one account) a report may join. */
export const MAX_REPORT_SESSIONS = 24;

export interface GenerateReportInput extends TaskEnvelope {
  /** The session, or the first of `sessionIds` in period order (the report's file key is under it). */
  sessionId: string;
  /**
   * Statements of one account reported as one, in period order, each transaction once.
   * Absent for a report of one session (and in inputs of workflows started before it existed).
   */
  sessionIds?: string[];
  reportType: ReportType;
  includeVat: boolean;
}

/**
 * The retention steps of a cleanup run, in the order they run. A new step goes at the end
 * and behind a patched() check in workflows/cleanup-old-results.ts, so runs recorded with
 * the earlier steps still replay.
 */
export const CLEANUP_STEPS = [
  'expired_results',
  'report_files',
  'upload_files',
  'work_files',
  'old_tasks',
  'unmirrored_tasks',
  'old_sessions',
  'upload_secrets',
] as const;
export type CleanupStep = (typeof CLEANUP_STEPS)[number];

/** The input of each task a user submits, by task name. */
export interface TaskInputs {
  parse_pdf_async: ParsePdfInput;
  bulk_categorize_async: BulkCategorizeInput;
  generate_report_async: GenerateReportInput;
  preview_categorize_async: PreviewCategorizeInput;
}

/** The rule set is in the task's row (like a categorization's); the input names the session. */
export interface PreviewCategorizeInput extends TaskEnvelope {
  sessionId: string;
  /** Changed rows shown per rule. */
  samplePerRule: number;
}
export type UserTaskName = keyof TaskInputs;

export interface CleanupInput {
  /** From the starter's configuration, like every task's (the schedule's action carries it). */
  settings: TaskSettings;
  dryRun?: boolean;
  /** Set by tests to pin "now"; otherwise the workflow's own clock is used. */
  now?: string;
}

/** The live state a workflow keeps and the `progress` query returns. */
export interface ProgressState {
  status: TaskStatus;
  percent: number;
  message: string;
  /** Monotonic per workflow: every mirror write carries it, so stale writes are dropped. */
  seq: number;
}

export const progressQuery = defineQuery<ProgressState>('progress');

export interface TaskErrorBody {
  code: string;
  message: string;
}


export const SUBMITTED_MESSAGES: Record<TaskName, string> = {
  parse_pdf_async: 'PDF parsing started. Use GET /tasks/{task_id}/status to check progress.',
  bulk_categorize_async: 'Bulk categorization started. Use GET /tasks/{task_id}/status to check progress.',
  generate_report_async: 'Report generation started. Use GET /tasks/{task_id}/status to check progress.',
  preview_categorize_async: 'Rule preview started: the session is too large to preview at once. Use GET /tasks/{task_id}/status to check progress.',
  cleanup_old_results: 'Cleanup started. Use GET /tasks/{task_id}/status to check progress.',
};

/** The owner of the tasks the service starts itself (the cleanup schedule); no person is. */
export const SYSTEM_USER_ID = 'system';

/** The events a webhook receives (docs/webhooks.md). */
export const WEBHOOK_EVENTS = ['task.succeeded', 'task.failed', 'task.cancelled', 'batch.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type TaskWebhookEvent = Exclude<WebhookEvent, 'batch.completed'>;

/** The event a task's terminal status is announced with. */
export const TASK_END_EVENTS: Record<'SUCCESS' | 'FAILED' | 'CANCELLED', TaskWebhookEvent> = {
  SUCCESS: 'task.succeeded',
  FAILED: 'task.failed',
  CANCELLED: 'task.cancelled',
};

/** The input of deliverTaskWebhooks, the child workflow a task starts after its terminal write: ids only, no URLs or secrets. */
export interface TaskWebhooksInput {
  taskId: string;
  userId: string;
  taskName: TaskName;
  event: TaskWebhookEvent;
}
