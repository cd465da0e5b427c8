/**
 * Activities of the cleanupOldResults workflow. Each step handles one batch and returns
 * how many rows it touched (or would touch, in a dry run); the workflow loops until a
 * batch comes back short. Every step is idempotent: running it twice deletes nothing more.
 */
import { getClient, heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { CleanupStep } from '../contract/tasks';
import type { FileStore } from '../db/files';
import { deleteOldSessions } from '../db/sessions';
import { clearExpiredResults, deleteFinishedTasks, quietOpenTasks } from '../db/tasks';
import { deleteStaleUploadSecrets } from '../db/upload-secrets';
import { closedOutcome, reconcileTask } from '../platform/task-reconcile';

export interface CleanupPolicy {
  now: string; // ISO; fixed for the whole run so every batch sees the same cut-offs
  dryRun: boolean;
  batchSize: number;
  taskRetentionDays: number;
  reportRetentionDays: number;
  uploadRetentionDays: number;
  /** 0: the old_sessions step deletes nothing. */
  sessionRetentionDays: number;
  resultTtlSeconds: number;
}

const DAY_MS = 86_400_000;
/** Work files are scratch space for running tasks; anything a day old is an orphan. */
const WORK_FILE_RETENTION_DAYS = 1;
/**
 * A statement's password is needed only while its parse runs, which HARD_TIME_LIMIT_SECONDS
 * (30 minutes by default) bounds: one older than this is a leftover whatever its task says.
 */
const UPLOAD_SECRET_MAX_AGE_MS = 6 * 60 * 60 * 1000;
/** An open row untouched this long is checked against its workflow. */
const UNMIRRORED_AFTER_MS = 10 * 60 * 1000;
/**
 * Deleting a batch of sessions (each with up to millions of rows and its files) can take
 * longer than the heartbeat timeout, even one statement alone: a timer heartbeats while it
 * runs, so the activity is not taken for dead (the SDK throttles the sends).
 */
const HEARTBEAT_EVERY_MS = 1000;

export interface BatchOutcome {
  /** Rows or files removed or fixed (in a dry run: that would be). */
  affected: number;
  /** Candidates looked at: a batch shorter than batchSize was the last. */
  scanned: number;
}

export interface CleanupConfig {
  taskRetentionDays: number;
  reportRetentionDays: number;
  uploadRetentionDays: number;
  sessionRetentionDays: number;
  batchSize: number;
  resultTtlSeconds: number;
}

export function createCleanupOldResultsActivities(deps: { db: Knex; files: FileStore; cleanup: CleanupConfig }) {
  const { db, files } = deps;
  const before = (p: CleanupPolicy, days: number) => new Date(new Date(p.now).getTime() - days * DAY_MS);

  return {
    /** Defaults for a scheduled run, from the worker's configuration. */
    cleanupPolicy: async (input: { dryRun: boolean; now?: string }): Promise<CleanupPolicy> => ({
      now: input.now ?? new Date().toISOString(),
      dryRun: input.dryRun,
      ...deps.cleanup,
    }),

    /**
     * One batch of one step. `offset` skips candidates left in place (a dry run removes
     * nothing; a reconciled row whose workflow still runs stays open).
     */
    cleanupBatch: async (input: { step: CleanupStep; policy: CleanupPolicy; offset: number }): Promise<BatchOutcome> => {
      const p = input.policy;
      const now = new Date(p.now);
      const batch = { limit: p.batchSize, offset: input.offset };
      const outcome = (n: number): BatchOutcome => ({ affected: n, scanned: n });
      switch (input.step) {
        case 'expired_results':
          return outcome(await clearExpiredResults(db, now, batch, p.dryRun));
        case 'report_files':
          return outcome(await files.deleteOlderThan('report', before(p, p.reportRetentionDays), batch, p.dryRun));
        case 'upload_files':
          return outcome(await files.deleteOlderThan('upload', before(p, p.uploadRetentionDays), batch, p.dryRun));
        case 'work_files':
          return outcome(await files.deleteOlderThan('work', before(p, WORK_FILE_RETENTION_DAYS), batch, p.dryRun));
        case 'old_tasks':
          return outcome(await deleteFinishedTasks(db, before(p, p.taskRetentionDays), batch, p.dryRun));
        case 'unmirrored_tasks': {
          const rows = await quietOpenTasks(db, new Date(now.getTime() - UNMIRRORED_AFTER_MS), batch);
          let affected = 0;
          const client = getClient();
          for (const row of rows) {
            if (p.dryRun) {
              if (await closedOutcome(client, row)) affected += 1;
            } else if (await reconcileTask(client, db, row, p.resultTtlSeconds)) {
              affected += 1;
            }
          }
          return { affected, scanned: rows.length };
        }
        case 'upload_secrets':
          return outcome(await deleteStaleUploadSecrets(db, new Date(now.getTime() - UPLOAD_SECRET_MAX_AGE_MS), batch, p.dryRun));
        case 'old_sessions': {
          // Off unless set; `> 0` is also false for a policy made by a worker that predates the setting.
          if (!(p.sessionRetentionDays > 0)) return outcome(0);
          const beat = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
          try {
            const { deleted, scanned } = await deleteOldSessions(db, before(p, p.sessionRetentionDays), batch, p.dryRun);
            return { affected: deleted, scanned };
          } finally {
            clearInterval(beat);
          }
        }
      }
    },
  };
}
