/**
 * All activities, built from their dependencies. The worker calls this with the real db
 * and file store; tests hand in their own.
 */
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import { FileStore } from '../db/files';
import { createBulkCategorizeActivities } from './bulk-categorize';
import { createParsePdfActivities, type ParseDeps } from './parse-pdf';
import { createGenerateReportActivities } from './generate-report';
import { createSystemTaskActivities, createTaskMirrorActivities } from './task-mirror';
import { createCleanupOldResultsActivities } from './cleanup-old-results';
import { createWebhookActivities } from './webhooks';
import { createPreviewCategorizeActivities } from './preview-categorize';
import { createOcr } from '../domain/ocr';
import { createSecretBox } from '../platform/secret-box';
import { RecentFiles } from '../db/recent-files';

export interface ActivityDeps {
  db: Knex;
  config: Config;
  files?: FileStore;
  ocrPages?: ParseDeps['ocrPages'];
}

export function createActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  // A worker reads a long statement's upload once per chunk, and reads back the work files
  // it wrote: recent files stay in its memory for that (db/recent-files.ts).
  const files = deps.files ?? new FileStore(db, undefined, new RecentFiles());
  // OCR for scanned pages, on by default (OCR_ENABLED); one pool per worker process is the OCR_CONCURRENCY limit.
  const ocrPages = deps.ocrPages ?? (config.ocr.enabled ? createOcr(config.ocr).ocrPages : undefined);
  return {
    ...createTaskMirrorActivities(db),
    ...createSystemTaskActivities(db),
    ...createWebhookActivities({ db, config }),
    ...createCleanupOldResultsActivities({
      db,
      files,
      cleanup: {
        taskRetentionDays: config.cleanup.taskRetentionDays,
        reportRetentionDays: config.cleanup.reportRetentionDays,
        uploadRetentionDays: config.cleanup.uploadRetentionDays,
        sessionRetentionDays: config.cleanup.sessionRetentionDays,
        batchSize: config.cleanup.batchSize,
        resultTtlSeconds: config.resultTtlSeconds,
      },
    }),
    ...createParsePdfActivities({ db, files, maxPages: config.pdf.maxPages, ocrPages, ocrMaxPages: config.ocr.maxPages, pdfLimits: config.pdf, secrets: createSecretBox(config.fileSecretKey) }),
    ...createBulkCategorizeActivities({ db, maxRules: config.rules.maxRules, statementTimeoutMs: config.rules.statementTimeoutMs }),
    ...createPreviewCategorizeActivities({ db, maxRules: config.rules.maxRules, statementTimeoutMs: config.rules.statementTimeoutMs }),
    ...createGenerateReportActivities({
      db,
      files,
      maxRows: config.reports.maxRows,
      vat: { ratePercent: config.reports.vatRatePercent, vatCategories: config.reports.vatCategories },
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
