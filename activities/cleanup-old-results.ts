/**
 * Activities of the cleanupOldResults workflow. Each step handles one batch and returns
 * how many rows it touched (or would touch, in a dry run); the workflow loops until a
 * batch comes back short. Every step is idempotent: running it twice deletes nothing more.
 */
import { getClient } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { FileStore } from '../db/files';
import { closedOutcome, reconcileTask } from '../platform/task-reconcile';

export const CLEANUP_STEPS = ['expired_results', 'report_files', 'upload_files', 'work_files', 'old_tasks', 'unmirrored_tasks'] as const;
export type CleanupStep = (typeof CLEANUP_STEPS)[number];

export interface CleanupPolicy {
  now: string; // ISO; fixed for the whole run so every batch sees the same cut-offs
  dryRun: boolean;
  batchSize: number;
  taskRetentionDays: number;
  reportRetentionDays: number;
  uploadRetentionDays: number;
  resultTtlSeconds: number;
}

const DAY_MS = 86_400_000;
/** Work files are scratch space for running tasks; anything a day old is an orphan. */
const WORK_FILE_RETENTION_DAYS = 1;
/** An open row untouched this long is checked against its workflow. */
const UNMIRRORED_AFTER_MS = 10 * 60 * 1000;

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
  batchSize: number;
  resultTtlSeconds: number;
}

export function createCleanupActivities(deps: { db: Knex; files: FileStore; cleanup: CleanupConfig }) {
  const { db } = deps;
  const before = (p: CleanupPolicy, days: number) => new Date(new Date(p.now).getTime() - days * DAY_MS);

  /** Deletes (or, in a dry run, only counts) one batch of candidates selected by `candidates`. */
  async function removeBatch(
    table: 'stored_files' | 'task_status',
    keyColumn: 'file_key' | 'task_id',
    candidates: Knex.QueryBuilder,
    p: CleanupPolicy,
    offset: number,
  ): Promise<BatchOutcome> {
    const keys = (await candidates.orderBy(keyColumn).limit(p.batchSize).offset(offset).select(keyColumn)).map(
      (r: Record<string, string>) => r[keyColumn],
    );
    if (!p.dryRun && keys.length) await db(table).whereIn(keyColumn, keys).delete();
    return { affected: keys.length, scanned: keys.length };
  }

  const files = (kind: 'report' | 'upload' | 'work', cutoff: Date) =>
    db('stored_files').where({ kind }).andWhere('created_at', '<', cutoff);

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
      switch (input.step) {
        case 'expired_results': {
          const ids = (
            await db('task_status')
              .whereNotNull('result')
              .andWhere('expires_at', '<', now)
              .orderBy('task_id')
              .limit(p.batchSize)
              .offset(input.offset)
              .select('task_id')
          ).map((r: { task_id: string }) => r.task_id);
          if (!p.dryRun && ids.length) await db('task_status').whereIn('task_id', ids).update({ result: null });
          return { affected: ids.length, scanned: ids.length };
        }
        case 'report_files':
          return removeBatch('stored_files', 'file_key', files('report', before(p, p.reportRetentionDays)), p, input.offset);
        case 'upload_files':
          return removeBatch('stored_files', 'file_key', files('upload', before(p, p.uploadRetentionDays)), p, input.offset);
        case 'work_files':
          return removeBatch('stored_files', 'file_key', files('work', before(p, WORK_FILE_RETENTION_DAYS)), p, input.offset);
        case 'old_tasks':
          return removeBatch(
            'task_status',
            'task_id',
            db('task_status')
              .whereIn('status', ['SUCCESS', 'FAILED', 'CANCELLED'])
              .andWhere('created_at', '<', before(p, p.taskRetentionDays)),
            p,
            input.offset,
          );
        case 'unmirrored_tasks': {
          const rows = await db('task_status')
            .whereIn('status', ['PENDING', 'PROCESSING'])
            .andWhere('updated_at', '<', new Date(now.getTime() - UNMIRRORED_AFTER_MS))
            .orderBy('task_id')
            .limit(p.batchSize)
            .offset(input.offset)
            .select('task_id', 'status', 'created_at');
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
      }
    },
  };
}
